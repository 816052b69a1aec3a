using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Rig.Archive.Gaps;
using Rig.Archive.Ingest;
using Rig.Archive.Storage;

namespace Rig.Archive;

public static class ArchiveServiceCollectionExtensions
{
    /// <summary>The archive: options (validated at start), database, lab subscription, ingest, gap monitor, retention.</summary>
    public static IServiceCollection AddArchive(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<ArchiveOptions>().Bind(configuration.GetSection(ArchiveOptions.Section)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<ArchiveOptions>, ArchiveOptionsValidator>();
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton(sp => new ArchiveDatabase(sp.GetRequiredService<IOptions<ArchiveOptions>>().Value.ConnectionString,
            sp.GetRequiredService<ILogger<ArchiveDatabase>>()));
        services.AddSingleton<ArchiveWriter>();
        services.AddSingleton<LabSubscription>();
        services.AddSingleton<ArchiveIngestor>();
        services.AddSingleton<GapMonitor>();
        services.AddHostedService<ArchiveStartup>();
        services.AddHostedService(sp => sp.GetRequiredService<ArchiveIngestor>());
        services.AddHostedService(sp => sp.GetRequiredService<LabSubscription>());
        services.AddHostedService(sp => sp.GetRequiredService<GapMonitor>());
        services.AddHostedService<RetentionService>();
        return services;
    }
}
