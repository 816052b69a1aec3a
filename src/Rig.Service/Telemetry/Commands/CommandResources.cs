using System.Buffers;
using System.Text.Json;
using Rig.Service.Configuration;

namespace Rig.Service.Telemetry.Commands;

/// <summary>
/// Which lane a command takes and what it touches, read before it is validated (<see cref="CommandLanes"/>).
/// Urgent verbs (abort, pause, all-off) take their own lane: they never wait behind another command, nor for a
/// place in the ordinary queue. The resources are the payload's top-level "channel", "zone", "test_id" and "file";
/// a zone counts with every channel it heats (a set-point change checks those channels are idle, so it must not
/// overlap a command that starts one). A payload that cannot be read names nothing: the router refuses it at once.
/// </summary>
public sealed class CommandResources
{
    /// <summary>Verbs that make a channel or the rig safe: served on arrival, never queued behind anything.</summary>
    public static readonly IReadOnlySet<string> UrgentVerbs = new HashSet<string>(["abort", "pause", "all-off"], StringComparer.Ordinal);

    /// <summary>Verbs that read or compute a whole test (disk and CPU the control loops also need): a few at a time.</summary>
    public static readonly IReadOnlySet<string> HeavyVerbs =
        new HashSet<string>(["export", "analyze", "replay", "calibrate-twin", "dry-run"], StringComparer.Ordinal);

    /// <summary>
    /// Verbs that read, compute or write files but touch no output, heater, clamp or test: never superseded by an abort
    /// or all-off (<see cref="CommandSupersession"/>).
    /// </summary>
    public static readonly IReadOnlySet<string> ReadOnlyVerbs = new HashSet<string>(
        ["list-tests", "export", "export-zip", "analyze", "replay", "dry-run", "dry-run-cancel", "calibrate-twin"], StringComparer.Ordinal);

    private readonly RigOptions _rig;
    private readonly int _maxPayloadBytes;

    public CommandResources(RigOptions rig, int maxPayloadBytes)
    {
        ArgumentNullException.ThrowIfNull(rig);
        _rig = rig;
        _maxPayloadBytes = maxPayloadBytes;
    }

    public static bool IsUrgent(string verb) => UrgentVerbs.Contains(verb);

    public static bool IsHeavy(string verb) => HeavyVerbs.Contains(verb);

    public static bool IsReadOnly(string verb) => ReadOnlyVerbs.Contains(verb);

    /// <summary>The resources the command names ("channel/ch1", "zone/zone-a", "test/…", "file/…").</summary>
    public IReadOnlyCollection<string> Of(ReadOnlySequence<byte> payload)
    {
        if (payload.Length == 0 || payload.Length > _maxPayloadBytes)
        {
            return [];
        }
        var found = new HashSet<string>(StringComparer.Ordinal);
        try
        {
            var reader = new Utf8JsonReader(payload, new JsonReaderOptions { MaxDepth = 64 });
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return [];
            }
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var name = reader.GetString();
                reader.Read();
                if (reader.TokenType == JsonTokenType.String)
                {
                    Add(found, name, reader.GetString()!);
                }
                else
                {
                    reader.Skip();
                }
            }
        }
        catch (JsonException)
        {
            return []; // malformed: refused by the router without touching anything
        }
        catch (InvalidOperationException)
        {
            return [];
        }
        return found;
    }

    private void Add(HashSet<string> found, string? name, string value)
    {
        switch (name)
        {
            case "channel":
                found.Add("channel/" + value);
                break;
            case "zone":
                found.Add("zone/" + value);
                foreach (var (channel, options) in _rig.Channels)
                {
                    if (string.Equals(options.HeaterZone, value, StringComparison.Ordinal))
                    {
                        found.Add("channel/" + channel);
                    }
                }
                break;
            case "test_id":
                found.Add("test/" + value);
                break;
            case "file":
                found.Add("file/" + value);
                break;
        }
    }
}
