using System.Buffers;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Rig.Service.Configuration;
using Rig.Service.Control;
using Rig.Service.Export;
using Rig.Service.Interlocks;
using Rig.Service.Store;
using UnitsNet;

namespace Rig.Service.Telemetry.Commands;

/// <summary>
/// Validates and carries out one command ("&lt;prefix&gt;/&lt;rig&gt;/cmd/&lt;verb&gt;"). Everything is checked before
/// anything is called, so a refused command changes nothing. A command that would touch a channel with a test
/// in progress is refused unless it names that channel (the heater zone a running channel shares, a clamp
/// under test). The engine, heater, clamp and fault areas are constructor dependencies, each optional: an absent one
/// answers "not available on this rig".
/// </summary>
public sealed class CommandRouter
{
    private static readonly Dictionary<string, string[]> Verbs = new(StringComparer.Ordinal)
    {
        ["start"] = ["channel", "preset", "protocol", "parameters", "operator", "notes"],
        ["pause"] = ["channel", "reason"],
        ["resume"] = ["channel"],
        ["abort"] = ["channel", "reason"],
        ["set-heater"] = ["zone", "setpoint_degC", "channel"],
        ["tare-clamp"] = ["channel"],
        ["calibrate-clamp"] = ["channel", "reference_force_N"],
        ["clear-fault"] = ["channel", "device", "zone"],
        ["all-off"] = ["reason"],
        ["list-tests"] = [],
        ["export"] = ["test_id"],
        ["replay"] = ["stream", "from_seq", "to_seq"],
    };

    private readonly IReadOnlyList<ICommandVerbs> _areas;
    private readonly RigStore _store;
    private readonly RigOptions _rig;
    private readonly MqttOptions _mqtt;
    private readonly InterlockCommands? _interlocks;
    private readonly ITestControl? _control;
    private readonly IHeaterCommands? _heaters;
    private readonly IClampCommands? _clamps;
    private readonly IFaultCommands? _faults;

    public CommandRouter(IEnumerable<ICommandVerbs> areas, RigStore store, IOptions<RigOptions> rig, IOptions<MqttOptions> mqtt, InterlockCommands? interlocks = null,
        ITestControl? control = null, IHeaterCommands? heaters = null, IClampCommands? clamps = null, IFaultCommands? faults = null)
    {
        ArgumentNullException.ThrowIfNull(areas);
        ArgumentNullException.ThrowIfNull(rig);
        ArgumentNullException.ThrowIfNull(mqtt);
        _areas = [.. areas];
        _interlocks = interlocks;
        _control = control;
        _heaters = heaters;
        _clamps = clamps;
        _faults = faults;
        _store = store;
        _rig = rig.Value;
        _mqtt = mqtt.Value;
    }

    public static IReadOnlyCollection<string> KnownVerbs => Verbs.Keys;

    /// <summary>The built-in verbs and those of this router's <see cref="ICommandVerbs"/> areas.</summary>
    public IEnumerable<string> Served => KnownVerbs.Concat(_areas.SelectMany(a => a.Verbs.Keys));

    /// <summary>The built-in verbs and those of every registered <see cref="ICommandVerbs"/> area.</summary>
    public static IEnumerable<string> AllVerbs(IServiceProvider services) =>
        KnownVerbs.Concat(services.GetServices<ICommandVerbs>().SelectMany(a => a.Verbs.Keys));

