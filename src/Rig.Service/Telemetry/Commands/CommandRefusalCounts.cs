namespace Rig.Service.Telemetry.Commands;

/// <summary>
/// How many commands were refused for one reason (rate limited, stale) since start, in total and per client
/// (<see cref="CommandRateLimiter.ClientOf"/>), for the retained "health" message. Bounded: at most
/// <see cref="MaxClients"/> clients are named; a new client beyond them takes the place of the least-counted one, whose
/// count moves to <see cref="OtherClients"/>, so the sum stays exact and a client rotating invented names can neither
/// grow the table nor push out a client refused more often than each of its names.
/// </summary>
public sealed class CommandRefusalCounts
{
    /// <summary>Clients counted by name.</summary>
    public const int MaxClients = 32;

    /// <summary>Where the counts of clients no longer named go.</summary>
    public const string OtherClients = "(other clients)";

    private readonly Dictionary<string, long> _byClient = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();
    private long _total;

    /// <summary>Commands refused since start.</summary>
    public long Total => Interlocked.Read(ref _total);

    /// <summary>Counts one refusal of <paramref name="client"/>'s; returns the new total.</summary>
    public long Add(string client)
    {
        ArgumentNullException.ThrowIfNull(client);
        lock (_gate)
        {
            if (_byClient.TryGetValue(client, out var count))
            {
                _byClient[client] = count + 1;
            }
            else
            {
                if (_byClient.Count(c => c.Key != OtherClients) >= MaxClients)
                {
                    var least = _byClient.Where(c => c.Key != OtherClients).MinBy(c => c.Value);
                    _byClient.Remove(least.Key);
                    _byClient[OtherClients] = _byClient.GetValueOrDefault(OtherClients) + least.Value;
                }
                _byClient[client] = _byClient.GetValueOrDefault(client) + 1;
            }
            return Interlocked.Increment(ref _total);
        }
    }

    /// <summary>The counts by client, most refused first.</summary>
    public IReadOnlyList<KeyValuePair<string, long>> ByClient()
    {
        lock (_gate)
        {
            return [.. _byClient.OrderByDescending(c => c.Value).ThenBy(c => c.Key, StringComparer.Ordinal)];
        }
    }
}
