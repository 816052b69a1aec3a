using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Rig.Service.Configuration;
using Rig.Service.Control;
using Rig.Service.Telemetry.Commands;
using UnitsNet;

namespace Rig.Service.Thermal;

/// <summary>
/// The heater-tuning commands (MQTT "cmd/&lt;verb&gt;" and the CLI "heater ..."): autotune-heater, cancel-autotune,
/// accept-gains, reject-gains, set-gains. An autotune swings the block by about ±1 K for half an hour, so it is
/// refused while a channel heated by the zone has a test running or paused, unless "force" is true. Gains are
/// checked against <see cref="GainLimits"/>; accepted gains are saved (see <see cref="HeaterZones"/>) and survive a restart.
/// </summary>
public sealed class HeaterTuningVerbs : ICommandVerbs
{
    private readonly IHeaterZoneControl _zones;
    private readonly RigOptions _rig;
    private readonly IServiceProvider _services;

    public HeaterTuningVerbs(IHeaterZoneControl zones, IOptions<RigOptions> rig, IServiceProvider services)
    {
        ArgumentNullException.ThrowIfNull(rig);
        _zones = zones;
        _rig = rig.Value;
        _services = services;
    }

    public IReadOnlyDictionary<string, string[]> Verbs { get; } = new Dictionary<string, string[]>(StringComparer.Ordinal)
    {
        ["autotune-heater"] = ["zone", "target_degC", "force"],
        ["cancel-autotune"] = ["zone"],
        ["accept-gains"] = ["zone"],
        ["reject-gains"] = ["zone"],
        ["set-gains"] = ["zone", "kp_per_K", "ki_per_K_s", "kd_s_per_K"],
    };

    public Task<CommandReply> HandleAsync(string verb, CommandArguments args, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(args);
        string? why = null;
        var zone = args.String("zone", true, ref why);
        if (why is null && !_rig.HeaterZones.ContainsKey(zone!))
        {
            why = $"unknown heater zone '{zone}' (this rig has: {string.Join(", ", _rig.HeaterZones.Keys)})";
        }
        if (why is not null)
        {
            return Task.FromResult(CommandReply.Error(verb, why));
        }
        return Task.FromResult(verb switch
        {
            "autotune-heater" => Autotune(zone!, args),
            "cancel-autotune" => CommandReply.From(verb, _zones.CancelAutotune(zone!)),
            "accept-gains" => CommandReply.From(verb, _zones.AcceptAutotune(zone!)),
            "reject-gains" => CommandReply.From(verb, _zones.RejectAutotune(zone!)),
            "set-gains" => SetGains(zone!, args),
            _ => CommandReply.Error(verb, "unknown command"),
        });
    }

    private CommandReply Autotune(string zone, CommandArguments args)
    {
        string? why = null;
        var target = args.Number("target_degC", false, ref why);
        var force = args.Boolean("force", ref why) ?? false;
        if (why is null && !force && BusyChannels(zone) is { Count: > 0 } busy)
        {
            why = $"zone '{zone}' heats {string.Join(", ", busy)}, which {(busy.Count == 1 ? "has a test" : "have tests")} in progress: an autotune swings the block by about ±1 K for half an hour. Finish or abort the test, or send \"force\": true";
        }
        if (why is not null)
        {
            return CommandReply.Error("autotune-heater", why);
        }
        return CommandReply.From("autotune-heater", target is { } t
            ? _zones.StartAutotune(zone, Temperature.FromDegreesCelsius(t))
            : _zones.StartAutotune(zone));
    }

    private CommandReply SetGains(string zone, CommandArguments args)
    {
        string? why = null;
        var kp = args.Number("kp_per_K", true, ref why);
        var ki = args.Number("ki_per_K_s", true, ref why);
        var kd = args.Number("kd_s_per_K", true, ref why);
        if (why is null)
        {
            var gains = new PidGains(kp!.Value, ki!.Value, kd!.Value);
            why = GainLimits.Problem(gains);
            if (why is null)
            {
                return CommandReply.From("set-gains", _zones.SetGains(zone, gains));
            }
        }
        return CommandReply.Error("set-gains", why);
    }

    private List<string> BusyChannels(string zone)
    {
        var running = _services.GetService<ITestControl>()?.Status()
            .Where(s => s.State is RunState.Running or RunState.Paused)
            .Select(s => s.ChannelId).ToHashSet(StringComparer.Ordinal) ?? [];
        return [.. _rig.Channels.Where(c => c.Value.HeaterZone == zone && running.Contains(c.Key)).Select(c => c.Key)];
    }
}

/// <summary>
/// The ranges an operator may set gains in (duty fraction per unit error). Wide enough for any block this rig
/// heats (the simulated block tunes to Kp ~0.7/K), narrow enough to catch a unit slip (Klipper's x255 numbers).
/// </summary>
public static class GainLimits
{
    public const double MaxProportionalPerKelvin = 5;
    public const double MaxIntegralPerKelvinSecond = 0.1;
    public const double MaxDerivativeSecondsPerKelvin = 300;

    /// <summary>Null when every gain is in range, else which one and the range.</summary>
    public static string? Problem(PidGains gains)
    {
        ArgumentNullException.ThrowIfNull(gains);
        return Check("kp_per_K", gains.ProportionalPerKelvin, MaxProportionalPerKelvin)
            ?? Check("ki_per_K_s", gains.IntegralPerKelvinSecond, MaxIntegralPerKelvinSecond)
            ?? Check("kd_s_per_K", gains.DerivativeSecondsPerKelvin, MaxDerivativeSecondsPerKelvin);
    }

    private static string? Check(string name, double value, double max) =>
        double.IsFinite(value) && value >= 0 && value <= max ? null
            : string.Create(CultureInfo.InvariantCulture, $"{name} must be between 0 and {max} (was {value}); gains are duty fraction per unit error (Klipper's numbers / 255)");
}
