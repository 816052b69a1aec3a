using Rig.Drivers.Potentiostats;
using Rig.Drivers.Potentiostats.Scpi;
using Rig.Drivers.Potentiostats.Scpi.Dialects;
using Rig.Drivers.Potentiostats.Scpi.Transports;
using Rig.Service.Configuration;

namespace Rig.Service.Hardware;

/// <summary>
/// Builds the SCPI driver of a channel whose Instrument:Kind names a real instrument: the dialect from the Kind,
/// the transport from the Address. Nothing is opened here; the driver connects, identifies (*IDN?) and refuses a
/// wrong instrument on its first call, which RigWorker makes at start-up (output off).
/// </summary>
public static class ScpiInstruments
{
    /// <param name="options">The channel's instrument section.</param>
    /// <param name="deviceTimeout">The loop's bound on one device call.</param>
    /// <param name="time">The rig clock.</param>
    /// <param name="sessions">
    /// Sessions by instrument address, shared by the channels of one instrument: the B2902A's two channels are one
    /// instrument with one error queue, so they use one link and one gate (a channel's *CLS or error read never eats
    /// the other's). Null: a session of its own.
    /// </param>
    public static IPotentiostatChannel Create(InstrumentOptions options, TimeSpan deviceTimeout, TimeProvider time, IDictionary<string, ScpiSession>? sessions = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        var dialect = Dialect(options);
        var address = ScpiAddress.Parse(options.Address);
        // Half the device time-out per answer: a call of a few queries fits inside the loop's bound on the whole call.
        var timeouts = new ScpiTimeouts(deviceTimeout / 2, deviceTimeout / 2);
        var device = $"{options.Kind} {options.Address}{(options.SourceChannel > 1 ? $" ch{options.SourceChannel}" : "")}";
        var key = options.Address.Trim();
        if (sessions is null || !sessions.TryGetValue(key, out var session))
        {
            session = new ScpiSession(address.CreateTransport(timeouts.Response), $"{options.Kind} {options.Address}", time, timeouts);
            sessions?.Add(key, session);
        }
        return new ScpiPotentiostatChannel(dialect, session, time, device);
    }

    public static IScpiSmuDialect Dialect(InstrumentOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return options.Kind switch
        {
            InstrumentKind.Keithley2450 => Keithley2400SeriesDialect.Keithley2450(options.FourWireSense),
            InstrumentKind.Keithley2460 => Keithley2400SeriesDialect.Keithley2460(options.FourWireSense),
            InstrumentKind.KeysightB2901A => KeysightB2900Dialect.B2901A(options.FourWireSense),
            InstrumentKind.KeysightB2902A => KeysightB2900Dialect.B2902A(options.SourceChannel, options.FourWireSense),
            _ => throw new ArgumentOutOfRangeException(nameof(options), options.Kind, "not a SCPI instrument"),
        };
    }
}
