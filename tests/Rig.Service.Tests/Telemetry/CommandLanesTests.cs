using System.Collections.Concurrent;
using CsCheck;
using Rig.Service.Configuration;
using Rig.Service.Telemetry.Commands;

namespace Rig.Service.Tests.Telemetry;

/// <summary>The lanes' rules: per-resource arrival order without overlap, bounded in flight and heavy, nothing lost.</summary>
public sealed class CommandLanesTests
{
    private static readonly string[] Names = ["channel/ch1", "channel/ch2", "zone/z", "test/t1"];

    [Fact]
    public async Task Commands_sharing_a_resource_run_one_at_a_time_in_arrival_order_and_in_flight_and_heavy_stay_bounded()
    {
        // Each command: which resources it names (bit mask), whether it is heavy, how many times it yields while running.
        var commands = Gen.Select(Gen.Int[0, 15], Gen.Bool, Gen.Int[0, 6]).Array[1, 40];
        await commands.SampleAsync(async sequence =>
        {
            const int maxInFlight = 3;
            var lanes = new CommandLanes(maxInFlight);
            var busy = new ConcurrentDictionary<string, int>(StringComparer.Ordinal);
            var started = new ConcurrentDictionary<string, ConcurrentQueue<int>>(StringComparer.Ordinal);
            var ran = new ConcurrentBag<int>();
            var problems = new ConcurrentQueue<string>();
            var running = 0;
            var heavyRunning = 0;
            for (var i = 0; i < sequence.Length; i++)
            {
                var (mask, heavy, yields) = sequence[i];
                var index = i;
                var resources = Names.Where((_, bit) => (mask & (1 << bit)) != 0).ToArray();
                await lanes.DispatchAsync(resources, heavy, async () =>
                {
                    if (Interlocked.Increment(ref running) > maxInFlight)
                    {
                        problems.Enqueue($"more than {maxInFlight} running");
                    }
                    if (heavy && Interlocked.Increment(ref heavyRunning) > CommandLanes.MaxHeavy)
                    {
                        problems.Enqueue($"more than {CommandLanes.MaxHeavy} heavy");
                    }
                    foreach (var r in resources)
                    {
                        started.GetOrAdd(r, _ => new ConcurrentQueue<int>()).Enqueue(index);
                        if (busy.AddOrUpdate(r, 1, (_, n) => n + 1) > 1)
                        {
                            problems.Enqueue($"command {index} overlapped another on {r}");
                        }
                    }
                    for (var y = 0; y < yields; y++)
                    {
                        await Task.Yield();
                    }
                    foreach (var r in resources)
                    {
                        busy.AddOrUpdate(r, 0, (_, n) => n - 1);
                    }
                    if (heavy)
                    {
                        Interlocked.Decrement(ref heavyRunning);
                    }
                    Interlocked.Decrement(ref running);
                    ran.Add(index);
                }, ex => problems.Enqueue(ex.ToString()), CancellationToken.None);
            }
            await lanes.WhenIdleAsync().WaitAsync(TimeSpan.FromSeconds(30));

            Assert.Empty(problems);
            Assert.Equal(Enumerable.Range(0, sequence.Length), ran.Order());
            foreach (var r in Names)
            {
                var expected = Enumerable.Range(0, sequence.Length).Where(i => (sequence[i].Item1 & (1 << Array.IndexOf(Names, r))) != 0);
                Assert.Equal(expected, started.GetValueOrDefault(r)?.ToArray() ?? []);
            }
            Assert.Equal(0, lanes.InFlight);
        }, iter: 200);
    }

    [Fact]
    public async Task A_held_command_holds_only_its_own_resource()
    {
        var lanes = new CommandLanes();
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var order = new ConcurrentQueue<string>();
        var otherDone = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        await lanes.DispatchAsync(["channel/ch1"], heavy: true, async () => { order.Enqueue("held ch1"); await gate.Task; order.Enqueue("released ch1"); }, _ => { }, CancellationToken.None);
        await lanes.DispatchAsync(["channel/ch1"], heavy: false, () => { order.Enqueue("next ch1"); return Task.CompletedTask; }, _ => { }, CancellationToken.None);
        await lanes.DispatchAsync(["channel/ch2"], heavy: false, () => { order.Enqueue("ch2"); otherDone.SetResult(); return Task.CompletedTask; }, _ => { }, CancellationToken.None);

        await otherDone.Task.WaitAsync(TimeSpan.FromSeconds(20));
        Assert.DoesNotContain("next ch1", order);
        gate.SetResult();
        await lanes.WhenIdleAsync().WaitAsync(TimeSpan.FromSeconds(20));
        var ch1 = order.Where(o => o.Contains("ch1", StringComparison.Ordinal)).ToArray();
        Assert.Equal(["held ch1", "released ch1", "next ch1"], ch1);
    }

    [Fact]
    public async Task An_exception_escaping_a_command_is_reported_and_frees_its_lane()
    {
        var lanes = new CommandLanes();
        var escaped = new ConcurrentQueue<Exception>();
        var after = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        await lanes.DispatchAsync(["channel/ch1"], heavy: false, () => throw new InvalidOperationException("boom"), escaped.Enqueue, CancellationToken.None);
        await lanes.DispatchAsync(["channel/ch1"], heavy: false, () => { after.SetResult(); return Task.CompletedTask; }, escaped.Enqueue, CancellationToken.None);

        await after.Task.WaitAsync(TimeSpan.FromSeconds(20));
        await lanes.WhenIdleAsync().WaitAsync(TimeSpan.FromSeconds(20));
        Assert.Equal("boom", Assert.Single(escaped).Message);
    }

    [Theory]
    [InlineData("""{"channel":"ch1","reason":"x"}""", new[] { "channel/ch1" })]
    [InlineData("""{"zone":"zone-a","setpoint_degC":40}""", new[] { "zone/zone-a", "channel/ch1", "channel/ch2" })]
    [InlineData("""{"test_id":"t-1"}""", new[] { "test/t-1" })]
    [InlineData("""{"file":"a.csv","formation_cycles":3}""", new[] { "file/a.csv" })]
    [InlineData("""{"parameters":{"channel":"ch9"},"channel":"ch2"}""", new[] { "channel/ch2" })]
    [InlineData("""{"channel":"ch1" """, new string[0])]
    [InlineData("""[1,2]""", new string[0])]
    [InlineData("", new string[0])]
    public void Resources_are_read_from_the_payloads_top_level_names(string payload, string[] expected)
    {
        var rig = new RigOptions
        {
            HeaterZones = { ["zone-a"] = new HeaterZoneOptions(), ["zone-b"] = new HeaterZoneOptions() },
            Channels =
            {
                ["ch1"] = new ChannelOptions { HeaterZone = "zone-a" },
                ["ch2"] = new ChannelOptions { HeaterZone = "zone-a" },
                ["ch3"] = new ChannelOptions { HeaterZone = "zone-b" },
            },
        };
        var resources = new CommandResources(rig, 1024).Of(new System.Buffers.ReadOnlySequence<byte>(System.Text.Encoding.UTF8.GetBytes(payload)));
        Assert.Equal(expected.Order(StringComparer.Ordinal), resources.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Abort_pause_and_all_off_are_urgent_and_nothing_else_is()
    {
        Assert.Equal(["abort", "all-off", "pause"], CommandResources.UrgentVerbs.Order(StringComparer.Ordinal));
        Assert.False(CommandResources.IsUrgent("resume"));
        Assert.False(CommandResources.IsUrgent("export"));
    }
}