    public async Task<CommandReply> HandleAsync(string verb, ReadOnlySequence<byte> payload, CancellationToken cancellationToken)
    {
        ICommandVerbs? area = null;
        if (!Verbs.TryGetValue(verb, out var allowed))
        {
            area = _areas.FirstOrDefault(a => a.Verbs.ContainsKey(verb));
            if (area is null)
            {
                return CommandReply.Error(verb, $"unknown command '{verb}' (known: {string.Join(", ", Served)})");
            }
            allowed = area.Verbs[verb];
        }
        if (payload.Length > _mqtt.MaxCommandBytes)
        {
            return CommandReply.Error(verb, $"payload of {payload.Length} bytes exceeds Mqtt:MaxCommandBytes ({_mqtt.MaxCommandBytes})");
        }
        if (CommandArguments.Parse(payload.ToArray(), allowed, out var parseError) is not { } args)
        {
            return CommandReply.Error(verb, parseError);
        }
        if (area is not null)
        {
            return await area.HandleAsync(verb, args, cancellationToken);
        }
        string? why = null;
        var channel = allowed.Contains("channel") ? args.String("channel", verb is not ("set-heater" or "clear-fault"), ref why) : null;
        if (why is null && channel is not null && !_rig.Channels.ContainsKey(channel))
        {
            why = $"unknown channel '{channel}' (this rig has: {string.Join(", ", _rig.Channels.Keys)})";
        }
        return why is not null ? CommandReply.Error(verb, why) : verb switch
        {
            "start" => await StartAsync(channel!, args, cancellationToken),
            "pause" => await Engine(verb, (c, ct) => c.PauseAsync(channel!, args.String("reason", false, ref why) ?? "operator", ct), cancellationToken),
            "resume" => await Engine(verb, (c, ct) => c.ResumeAsync(channel!, ct), cancellationToken),
            "abort" => await Engine(verb, (c, ct) => c.AbortAsync(channel!, args.String("reason", false, ref why) ?? "operator", ct), cancellationToken),
            "set-heater" => await SetHeaterAsync(channel, args, cancellationToken),
            "tare-clamp" => await ClampAsync(verb, channel!, null, cancellationToken),
            "calibrate-clamp" => await CalibrateAsync(channel!, args, cancellationToken),
            "clear-fault" => await ClearFaultAsync(channel, args, cancellationToken),
            "all-off" => await AllOffAsync(args, cancellationToken),
            "list-tests" => ListTests(),
            "export" => await ExportAsync(args, cancellationToken),
            "replay" => ReplayCommand.Handle(_store, _rig, args),
            _ => CommandReply.Error(verb, "unknown command"),
        };
    }

    private async Task<CommandReply> StartAsync(string channel, CommandArguments args, CancellationToken cancellationToken)
    {
        string? why = null;
        var preset = args.String("preset", false, ref why);
        var protocol = args.String("protocol", false, ref why);
        var parameters = args.StringMap("parameters", ref why);
        var person = args.String("operator", false, ref why);
        var notes = args.String("notes", false, ref why);
        if (why is null && (preset is null) == (protocol is null))
        {
            why = "give exactly one of 'preset' (a shipped preset's name) or 'protocol' (a protocol document's text)";
        }
        if (why is not null)
        {
            return CommandReply.Error("start", why);
        }
        var request = new StartTestRequest(channel, preset, protocol, parameters, person, notes);
        return await Engine("start", (c, ct) => c.StartAsync(request, ct), cancellationToken);
    }

    private async Task<CommandReply> SetHeaterAsync(string? channel, CommandArguments args, CancellationToken cancellationToken)
    {
        string? why = null;
        var zone = args.String("zone", true, ref why);
        var setpoint = args.Number("setpoint_degC", true, ref why);
        var zoneOptions = zone is null ? null : _rig.HeaterZones.GetValueOrDefault(zone);
        if (why is null && zoneOptions is null)
        {
            why = $"unknown heater zone '{zone}' (this rig has: {string.Join(", ", _rig.HeaterZones.Keys)})";
        }
        else if (why is null && (setpoint < -50 || setpoint > zoneOptions!.MaxCelsius))
        {
            why = $"setpoint_degC must be between -50 and the zone's Rig:HeaterZones:{zone}:MaxCelsius ({zoneOptions!.MaxCelsius})";
        }
        if (why is null)
        {
            var busy = ChannelsInUse().Where(c => _rig.Channels[c].HeaterZone == zone && c != channel).ToList();
            if (busy.Count > 0)
            {
                why = $"zone '{zone}' heats {string.Join(", ", busy)}, which {(busy.Count == 1 ? "has a test" : "have tests")} in progress; name the channel the change is meant for (\"channel\") if it is the only one running on this zone";
            }
        }
        if (why is not null)
        {
            return CommandReply.Error("set-heater", why);
        }
        return _heaters is { } heaters
            ? CommandReply.From("set-heater", await heaters.SetSetpointAsync(zone!, Temperature.FromDegreesCelsius(setpoint!.Value), cancellationToken))
            : NotAvailable("set-heater", nameof(IHeaterCommands));
    }

