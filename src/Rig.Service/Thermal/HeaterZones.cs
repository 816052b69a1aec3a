using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Rig.Service.Channels;
using Rig.Service.Configuration;
using Rig.Service.Control;
using Rig.Service.Hardware;
using UnitsNet;

namespace Rig.Service.Thermal;

/// <summary>The rig's heater zone controllers, one per configured zone, and the operator API over them.</summary>
public sealed partial class HeaterZones : IHeaterZoneControl, IHeaterZoneProvenance, IDisposable
{
    private readonly Dictionary<string, HeaterZoneController> _controllers = new(StringComparer.Ordinal);
    private readonly ZoneSettingsStore _settings;
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, (string Source, DateTimeOffset At)> _gainSources = new(StringComparer.Ordinal);
    private readonly TimeProvider _time;
    private readonly ILogger _logger;

    public HeaterZones(
        RigHardware hardware,
        IOptions<RigOptions> options,
        RigState state,
        ZoneFaultReaction reaction,
        TimeProvider time,
        ILoggerFactory loggers)
    {
        ArgumentNullException.ThrowIfNull(hardware);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(loggers);
        _settings = new ZoneSettingsStore(Path.Combine(options.Value.ResolveStateDirectory(), "heater"));
        _time = time;
        _logger = loggers.CreateLogger<HeaterZones>();
        foreach (var zone in hardware.Zones.Values)
        {
            var controller = new HeaterZoneController(zone, state, reaction, time, options.Value.DeviceTimeout,
                loggers.CreateLogger<HeaterZoneController>());
            _controllers[zone.Id] = controller;
            Restore(controller);
        }
    }

    public IReadOnlyCollection<HeaterZoneController> Controllers => _controllers.Values;

    public HeaterZoneController this[string zoneId] => _controllers[zoneId];

    public IReadOnlyList<HeaterZoneStatus> Status() => [.. _controllers.Values.Select(c => c.Status())];

    public CommandResult SetSetpoint(string zoneId, Temperature setpoint) => Saved(zoneId, With(zoneId, c => c.SetSetpoint(setpoint)));

    public CommandResult SetGains(string zoneId, PidGains gains) => Sourced(zoneId, "operator", Saved(zoneId, With(zoneId, c => c.SetGains(gains))));

    public CommandResult ClearFault(string zoneId) => With(zoneId, c => c.ClearFault());

    public CommandResult StartAutotune(string zoneId) => With(zoneId, c => c.StartAutotune());

    public CommandResult StartAutotune(string zoneId, Temperature target) => With(zoneId, c => c.StartAutotune(target));

    public CommandResult RejectAutotune(string zoneId) => With(zoneId, c => c.RejectAutotune());

    public CommandResult CancelAutotune(string zoneId) => With(zoneId, c => c.CancelAutotune());

    public CommandResult AcceptAutotune(string zoneId) => Sourced(zoneId, "autotune", Saved(zoneId, With(zoneId, c => c.AcceptAutotune())));

    public Recording.HeaterProvenance? Current(string zoneId)
    {
        if (zoneId is null || !_controllers.TryGetValue(zoneId, out var controller))
        {
            return null;
        }
        var status = controller.Status();
        return _gainSources.TryGetValue(zoneId, out var source)
            ? new Recording.HeaterProvenance(zoneId, status.Setpoint.DegreesCelsius, status.Gains, source.Source, source.At)
            : new Recording.HeaterProvenance(zoneId, status.Setpoint.DegreesCelsius, status.Gains, "configuration", null);
    }

    private CommandResult Sourced(string zoneId, string source, CommandResult result)
    {
        if (result.Accepted)
        {
            _gainSources[zoneId] = (source, _time.GetUtcNow());
        }
        return result;
    }

    public void Dispose()
    {
        foreach (var controller in _controllers.Values)
        {
            controller.Dispose();
        }
    }

    /// <summary>After an accepted change, the zone's set-point and gains go to disk before the caller hears "ok".</summary>
    private CommandResult Saved(string zoneId, CommandResult result)
    {
        if (!result.Accepted)
        {
            return result;
        }
        var status = _controllers[zoneId].Status();
        try
        {
            _settings.Save(zoneId, new ZoneSettings(status.Setpoint.DegreesCelsius, status.Gains, _time.GetUtcNow()));
            return result;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            LogSaveFailed(ex, zoneId);
            return CommandResult.Ok($"{result.Message}; NOT saved, a restart returns to the configured value ({ex.Message})");
        }
    }

    /// <summary>Applies saved run-time settings through the controller's own checks (a set-point above a lowered cut-off is refused).</summary>
    private void Restore(HeaterZoneController controller)
    {
        ZoneSettings? saved;
        try
        {
            saved = _settings.Load(controller.ZoneId);
        }
        catch (Exception ex) when (ex is InvalidDataException or IOException or UnauthorizedAccessException)
        {
            LogRestoreFailed(ex, controller.ZoneId, _settings.PathFor(controller.ZoneId));
            return;
        }
        if (saved is null)
        {
            return;
        }
        var gains = controller.SetGains(saved.Gains);
        if (gains.Accepted)
        {
            _gainSources[controller.ZoneId] = ("restored", saved.SavedAt);
        }
        var setpoint = controller.SetSetpoint(Temperature.FromDegreesCelsius(saved.SetpointCelsius));
        LogRestored(controller.ZoneId, saved.SetpointCelsius, saved.Gains.ToString(), saved.SavedAt, setpoint.Accepted && gains.Accepted ? "applied" : $"refused: {setpoint.Message} {gains.Message}");
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Heater zone {Zone}: saving its set-point and gains failed")]
    private partial void LogSaveFailed(Exception ex, string zone);

    [LoggerMessage(Level = LogLevel.Error, Message = "Heater zone {Zone}: saved settings in {Path} unreadable; using the configuration")]
    private partial void LogRestoreFailed(Exception ex, string zone, string path);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Heater zone {Zone}: run-time settings from {SavedAt:u} restored (set-point {Celsius} °C, {Gains}): {Outcome}")]
    private partial void LogRestored(string zone, double celsius, string gains, DateTimeOffset savedAt, string outcome);

    private CommandResult With(string zoneId, Func<HeaterZoneController, CommandResult> command) =>
        zoneId is not null && _controllers.TryGetValue(zoneId, out var controller)
            ? command(controller)
            : CommandResult.Refused($"no heater zone '{zoneId}' (known: {string.Join(", ", _controllers.Keys)})");
}
