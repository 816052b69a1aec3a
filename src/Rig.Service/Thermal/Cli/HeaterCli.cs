using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using Microsoft.Extensions.Configuration;
using Rig.Files;
using Rig.Service.CommandLine;
using Rig.Service.Configuration;
using Rig.Service.Telemetry;

namespace Rig.Service.Thermal.Cli;

/// <summary>
/// <c>heater status|autotune|cancel|accept|reject|set-gains &lt;zone&gt; ...</c>: the heater-tuning commands sent to the
/// running service over MQTT (it owns the heater; this process never touches hardware or state). Login with
/// <c>--user NAME --password-file FILE</c> (an account that may publish commands; none for the embedded broker).
/// Exit 0 when the service accepted, 2 when it refused (the reason printed), 69 when no service answered.
/// </summary>
public static class HeaterCli
{
    /// <summary>EX_UNAVAILABLE (sysexits.h): no broker, or no service answering on it.</summary>
    public const int Unavailable = 69;

    public const string Usage = "heater status|autotune|cancel|accept|reject|set-gains <zone> [target_degC] [--force] | set-gains <zone> <kp> <ki> <kd> [--user NAME --password-file FILE]";

    public static async Task<int> RunAsync(string[] args, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(args);
        var words = new List<string>();
        string? user = null, passwordFile = null;
        var force = false;
        for (var i = 1; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--user" when i + 1 < args.Length: user = args[++i]; break;
                case "--password-file" when i + 1 < args.Length: passwordFile = args[++i]; break;
                case "--force": force = true; break;
                default:
                    if (args[i].StartsWith("--", StringComparison.Ordinal) && args[i].Contains(':', StringComparison.Ordinal))
                    {
                        i += args[i].Contains('=', StringComparison.Ordinal) ? 0 : 1; // a configuration override (--Mqtt:Port 1884)
                        break;
                    }
                    words.Add(args[i]);
                    break;
            }
        }
        if (words.Count < 2 || Request(words, force) is not { } request)
        {
            await Console.Error.WriteLineAsync($"usage: {Usage}");
            return ExitCodes.Usage;
        }
        var mqtt = configuration.GetSection(MqttOptions.SectionName).Get<MqttOptions>() ?? new MqttOptions();
        var rigId = configuration[$"{RigOptions.SectionName}:{nameof(RigOptions.Id)}"] ?? new RigOptions().Id;
        var timeout = TimeSpan.FromSeconds(10);
        try
        {
            var password = passwordFile is null ? null : ReadPassword(passwordFile);
            if (passwordFile is not null && password is null)
            {
                return ExitCodes.ConfigurationError;
            }
            await using var client = await RigCommandClient.ConnectAsync(mqtt, rigId, user is null ? null : (user, password), timeout, CancellationToken.None);
            if (request.Verb is null)
            {
                var state = await client.ReadRetainedAsync(client.Topics.ZoneState(words[1]), CancellationToken.None);
                if (state is null)
                {
                    await Console.Error.WriteLineAsync($"no state for zone '{words[1]}' on {client.Topics.ZoneState(words[1])} within {timeout.TotalSeconds:0} s: is the service running, and the zone's name right?");
                    return Unavailable;
                }
                Console.WriteLine(Describe(state.Value));
                return ExitCodes.Ok;
            }
            var reply = await client.SendAsync(request.Verb, request.Payload, CancellationToken.None);
            if (reply is not { } answer)
            {
                await Console.Error.WriteLineAsync($"no reply to '{request.Verb}' within {timeout.TotalSeconds:0} s: is the service running on this broker, and may this login publish commands?");
                return Unavailable;
            }
            var ok = answer.GetProperty("ok").GetBoolean();
            (ok ? Console.Out : Console.Error).WriteLine($"{(ok ? "ok" : "refused")}: {answer.GetProperty("message").GetString()}");
            return ok ? ExitCodes.Ok : ExitCodes.VerbRefused;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or InvalidOperationException or MQTTnet.Exceptions.MqttCommunicationException or OperationCanceledException or System.Net.Sockets.SocketException)
        {
            await Console.Error.WriteLineAsync($"could not reach the service's broker: {ex.Message}");
            return Unavailable;
        }
    }

    // Bounded like the service's Mqtt:PasswordFile: a FIFO or /dev/zero is refused at once, naming the option.
    private static string? ReadPassword(string passwordFile)
    {
        try
        {
            return BoundedFile.ReadAllText(passwordFile, MqttOptions.MaxPasswordFileBytes).TrimEnd('\r', '\n');
        }
        catch (Exception ex) when (ex is InvalidDataException or IOException or UnauthorizedAccessException)
        {
            Console.Error.WriteLine($"--password-file: cannot be read as a password file: {ex.Message}");
            return null;
        }
    }

    /// <summary>The verb and JSON payload for the words after "heater"; verb null for status; null when malformed.</summary>
    public static (string? Verb, string Payload)? Request(IReadOnlyList<string> words, bool force)
    {
        ArgumentNullException.ThrowIfNull(words);
        // a JSON string without reflection (a trimmed publish keeps it): quotes, backslashes and controls escaped
        var zone = $"\"{JsonEncodedText.Encode(words[1], JavaScriptEncoder.UnsafeRelaxedJsonEscaping)}\"";
        static bool Number(string text, out double value) => double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out value) && double.IsFinite(value);
        return words[0] switch
        {
            "status" when words.Count == 2 => (null, ""),
            "autotune" when words.Count == 2 => ("autotune-heater", $$"""{"zone":{{zone}}{{(force ? ",\"force\":true" : "")}}}"""),
            "autotune" when words.Count == 3 && Number(words[2], out var target) =>
                ("autotune-heater", string.Create(CultureInfo.InvariantCulture, $$"""{"zone":{{zone}},"target_degC":{{target}}{{(force ? ",\"force\":true" : "")}}}""")),
            "cancel" when words.Count == 2 => ("cancel-autotune", $$"""{"zone":{{zone}}}"""),
            "accept" when words.Count == 2 => ("accept-gains", $$"""{"zone":{{zone}}}"""),
            "reject" when words.Count == 2 => ("reject-gains", $$"""{"zone":{{zone}}}"""),
            "set-gains" when words.Count == 5 && Number(words[2], out var kp) && Number(words[3], out var ki) && Number(words[4], out var kd) =>
                ("set-gains", string.Create(CultureInfo.InvariantCulture, $$"""{"zone":{{zone}},"kp_per_K":{{kp}},"ki_per_K_s":{{ki}},"kd_s_per_K":{{kd}}}""")),
            _ => null,
        };
    }

    private static string Describe(JsonElement state)
    {
        var gains = state.GetProperty("gains");
        var text = string.Create(CultureInfo.InvariantCulture,
            $"zone {state.GetProperty("zone").GetString()}: {state.GetProperty("mode").GetString()}, {(state.TryGetProperty("temperature_degC", out var t) && t.ValueKind == JsonValueKind.Number ? $"{t.GetDouble():0.00} °C" : "no reading")}, set-point {state.GetProperty("setpoint_degC").GetDouble():0.##} °C, duty {state.GetProperty("heater_duty").GetDouble():0.###}, gains Kp {gains.GetProperty("kp_per_K").GetDouble()} Ki {gains.GetProperty("ki_per_K_s").GetDouble()} Kd {gains.GetProperty("kd_s_per_K").GetDouble()}");
        if (state.TryGetProperty("autotune", out var tune))
        {
            text += string.Create(CultureInfo.InvariantCulture, $"; autotune around {tune.GetProperty("target_degC").GetDouble():0.#} °C, peak {tune.GetProperty("peaks").GetInt32()} of {tune.GetProperty("peaks_wanted").GetInt32()}");
        }
        if (state.TryGetProperty("proposal", out var proposal))
        {
            var g = proposal.GetProperty("gains");
            text += string.Create(CultureInfo.InvariantCulture, $"; proposal Kp {g.GetProperty("kp_per_K").GetDouble():0.####} Ki {g.GetProperty("ki_per_K_s").GetDouble():0.######} Kd {g.GetProperty("kd_s_per_K").GetDouble():0.###} (accept or reject)");
        }
        if (state.TryGetProperty("fault", out var fault))
        {
            text += $"; FAULT {fault.GetProperty("kind").GetString()}: {fault.GetProperty("message").GetString()}";
        }
        return text;
    }
}