    private async Task<CommandReply> CalibrateAsync(string channel, CommandArguments args, CancellationToken cancellationToken)
    {
        string? why = null;
        var reference = args.Number("reference_force_N", true, ref why);
        if (why is null && reference <= 0)
        {
            why = "reference_force_N must be greater than 0 N";
        }
        return why is not null ? CommandReply.Error("calibrate-clamp", why)
            : await ClampAsync("calibrate-clamp", channel, Force.FromNewtons(reference!.Value), cancellationToken);
    }

    private async Task<CommandReply> ClampAsync(string verb, string channel, Force? reference, CancellationToken cancellationToken)
    {
        if (ChannelsInUse().Contains(channel))
        {
            return CommandReply.Error(verb, $"channel '{channel}' has a test in progress; re-zeroing its clamp would corrupt the stack-pressure record. Abort or finish the test first");
        }
        if (_clamps is not { } clamps)
        {
            return NotAvailable(verb, nameof(IClampCommands));
        }
        var result = reference is { } force
            ? await clamps.CalibrateAsync(channel, force, cancellationToken)
            : await clamps.TareAsync(channel, cancellationToken);
        return CommandReply.From(verb, result);
    }

    // With a zone: that zone's latched fault (a zone that warms no channel too). With a channel: its zone's fault, its
    // device faults and every latched interlock that holds it. With neither: the rig-wide interlocks (e-stop, all-off).
    private async Task<CommandReply> ClearFaultAsync(string? channel, CommandArguments args, CancellationToken cancellationToken)
    {
        string? why = null;
        var device = args.String("device", false, ref why);
        var zone = args.String("zone", false, ref why);
        if (why is null && zone is not null && (channel is not null || device is not null))
        {
            why = "give either 'zone' or 'channel' (with an optional 'device'), not both";
        }
        if (why is null && zone is not null && !_rig.HeaterZones.ContainsKey(zone))
        {
            why = $"unknown heater zone '{zone}' (this rig has: {string.Join(", ", _rig.HeaterZones.Keys)})";
        }
        if (why is null && channel is null && device is not null)
        {
            why = "'device' needs the 'channel' it belongs to";
        }
        if (why is not null)
        {
            return CommandReply.Error("clear-fault", why);
        }
        if (zone is not null)
        {
            return _interlocks is { } zoneClearing
                ? CommandReply.From("clear-fault", zoneClearing.ClearZone(zone))
                : NotAvailable("clear-fault", nameof(InterlockCommands));
        }
        var results = new List<CommandResult>();
        if (channel is not null && _faults is { } faults)
        {
            results.Add(await faults.ClearLatchedFaultAsync(channel, device, cancellationToken));
        }
        if (device is null && _interlocks is { } interlocks)
        {
            results.Add(interlocks.ClearLatched(channel));
        }
        if (results.Count == 0)
        {
            return NotAvailable("clear-fault", nameof(IFaultCommands));
        }
        var accepted = results.Where(r => r.Accepted).ToList();
        return accepted.Count > 0
            ? CommandReply.From("clear-fault", CommandResult.Ok(string.Join("; ", accepted.Select(r => r.Message))))
            : CommandReply.From("clear-fault", results[0]);
    }

