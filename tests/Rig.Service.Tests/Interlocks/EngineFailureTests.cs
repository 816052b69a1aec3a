using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Rig.Service.Composition;
using Rig.Service.Channels;
using Rig.Service.Control;
using Rig.Service.Engine;
using Rig.Service.Interlocks;
using Rig.Service.Tests.Support;

namespace Rig.Service.Tests.Interlocks;

/// <summary>
/// Issue 14, no silent failure: an exception thrown inside the engine's handling of a sample (injected through the
/// <see cref="IEngineObserver"/> seam, as a protocol step's bug would throw there) ends that channel safe, alarmed and
/// held by a latched LoopFailed interlock; the other channel keeps running and sampling; resume is refused until an
/// operator's clear-fault. Virtual clock, the composed simulated rig.
/// </summary>
public sealed class EngineFailureTests
{
    [Fact]
    public async Task An_exception_inside_the_engine_ends_that_channel_safe_held_and_alarmed_while_the_other_channel_runs_on()
    {
        var bomb = new StepBomb("ch1", throwOnSample: 90);
        using var rig = new InterlockRig(engineObservers: [bomb]);
        Assert.True((await rig.StartAsync("ch1")).Accepted);
        Assert.True((await rig.StartAsync("ch2", "anode-free-full-cell")).Accepted);
        await rig.RunAsync(TimeSpan.FromMinutes(1));
        Assert.True(rig.OutputOn("ch1"));

        await rig.RunAsync(TimeSpan.FromMinutes(1)); // the bomb goes off at ch1's 90th engine sample
        Assert.True(bomb.Thrown);

        Assert.False(rig.OutputOn("ch1"));
        Assert.Equal(RunState.Paused, rig.RunState("ch1"));
        var held = Assert.Single(rig.Held("ch1"));
        Assert.Equal(InterlockKind.LoopFailed, held.Kind);
        Assert.Equal(nameof(StepBomb), held.Source);
        Assert.Contains("InvalidOperationException", held.Reason);
        Assert.True(held.Latched);
        Assert.Contains(rig.Raised, e => e.Source == "ch1" && e.Code == "engine.error" && e.Severity == RigEventSeverity.Alarm
            && e.Message.Contains(nameof(StepBomb), StringComparison.Ordinal));
        Assert.Contains(rig.Raised, e => e.Source == "ch1" && e.Code == "interlock.raised" && e.Message.Contains("LoopFailed", StringComparison.Ordinal));

        // The other channel is untouched: still sourcing, running, sampled every second.
        var ch2Before = rig.Rig.State.Channel("ch2").Latest!.Value.Timestamp;
        await rig.RunAsync(TimeSpan.FromSeconds(5));
        Assert.True(rig.OutputOn("ch2"));
        Assert.Equal(RunState.Running, rig.RunState("ch2"));
        Assert.Empty(rig.Held("ch2"));
        Assert.Equal(ch2Before + TimeSpan.FromSeconds(5), rig.Rig.State.Channel("ch2").Latest!.Value.Timestamp);
        Assert.True(rig.Rig.State.Channel("ch1").Latest!.Value.Timestamp > ch2Before, "the failed channel is still sampled");
        Assert.False(rig.OutputOn("ch1"));

        var refused = await rig.Engine.ResumeAsync("ch1", CancellationToken.None);
        Assert.False(refused.Accepted);
        Assert.Contains("LoopFailed", refused.Message);
        Assert.Contains("clear-fault", refused.Message);
        await rig.RunAsync(TimeSpan.FromSeconds(3));
        Assert.False(rig.OutputOn("ch1"));

        Assert.True(rig.Commands.ClearLatched("ch1").Accepted);
        Assert.Equal(RunState.Paused, rig.RunState("ch1")); // clearing resumes nothing by itself
        Assert.True((await rig.Engine.ResumeAsync("ch1", CancellationToken.None)).Accepted);
        await rig.RunAsync(TimeSpan.FromSeconds(3));
        Assert.True(rig.OutputOn("ch1"));
        Assert.Equal(RunState.Running, rig.RunState("ch1"));
    }

    [Fact]
    public async Task An_engine_observer_registered_through_DI_hears_the_composed_services_engine()
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        var settings = new Dictionary<string, string?>(TestRig.DefaultSettings)
        {
            ["Rig:SamplePeriod"] = "00:00:00.050",
            ["Rig:ReadoutPeriod"] = "00:00:00",
            ["Rig:StateDirectory"] = TestScratch.NewStateDirectory(),
        };
        builder.Configuration.AddInMemoryCollection(settings);
        builder.Services.AddRig(builder.Configuration);
        var bomb = new StepBomb("ch1", throwOnSample: 3);
        builder.Services.AddSingleton<IEngineObserver>(bomb);
        using var host = builder.Build();
        var state = host.Services.GetRequiredService<RigState>();

        await host.StartAsync();
        try
        {
            var control = host.Services.GetRequiredService<ITestControl>();
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            CommandResult started;
            while (!(started = await control.StartAsync(new StartTestRequest("ch1", "plating-stripping-1mAh", null), timeout.Token)).Accepted)
            {
                await Task.Delay(20, timeout.Token); // the first samples (zone temperature) may still be on their way
            }
            while (!state.Interlocks.Active("ch1").Any(i => i.Kind == InterlockKind.LoopFailed))
            {
                await Task.Delay(20, timeout.Token);
            }
            Assert.True(bomb.Thrown);
            Assert.Equal(nameof(StepBomb), state.Interlocks.Active("ch1").Single(i => i.Kind == InterlockKind.LoopFailed).Source);
        }
        finally
        {
            await host.StopAsync();
        }
    }

    /// <summary>Throws on the Nth sample of the channel's running test, once: a protocol step's bug.</summary>
    private sealed class StepBomb(string channel, int throwOnSample) : IEngineObserver
    {
        private int _seen;

        public bool Thrown { get; private set; }

        public void OnEngineSample(in EngineTick tick)
        {
            if (tick.Sample.ChannelId != channel || Thrown || ++_seen < throwOnSample)
            {
                return;
            }
            Thrown = true;
            throw new InvalidOperationException($"injected bug in step {tick.Instruction} ({tick.StepText})");
        }
    }
}
