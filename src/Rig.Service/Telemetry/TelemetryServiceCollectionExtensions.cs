using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Rig.Service.Channels;
using Rig.Service.Configuration;
using Rig.Service.Recording;
using Rig.Service.Store;
using Rig.Service.Telemetry.Commands;

namespace Rig.Service.Telemetry;

/// <summary>The store, the recorder, the outbox publisher, MQTT (client, embedded broker, discovery, commands).</summary>
public static class TelemetryServiceCollectionExtensions
{
    public static IServiceCollection AddTelemetry(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<MqttOptions>()
            .Bind(configuration.GetSection(MqttOptions.SectionName), binder => binder.ErrorOnUnknownConfiguration = true)
            .ValidateOnStart();
        services.AddOptions<StoreOptions>()
            .Bind(configuration.GetSection(StoreOptions.SectionName), binder => binder.ErrorOnUnknownConfiguration = true)
            .ValidateOnStart();
        services.AddSingleton<IValidateOptions<MqttOptions>, TelemetryOptionsValidator>();
        services.AddSingleton<IValidateOptions<StoreOptions>, TelemetryOptionsValidator>();

        services.AddSingleton(sp =>
        {
            var rig = sp.GetRequiredService<IOptions<RigOptions>>().Value;
            var store = sp.GetRequiredService<IOptions<StoreOptions>>().Value;
            var path = Path.Combine(rig.ResolveStateDirectory(), store.FileName);
            // A damaged file is refused before anything writes to it (exit 65, the file named).
            StoreIntegrity.Check(path);
            return new RigStore(path, store.SyncEveryCommit);
        });
        services.AddSingleton(sp =>
        {
            var mqtt = sp.GetRequiredService<IOptions<MqttOptions>>().Value;
            return new RecentTrace(mqtt.RecentWindow, mqtt.RecentPoints);
        });
        // The channel loops hand their records to this one thread and never wait on the disk (docs/telemetry.md).
        services.AddSingleton(sp =>
        {
            var writer = ActivatorUtilities.CreateInstance<StoreWriter>(sp);
            var events = sp.GetRequiredService<RigEvents>();
            var time = sp.GetRequiredService<TimeProvider>();
            var availability = sp.GetService<StoreAvailability>();
            writer.ProblemChanged += problem =>
            {
                events.Raise(problem is null
                    ? new RigEvent(time.GetUtcNow(), RigEventSeverity.Info, "rig", "store.recovered", "the store takes writes again")
                    : new RigEvent(time.GetUtcNow(), RigEventSeverity.Alarm, "rig", "store.unavailable", problem));
                // The store interlock follows the writer: held while its commits fail, cleared by its first success.
                if (problem is null)
                {
                    availability?.Succeeded(StoreAvailability.Database);
                }
                else
                {
                    availability?.Failed(StoreAvailability.Database, problem);
                }
            };
            return writer;
        });
        services.AddSingleton<StoreTestRecorder>();
        // Replaces the engine's in-memory default (registered with TryAdd), whichever order the areas are added in.
        services.Replace(ServiceDescriptor.Singleton<ITestRecorder>(sp => sp.GetRequiredService<StoreTestRecorder>()));

        services.AddSingleton<MqttConnection>();
        services.AddSingleton<HomeAssistantDiscovery>();
        services.AddSingleton<RigInfoPublisher>();
        services.AddSingleton<CommandRouter>();
        // Broker first, so the client finds it; discovery subscribes to Connected before the loop starts.
        services.AddSingleton<EmbeddedBroker>();
        services.AddHostedService(sp => sp.GetRequiredService<EmbeddedBroker>());
        services.AddHostedService<EventRecorder>();
        services.AddHostedService(sp =>
        {
            sp.GetRequiredService<HomeAssistantDiscovery>();
            sp.GetRequiredService<RigInfoPublisher>();
            sp.GetRequiredService<ZoneStatePublisher>();
            sp.GetRequiredService<RigHealthPublisher>();
            return sp.GetRequiredService<MqttConnection>();
        });
        services.AddHostedService<OutboxPublisher>();
        services.AddHostedService<ChannelStatePublisher>();
        services.AddSingleton<ZoneStatePublisher>();
        services.AddHostedService(sp => sp.GetRequiredService<ZoneStatePublisher>());
        services.AddSingleton<RigHealthPublisher>();
        services.AddHostedService(sp => sp.GetRequiredService<RigHealthPublisher>());
        services.AddHostedService<RecentTracePublisher>();
        services.AddSingleton<CommandReplies>();
        services.AddHostedService<CommandProcessor>();
        services.AddHostedService<CommandBusyResponder>();
        return services;
    }
}
