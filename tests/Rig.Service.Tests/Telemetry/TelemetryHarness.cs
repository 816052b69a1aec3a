using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Rig.Service.Channels;
using Rig.Service.Configuration;
using Rig.Service.Control;
using Rig.Service.Recording;
using Rig.Service.Store;
using Rig.Service.Telemetry;
using Rig.Service.Telemetry.Commands;

namespace Rig.Service.Tests.Telemetry;

/// <summary>
/// The telemetry objects as the service wires them (store on a real SQLite file, MQTT client, outbox publisher,
/// command processor), pointed at a test broker, with a fake engine. Rig "rig-t" with channels ch1 and ch2.
/// </summary>
public sealed class TelemetryHarness : IAsyncDisposable
{
    private readonly ServiceProvider _services;
    private bool _stopped;

    public TelemetryHarness(int brokerPort, string databasePath, int pageSize = 200, bool discovery = false, string? prefix = null, bool syncEveryCommit = true,
        string rigId = "rig-t", string? username = null, string? passwordFile = null, TimeProvider? time = null)
    {
        Rig = new RigOptions
        {
            Id = rigId,
            StateDirectory = Path.GetDirectoryName(databasePath)!,
            HeaterZones = { ["zone"] = new HeaterZoneOptions() },
            Channels =
            {
                ["ch1"] = new ChannelOptions { HeaterZone = "zone" },
                ["ch2"] = new ChannelOptions { HeaterZone = "zone" },
            },
        };
        Mqtt = new MqttOptions
        {
            Broker = "127.0.0.1",
            Port = brokerPort,
            TopicPrefix = prefix ?? $"t{Guid.NewGuid():N}"[..9],
            Username = username ?? "",
            PasswordFile = passwordFile ?? "",
            ClientId = $"{rigId}-svc-{Guid.NewGuid():N}", // the shipped rig broker takes only ids prefixed with the rig id
            ReconnectMinDelay = TimeSpan.FromMilliseconds(100),
            ReconnectMaxDelay = TimeSpan.FromMilliseconds(400),
            PublishTimeout = TimeSpan.FromSeconds(3),
            OutboxPageSize = pageSize,
            MaxCommandBytes = 1024,
            HomeAssistantDiscovery = discovery,
            RecentWindow = TimeSpan.FromHours(1),
            RecentPoints = 60,
            CommandRatePerSecond = 0, // bursts here measure the queue; tests of the limiter set a rate before sending
        };
        var collection = new ServiceCollection();
        collection.AddSingleton(time ?? TimeProvider.System);
        collection.AddSingleton(Options.Create(Rig));
        collection.AddSingleton(Options.Create(Mqtt));
        collection.AddSingleton(Options.Create(StoreOptions));
        collection.AddSingleton(typeof(Microsoft.Extensions.Logging.ILogger<>), typeof(NullLogger<>));
        collection.AddSingleton(_ => new RigStore(databasePath, syncEveryCommit));
        collection.AddSingleton<ITestControl>(Control);
        collection.AddSingleton<RigState>();
        collection.AddSingleton(_ => new RecentTrace(Mqtt.RecentWindow, Mqtt.RecentPoints));
        collection.AddSingleton<StoreTestRecorder>();
        collection.AddSingleton<RecentTracePublisher>();
        collection.AddSingleton<MqttConnection>();
        collection.AddSingleton<OutboxPublisher>();
        collection.AddSingleton<CommandRouter>();
        collection.AddSingleton<CommandReplies>();
        collection.AddSingleton<CommandProcessor>();
        collection.AddSingleton<CommandBusyResponder>();
        collection.AddSingleton<HomeAssistantDiscovery>();
        collection.AddSingleton<RigInfoPublisher>();
        collection.AddSingleton<ChannelStatePublisher>();
        _services = collection.BuildServiceProvider();
        _ = _services.GetRequiredService<HomeAssistantDiscovery>();
        _ = _services.GetRequiredService<RigInfoPublisher>();
    }

    public RigOptions Rig { get; }

    public MqttOptions Mqtt { get; }

    public StoreOptions StoreOptions { get; } = new() { RecordPeriod = TimeSpan.FromSeconds(1) };

    public FakeTestControl Control { get; } = new();

    public T Get<T>() where T : notnull => _services.GetRequiredService<T>();

    public RigStore Store => Get<RigStore>();

    public StoreTestRecorder Recorder => Get<StoreTestRecorder>();

    public MqttConnection Connection => Get<MqttConnection>();

    public TopicTree Topics => Connection.Topics;

    public async Task StartAsync()
    {
        await Connection.StartAsync(CancellationToken.None);
        await Get<OutboxPublisher>().StartAsync(CancellationToken.None);
        await Get<CommandProcessor>().StartAsync(CancellationToken.None);
        await Get<CommandBusyResponder>().StartAsync(CancellationToken.None);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await Connection.WaitConnectedAsync(timeout.Token);
    }

    /// <summary>Starts a test on a channel in the store (what the engine does first).</summary>
    public async Task<string> StartTestAsync(string channelId, DateTimeOffset at)
    {
        var testId = $"{channelId}-{Guid.NewGuid():N}"[..16];
        await Recorder.TestStartedAsync(new TestStartRecord(testId, Rig.Id, channelId, at, new CellOptions { Name = "HC-01" }, "plate-strip",
            "steps: []", new Dictionary<string, string> { ["capacity"] = "3 mAh/cm2" }, "0.1.0", null, "tester", null), CancellationToken.None);
        return testId;
    }

    /// <summary>A sample as the engine sends it; every one is kept (each step index differs or time passed the period).</summary>
    public static TestSampleRecord Sample(string testId, string channelId, DateTimeOffset at, double testTimeSeconds, int step = 1, bool stepEnd = false) =>
        new(testId, channelId, at, testTimeSeconds, testTimeSeconds, 1, step, "CC_DCH", 0.01 - testTimeSeconds * 1e-6, -0.000785, 0, 0, 0,
            785.0, 10e6, 40.0, stepEnd);

    public async ValueTask StopAsync()
    {
        if (_stopped)
        {
            return;
        }
        _stopped = true;
        await Get<CommandProcessor>().StopAsync(CancellationToken.None);
        await Get<CommandBusyResponder>().StopAsync(CancellationToken.None);
        await Get<OutboxPublisher>().StopAsync(CancellationToken.None);
        await Connection.StopAsync(CancellationToken.None);
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        await _services.DisposeAsync();
    }
}
