using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting.Systemd;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Rig.Drivers.Faults;
using Rig.Service.Channels;
using Rig.Service.Composition;
using Rig.Service.Configuration;
using Rig.Service.Hardware;

namespace Rig.Service.Tests.Deploy;

public class SystemdWatchdogTests
{
    private sealed class RecordingNotifier : ISystemdNotifier
    {
        public List<string> Sent { get; } = [];

        public bool IsEnabled => true;

        public void Notify(ServiceState state)
        {
            lock (Sent)
            {
                Sent.Add(state.ToString());
            }
        }

        public int Pings
        {
            get
            {
                lock (Sent)
                {
                    return Sent.Count(s => s == "WATCHDOG=1");
                }
            }
        }
    }

    /// <summary>Lets the first <c>n</c> samples through, then never returns: a loop stuck downstream.</summary>
    private sealed class HangsAfter(int samples) : IChannelObserver
    {
        private readonly TaskCompletionSource _never = new();
        private int _seen;

        public async ValueTask OnSampleAsync(ChannelSample sample, CancellationToken cancellationToken)
        {
            if (Interlocked.Increment(ref _seen) > samples)
            {
                await _never.Task.WaitAsync(cancellationToken);
            }
        }

        public ValueTask OnFaultAsync(string channelId, HardwareFault fault, CancellationToken cancellationToken) => ValueTask.CompletedTask;
    }

    private static readonly RigOptions Options = new() { SamplePeriod = TimeSpan.FromSeconds(1), DeviceTimeout = TimeSpan.FromSeconds(3) };

    private static (SystemdWatchdog Watchdog, RecordingNotifier Notifier) Watchdog(RigState state, TimeProvider time, RigOptions? options = null, TimeSpan? timeout = null)
    {
        var notifier = new RecordingNotifier();
        var services = new ServiceCollection().AddSingleton<ISystemdNotifier>(notifier).BuildServiceProvider();
        var watchdog = new SystemdWatchdog(services, state, Microsoft.Extensions.Options.Options.Create(options ?? Options), time,
            new SystemdWatchdogTimeout(timeout ?? TimeSpan.FromSeconds(30)), NullLogger<SystemdWatchdog>.Instance);
        return (watchdog, notifier);
    }

    [Fact]
    public void Stale_limit_is_one_sample_period_plus_four_device_timeouts()
    {
        var (watchdog, _) = Watchdog(new RigState(), new FakeTimeProvider());
        Assert.Equal(TimeSpan.FromSeconds(13), watchdog.StaleAfter);
        Assert.Equal(TimeSpan.FromSeconds(15), watchdog.PingInterval);
    }

    [Fact]
    public void Pings_only_while_every_loop_has_ticked_within_the_stale_limit()
    {
        var time = new FakeTimeProvider();
        var state = new RigState();
        var (watchdog, notifier) = Watchdog(state, time);

        Assert.False(watchdog.CheckAndPing());   // no loop has ticked yet: nothing runs the rig
        state.Heartbeat.Beat("channel ch1", time.GetUtcNow());
        state.Heartbeat.Beat("zone die-block", time.GetUtcNow());
        Assert.True(watchdog.CheckAndPing());

        time.Advance(TimeSpan.FromSeconds(10));
        state.Heartbeat.Beat("channel ch1", time.GetUtcNow());
        time.Advance(TimeSpan.FromSeconds(3) + TimeSpan.FromMilliseconds(1));   // the zone's last tick is 13.001 s old
        Assert.False(watchdog.CheckAndPing());
        Assert.Equal(["zone die-block"], state.Heartbeat.StaleLoops(time.GetUtcNow(), watchdog.StaleAfter));

        state.Heartbeat.Beat("zone die-block", time.GetUtcNow());
        Assert.True(watchdog.CheckAndPing());
        Assert.Equal(2, notifier.Pings);
    }

    [Theory]
    [InlineData("30000000", null, 30.0)]
    [InlineData("30000000", "4242", 30.0)]
    [InlineData("30000000", "999", null)]
    [InlineData(null, null, null)]
    [InlineData("0", null, null)]
    [InlineData("thirty", null, null)]
    public void Watchdog_timeout_is_read_as_sd_watchdog_enabled_reads_it(string? usec, string? pid, double? expectedSeconds)
    {
        var environment = new Dictionary<string, string?> { ["WATCHDOG_USEC"] = usec, ["WATCHDOG_PID"] = pid };
        var timeout = SystemdWatchdogTimeout.FromEnvironment(name => environment.GetValueOrDefault(name), processId: 4242);
        Assert.Equal(expectedSeconds is { } s ? TimeSpan.FromSeconds(s) : null, timeout.Value);
    }

    [Fact]
    public async Task A_channel_loop_stuck_downstream_stops_the_pings_so_systemd_restarts_the_service()
    {
        var time = new FakeTimeProvider(DateTimeOffset.Parse("2026-01-01T00:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
        var options = new RigOptions();
        new ConfigurationBuilder().AddJsonFile(Path.Combine(DeployScripts.RepositoryRoot, "src/Rig.Service/appsettings.json")).Build()
            .GetSection(RigOptions.SectionName).Bind(options);
        var hardware = new RigHardwareBuilder(Microsoft.Extensions.Options.Options.Create(options), time).Build();
        var state = new RigState();
        var loop = new ChannelLoop(hardware.Channels["ch1"], state, new RigEvents(NullLogger<RigEvents>.Instance), [new HangsAfter(samples: 3)],
            time, options.SamplePeriod, options.DeviceTimeout, NullLogger.Instance);
        var (watchdog, notifier) = Watchdog(state, time, options);
        using var stop = new CancellationTokenSource();
        await watchdog.StartAsync(stop.Token);
        var running = loop.RunAsync(stop.Token);

        // Three good ticks (t = 0, 1, 2 s), then the loop hangs inside its observer.
        for (var second = 0; second < 3; second++)
        {
            await Until(() => state.Heartbeat.LastTicks.TryGetValue("channel ch1", out var at) && at == time.GetUtcNow());
            time.Advance(options.SamplePeriod);
        }
        // t = 3 s. The ping at t = 15 s still sees a tick 13 s old (fresh); the one at t = 30 s does not.
        time.Advance(TimeSpan.FromSeconds(12));
        await Until(() => notifier.Pings == 1);
        time.Advance(TimeSpan.FromSeconds(15));
        await Until(() => state.Heartbeat.StaleLoops(time.GetUtcNow(), watchdog.StaleAfter).Count == 1);
        await Task.Delay(TimeSpan.FromMilliseconds(200));   // real time for the watchdog's (withheld) check to run
        Assert.Equal(1, notifier.Pings);
        Assert.Equal(["channel ch1"], state.Heartbeat.StaleLoops(time.GetUtcNow(), watchdog.StaleAfter));

        await stop.CancelAsync();
        await watchdog.StopAsync(CancellationToken.None);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => running);
    }

    // The loop and the watchdog run on the thread pool after a virtual-clock step: wait (bounded) for them to act.
    private static async Task Until(Func<bool> condition)
    {
        using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        while (!condition())
        {
            await Task.Delay(5, limit.Token);
        }
    }
}
