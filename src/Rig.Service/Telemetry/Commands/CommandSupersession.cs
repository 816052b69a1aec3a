using System.Buffers;
using System.Text.Json;

namespace Rig.Service.Telemetry.Commands;

/// <summary>
/// An urgent verb supersedes what was asked before it and has not started: an <c>abort</c> of a channel, every ordinary
/// command naming that channel that arrived before it; an <c>all-off</c>, every ordinary command that arrived before it.
/// Such a command is answered "superseded" and changes nothing (a <c>start</c> queued behind an export must not start a
/// test after the operator aborted the channel). <c>pause</c> supersedes nothing: a queued set-heater or tare still
/// runs. Read-only verbs (<see cref="CommandResources.ReadOnlyVerbs"/>) are never superseded: they change nothing
/// anyway. Arrival order is the intake's (<see cref="MqttConnection.ArrivalOrder"/>), across the urgent and ordinary
/// queues. Thread-safe; bounded by the rig's channels.
/// </summary>
public sealed class CommandSupersession
{
    private readonly IReadOnlySet<string> _channels;
    private readonly Lock _lock = new();
    private readonly Dictionary<string, Superseder> _aborts = new(StringComparer.Ordinal);
    private Superseder? _allOff;

    public CommandSupersession(IEnumerable<string> channels) => _channels = new HashSet<string>(channels, StringComparer.Ordinal);

    /// <summary>Notes an urgent command that arrived <paramref name="order"/>-th (its payload names its channel and reason).</summary>
    public void Arrived(string verb, long order, ReadOnlySequence<byte> payload)
    {
        if (verb is not ("abort" or "all-off"))
        {
            return;
        }
        var (channel, reason) = ChannelAndReason(payload);
        var superseder = new Superseder(verb, order, reason);
        lock (_lock)
        {
            if (verb == "all-off")
            {
                if (_allOff is not { } off || off.Order < order)
                {
                    _allOff = superseder;
                }
            }
            else if (channel is not null && _channels.Contains(channel)
                     && (!_aborts.TryGetValue(channel, out var earlier) || earlier.Order < order))
            {
                _aborts[channel] = superseder; // only the rig's channels: a payload cannot grow this table
            }
        }
    }

    /// <summary>Why the ordinary command <paramref name="verb"/> that arrived <paramref name="order"/>-th must not run now, or null when it may.</summary>
    public string? Supersedes(string verb, long order, ReadOnlySequence<byte> payload)
    {
        if (CommandResources.IsUrgent(verb) || CommandResources.IsReadOnly(verb))
        {
            return null;
        }
        Superseder? by;
        string? channel = null;
        lock (_lock)
        {
            by = _allOff is { } off && off.Order > order ? off : null;
            if (by is null && _aborts.Count > 0 && (channel = ChannelAndReason(payload).Channel) is not null
                && _aborts.TryGetValue(channel, out var abort) && abort.Order > order)
            {
                by = abort;
            }
        }
        if (by is not { } s)
        {
            return null;
        }
        var what = s.Verb == "abort" ? $"an abort of channel {channel}" : "an all-off";
        return $"superseded by {s.Verb} ({s.Reason}): {what} arrived after this command and before it started; it was not run and changed nothing";
    }

    // The payload's top-level "channel" and "reason"; a payload that cannot be read names neither.
    private static (string? Channel, string Reason) ChannelAndReason(ReadOnlySequence<byte> payload)
    {
        string? channel = null;
        string? reason = null;
        try
        {
            var reader = new Utf8JsonReader(payload, new JsonReaderOptions { MaxDepth = 64 });
            if (reader.Read() && reader.TokenType == JsonTokenType.StartObject)
            {
                while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                {
                    var name = reader.GetString();
                    reader.Read();
                    if (reader.TokenType == JsonTokenType.String && name is "channel" or "reason")
                    {
                        var value = reader.GetString();
                        if (name == "channel") { channel = value; } else { reason = value; }
                    }
                    else
                    {
                        reader.Skip();
                    }
                }
            }
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException)
        {
            // unreadable: names nothing (the router refuses it)
        }
        reason = string.IsNullOrWhiteSpace(reason) ? "operator" : reason.Length > 80 ? reason[..80] + "…" : reason;
        return (channel, reason);
    }

    private readonly record struct Superseder(string Verb, long Order, string Reason);
}
