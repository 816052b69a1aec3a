using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Rig.Service.CommandLine;
using Rig.Service.Composition;

namespace Rig.Service.Tests.Hostile;

/// <summary>Issue 22: no BackgroundService exception stops the host silently with exit code 0.</summary>
public sealed class ServiceFailureWatchTests
{
    [Fact]
    public async Task A_background_service_that_throws_stops_the_host_and_the_exit_code_is_70()
    {
        using var host = Build(services => services.AddHostedService<Throws>());

        await host.StartAsync();
        await host.WaitForShutdownAsync().WaitAsync(TimeSpan.FromSeconds(30));

        var watch = host.Services.GetRequiredService<ServiceFailureWatch>();
        Assert.Equal(ExitCodes.Software, watch.ExitCode());
        Assert.Contains("Throws: NaN is not a valid number", Assert.Single(watch.Failures()), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_clean_stop_exits_0()
    {
        using var host = Build(services => services.AddHostedService<Waits>());

        await host.StartAsync();
        await host.StopAsync();

        Assert.Equal(ExitCodes.Ok, host.Services.GetRequiredService<ServiceFailureWatch>().ExitCode());
    }

    private static IHost Build(Action<IServiceCollection> add)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton<ServiceFailureWatch>();
        add(builder.Services);
        return builder.Build();
    }

    private sealed class Throws : BackgroundService
    {
        protected override async Task ExecuteAsync(CancellationToken stoppingToken)
        {
            await Task.Yield();
            throw new ArgumentException("NaN is not a valid number. (Parameter 'val')");
        }
    }

    private sealed class Waits : BackgroundService
    {
        protected override Task ExecuteAsync(CancellationToken stoppingToken) => Task.Delay(Timeout.Infinite, stoppingToken);
    }
}
