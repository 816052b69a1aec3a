using MQTTnet;
using MQTTnet.Packets;

namespace Rig.Service.Telemetry.Commands;

/// <summary>
/// A token bucket per client (<see cref="ClientOf"/>): <see cref="MqttOptions.CommandRatePerSecond"/> commands per
/// second on average, <see cref="MqttOptions.CommandBurst"/> at once. A command over the limit is not queued: it is
/// answered "rate limited, retry in N s" on the busy responder's loop, so one flooding client can neither fill the
/// command queue for the others nor make the rig run its commands. Urgent verbs are never limited. At most
/// <see cref="MaxClients"/> buckets are kept: a client beyond them shares one bucket with every other such client
/// (inventing client names cannot buy more commands than that). Called only from MQTTnet's receive handler, one
/// message at a time, but locked anyway: the state is small.
/// </summary>
public sealed class CommandRateLimiter
{
    /// <summary>Clients with a bucket of their own; further clients share <see cref="OverflowClient"/>.</summary>
    public const int MaxClients = 256;

    /// <summary>The MQTT 5 user property a client may name itself with (the dashboard and the CLI set it).</summary>
    public const string ClientProperty = "client";

    public const string OverflowClient = "(other clients)";
    public const string UnnamedClient = "(unnamed)";

    /// <summary>Verbs that stop or make safe: never limited, never refused as stale (the urgent lane's verbs).</summary>
    public static bool IsUrgent(string verb) => CommandResources.IsUrgent(verb);

    private readonly double _ratePerSecond;
    private readonly double _burst;
    private readonly TimeProvider _time;
    private readonly Dictionary<string, Bucket> _buckets = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();

    public CommandRateLimiter(double ratePerSecond, int burst, TimeProvider time)
    {
        _ratePerSecond = ratePerSecond;
        _burst = Math.Max(1, burst);
        _time = time ?? throw new ArgumentNullException(nameof(time));
    }

    /// <summary>
    /// Who sent <paramref name="message"/>, as far as the service can tell: MQTT does not tell a subscriber the
    /// publisher, so this is the user property "client" when given, else the requester's part of a
    /// "&lt;rig&gt;/reply/&lt;who&gt;/…" response topic, else "(unnamed)". A name is bounded and printable.
    /// </summary>
    public static string ClientOf(MqttApplicationMessage message, string replyRoot)
    {
        ArgumentNullException.ThrowIfNull(message);
        var named = UserProperty(message, ClientProperty);
        if (Usable(named))
        {
            return named!;
        }
        var topic = message.ResponseTopic;
        if (topic is not null && topic.StartsWith(replyRoot, StringComparison.Ordinal))
        {
            var rest = topic.AsSpan(replyRoot.Length);
            var end = rest.IndexOf('/');
            var who = (end < 0 ? rest : rest[..end]).ToString();
            if (Usable(who))
            {
                return who;
            }
        }
        return UnnamedClient;
    }

    /// <summary>The first user property called <paramref name="name"/> as text; null when absent or over 256 bytes (never decoded then).</summary>
    internal static string? UserProperty(MqttApplicationMessage message, string name)
    {
        var property = message.UserProperties?.FirstOrDefault(p => p.Name == name);
        return property is null || property.ValueBuffer.Length > 256 ? null : property.ReadValueAsString();
    }

    private static bool Usable(string? name) => name is { Length: > 0 and <= 64 } && !name.Any(char.IsControl);

    /// <summary>Null when <paramref name="client"/> may send <paramref name="verb"/> now (a token is taken), else how long until it may.</summary>
    public TimeSpan? TryTake(string client, string verb)
    {
        if (_ratePerSecond <= 0 || IsUrgent(verb))
        {
            return null;
        }
        var now = _time.GetTimestamp();
        lock (_gate)
        {
            if (!_buckets.TryGetValue(client, out var bucket))
            {
                if (_buckets.Count >= MaxClients)
                {
                    Forget(now);
                }
                var key = _buckets.Count >= MaxClients ? OverflowClient : client;
                if (!_buckets.TryGetValue(key, out bucket))
                {
                    bucket = new Bucket { Tokens = _burst, At = now };
                    _buckets[key] = bucket;
                }
            }
            bucket.Tokens = Math.Min(_burst, bucket.Tokens + _time.GetElapsedTime(bucket.At, now).TotalSeconds * _ratePerSecond);
            bucket.At = now;
            if (bucket.Tokens >= 1)
            {
                bucket.Tokens -= 1;
                return null;
            }
            return TimeSpan.FromSeconds((1 - bucket.Tokens) / _ratePerSecond);
        }
    }

    // A full bucket holds no memory of its client: dropping it changes nothing.
    private void Forget(long now)
    {
        foreach (var (client, bucket) in _buckets.ToList())
        {
            if (client != OverflowClient && bucket.Tokens + _time.GetElapsedTime(bucket.At, now).TotalSeconds * _ratePerSecond >= _burst)
            {
                _buckets.Remove(client);
            }
        }
    }

    private sealed class Bucket
    {
        public double Tokens;
        public long At;
    }
}
