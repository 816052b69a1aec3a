using System.Globalization;
using Rig.Service.Channels;
using Rig.Service.Engine.Protocols;
using Rig.Service.Interlocks;
using UnitsNet;

namespace Rig.Service.Engine;

/// <summary>
/// A protocol's own stack-pressure limits hold the channel the way the supervisor's window does: out of them, a
/// <see cref="InterlockKind.PressureOutOfWindow"/> interlock from <see cref="ProtocolLimitSource"/> (the engine has
/// paused the test at that sample itself), so resume is refused with the same reason until the pressure is back within
/// them. The interlock goes with the test: it clears when the test that set the limits no longer holds the channel.
/// </summary>
public sealed partial class EngineHost
{
    /// <summary>The source of the interlock a protocol's pressure limits raise.</summary>
    public const string ProtocolLimitSource = "protocol limit";

    /// <summary>What a channel's test asks of its stack pressure, read under the channel's lock after the engine's call.</summary>
    private readonly record struct PressureLimits(bool TestHoldsChannel, Pressure? Min, Pressure? Max)
    {
        public static PressureLimits Of(CyclingEngine? engine) => engine is null
            ? default
            : new(RunTransitions.HoldsChannel(engine.State.State), engine.Plan.Safety.MinStackPressure, engine.Plan.Safety.MaxStackPressure);
    }

    // Outside the channel's lock: raising or clearing announces the change, whose handlers may read the engine's status.
    private void WatchProtocolPressure(string channelId, PressureLimits limits, in ChannelSample sample)
    {
        var board = _state.Interlocks;
        var held = board.InScope(channelId).Any(IsProtocolLimit);
        if (!limits.TestHoldsChannel || (limits.Min is null && limits.Max is null))
        {
            if (held)
            {
                board.Clear(channelId, IsProtocolLimit, sample.Timestamp, "the test whose protocol set the pressure limits no longer holds the channel");
            }
            return;
        }
        if (sample.StackPressure is not { } pressure)
        {
            return; // no reading: the clamp fault holds the channel; this limit is decided on the next reading
        }
        var outside = (limits.Min is { } low && pressure < low) || (limits.Max is { } high && pressure > high);
        var window = string.Create(CultureInfo.InvariantCulture,
            $"{limits.Min?.Megapascals.ToString("0.##", CultureInfo.InvariantCulture) ?? "-"} to {limits.Max?.Megapascals.ToString("0.##", CultureInfo.InvariantCulture) ?? "-"} MPa");
        if (outside && !held)
        {
            board.Raise(channelId, new Interlock(InterlockKind.PressureOutOfWindow, ProtocolLimitSource, sample.Timestamp,
                string.Create(CultureInfo.InvariantCulture, $"stack pressure {pressure.Megapascals:0.00} MPa outside the protocol's limits {window}")));
        }
        else if (!outside && held)
        {
            board.Clear(channelId, IsProtocolLimit, sample.Timestamp,
                string.Create(CultureInfo.InvariantCulture, $"stack pressure back within the protocol's limits ({pressure.Megapascals:0.00} MPa, {window})"));
        }
    }

    private static bool IsProtocolLimit(Interlock interlock) =>
        interlock.Kind == InterlockKind.PressureOutOfWindow && interlock.Source == ProtocolLimitSource;
}
