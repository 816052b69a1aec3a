using System.Collections.Concurrent;
using Rig.Drivers.Faults;
using Rig.Service.Interlocks;

namespace Rig.Service.Channels;

/// <summary>
/// The latest known state of every channel and zone: written by their loops, read by anyone (engine, readout,
/// telemetry). Each entry is replaced whole, so readers always see a consistent snapshot.
/// </summary>
public sealed class RigState
{
    private readonly ConcurrentDictionary<string, ChannelSnapshot> _channels = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, ZoneReading> _zones = new(StringComparer.Ordinal);

    private readonly ConcurrentDictionary<string, bool> _clampsBeingCalibrated = new(StringComparer.Ordinal);
    private volatile bool _emergencyStopActive;

    public IReadOnlyDictionary<string, ChannelSnapshot> Channels => _channels;

    /// <summary>True while the e-stop input is active: no loop may turn an output or heater on.</summary>
    public bool EmergencyStopActive
    {
        get => _emergencyStopActive;
        set => _emergencyStopActive = value;
    }

    /// <summary>
    /// Hands a channel's load cell to a calibration: until <see cref="EndClampCalibration"/> the channel loop leaves
    /// it alone (its samples carry no force), so one reader owns the ADC at a time. False if one is already running.
    /// </summary>
    public bool TryBeginClampCalibration(string channelId) => _clampsBeingCalibrated.TryAdd(channelId, true);

    public void EndClampCalibration(string channelId) => _clampsBeingCalibrated.TryRemove(channelId, out _);

    public bool IsClampBeingCalibrated(string channelId) => _clampsBeingCalibrated.ContainsKey(channelId);

    /// <summary>What holds each channel now (e-stop, zone, pressure, clamp, instrument, store, operator): see docs/architecture.md.</summary>
    public InterlockBoard Interlocks { get; } = new();

    /// <summary>Each loop's last tick, read by the systemd watchdog.</summary>
    public LoopHeartbeat Heartbeat { get; } = new();

    public IReadOnlyDictionary<string, ZoneReading> Zones => _zones;

    public ChannelSnapshot Channel(string channelId) =>
        _channels.TryGetValue(channelId, out var snapshot) ? snapshot : ChannelSnapshot.Empty(channelId);

    public ZoneReading? Zone(string zoneId) => _zones.TryGetValue(zoneId, out var reading) ? reading : null;

    public void RecordSample(ChannelSample sample) =>
        _channels.AddOrUpdate(sample.ChannelId,
            static (id, s) => ChannelSnapshot.Empty(id) with { Latest = s },
            static (_, old, s) => old with { Latest = s },
            sample);

    /// <summary>Adds a fault to the channel's active faults; false if the same device already had that fault.</summary>
    public bool RecordFault(string channelId, HardwareFault fault)
    {
        var added = false;
        _channels.AddOrUpdate(channelId,
            (id, f) => { added = true; return ChannelSnapshot.Empty(id) with { Faults = [f] }; },
            (_, old, f) =>
            {
                added = !old.Faults.Any(x => x.Kind == f.Kind && x.Device == f.Device);
                return added ? old with { Faults = [.. old.Faults, f] } : old;
            },
            fault);
        return added;
    }

    /// <summary>Removes the active faults of one device on a channel; returns those removed.</summary>
    public IReadOnlyList<HardwareFault> ClearFaults(string channelId, string device)
    {
        IReadOnlyList<HardwareFault> removed = [];
        _channels.AddOrUpdate(channelId,
            ChannelSnapshot.Empty,
            (_, old) =>
            {
                removed = [.. old.Faults.Where(f => f.Device == device)];
                return removed.Count == 0 ? old : old with { Faults = [.. old.Faults.Where(f => f.Device != device)] };
            });
        return removed;
    }

    public void RecordZone(ZoneReading reading) => _zones[reading.ZoneId] = reading;
}

/// <summary>What is known of a channel now.</summary>
public sealed record ChannelSnapshot(string ChannelId, ChannelSample? Latest, IReadOnlyList<HardwareFault> Faults)
{
    public static ChannelSnapshot Empty(string channelId) => new(channelId, null, []);
}