    private async Task<CommandReply> AllOffAsync(CommandArguments args, CancellationToken cancellationToken)
    {
        string? why = null;
        var reason = args.String("reason", false, ref why) ?? "operator";
        if (why is not null)
        {
            return CommandReply.Error("all-off", why);
        }
        return _interlocks is { } interlocks
            ? CommandReply.From("all-off", await interlocks.AllOffAsync(reason, cancellationToken))
            : NotAvailable("all-off", nameof(InterlockCommands));
    }

    private CommandReply ListTests()
    {
        var tests = _store.ListTests();
        return new CommandReply(true, "list-tests", $"{tests.Count} tests", Data: w =>
        {
            w.WriteStartArray();
            foreach (var t in tests)
            {
                w.WriteStartObject();
                w.WriteString("test_id", t.TestId);
                w.WriteString("channel", t.ChannelId);
                w.WriteString("protocol", t.Start.ProtocolName);
                w.WriteString("cell", t.Start.Cell.Name);
                w.WriteString("started", t.StartedAt.UtcDateTime);
                w.WriteString("final_state", t.End?.FinalState.ToString().ToLowerInvariant());
                w.WriteNumber("samples", t.SampleCount);
                // Provenance (docs/metrics.md): the build, the instrument, the clamp calibration and the heater gains it ran under.
                w.WriteString("software_version", t.Start.SoftwareVersion);
                w.WriteString("instrument", t.Start.Instrument?.ToString());
                if (t.Start.CalibrationJson is { } calibration)
                {
                    w.WritePropertyName("calibration");
                    w.WriteRawValue(calibration);
                }
                else
                {
                    w.WriteNull("calibration");
                }
                if (t.Start.Heater is { } heater)
                {
                    w.WriteStartObject("heater");
                    w.WriteString("zone", heater.ZoneId);
                    w.WriteNumber("setpoint_degC", heater.SetpointCelsius);
                    w.WriteNumber("kp_per_K", heater.Gains.ProportionalPerKelvin);
                    w.WriteNumber("ki_per_K_s", heater.Gains.IntegralPerKelvinSecond);
                    w.WriteNumber("kd_s_per_K", heater.Gains.DerivativeSecondsPerKelvin);
                    w.WriteString("source", heater.Source);
                    w.WriteEndObject();
                }
                w.WriteEndObject();
            }
            w.WriteEndArray();
        });
    }

    private async Task<CommandReply> ExportAsync(CommandArguments args, CancellationToken cancellationToken)
    {
        string? why = null;
        var testId = args.String("test_id", true, ref why);
        if (why is not null)
        {
            return CommandReply.Error("export", why);
        }
        var directory = Path.Combine(_rig.ResolveStateDirectory(), "exports");
        var files = await new BdfExporter(_store).ExportAsync(testId!, directory, cancellationToken);
        return files is null
            ? CommandReply.Error("export", $"unknown test '{testId}' (list-tests shows the known ones)")
            : new CommandReply(true, "export", $"exported {testId}", testId, w =>
            {
                w.WriteStartArray();
                foreach (var file in files)
                {
                    w.WriteStringValue(file);
                }
                w.WriteEndArray();
            });
    }

    private async Task<CommandReply> Engine(string verb, Func<ITestControl, CancellationToken, Task<CommandResult>> call, CancellationToken cancellationToken) =>
        _control is { } control
            ? CommandReply.From(verb, await call(control, cancellationToken))
            : NotAvailable(verb, nameof(ITestControl));

    private HashSet<string> ChannelsInUse() =>
        _control?.Status()
            .Where(s => s.State is RunState.Running or RunState.Paused)
            .Select(s => s.ChannelId).ToHashSet(StringComparer.Ordinal) ?? [];

    private static CommandReply NotAvailable(string verb, string service) =>
        CommandReply.Error(verb, $"'{verb}' is not available on this rig (no {service} is registered)");
}
