using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Rig.Service.Channels;
using Rig.Service.Configuration;
using Rig.Service.Engine;
using Rig.Service.Hardware;
using Rig.Service.Recording;

namespace Rig.Service.Tests.Support;

/// <summary>
/// One simulated channel, ch1, with the test engine on it, composed as the service composes them, on a virtual clock.
/// For tests of the engine alone; <see cref="TestRig"/> is the whole default rig from configuration.
/// </summary>
internal sealed class EngineRig
{
    public static readonly DateTimeOffset Start = new(2026, 1, 5, 9, 0, 0, TimeSpan.Zero);

    /// <param name="stateDirectory">Checkpoints, calibrations and presets live here.</param>
    /// <param name="ch1">ch1's options (the defaults if none: a simulated half cell).</param>
    /// <param name="recorder">Where the engine's records go (an in-memory recorder if none).</param>
    public EngineRig(string stateDirectory, ChannelOptions? ch1 = null, ITestRecorder? recorder = null)
    {
        Options = new RigOptions { StateDirectory = stateDirectory };
        Options.Channels["ch1"] = ch1 ?? new ChannelOptions();
        Hardware = new RigHardwareBuilder(Microsoft.Extensions.Options.Options.Create(Options), Time).Build();
        Recorder = recorder ?? new InMemoryTestRecorder();
    }

    public FakeTimeProvider Time { get; } = new(Start);

    public RigOptions Options { get; }

    public RigHardware Hardware { get; }

    public RigEvents Events { get; } = new(NullLogger<RigEvents>.Instance);

    public ITestRecorder Recorder { get; }

    /// <summary>An engine on this rig; a second one is the service restarted (it resumes from the checkpoints).</summary>
    public EngineHost NewHost(EngineOptions? engine = null) =>
        new(Hardware, Recorder, Events, Microsoft.Extensions.Options.Options.Create(Options), Microsoft.Extensions.Options.Options.Create(engine ?? new EngineOptions()),
            Time, NullLogger<EngineHost>.Instance);

    /// <summary>ch1's loop feeding <paramref name="host"/> (a device time-out of 3 s), with a state of its own.</summary>
    public ChannelLoop LoopFor(EngineHost host, TimeSpan? samplePeriod = null) =>
        new(Hardware.Channels["ch1"], new RigState(), Events, [host], Time, samplePeriod ?? TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(3),
            NullLogger<ChannelLoop>.Instance);
}
