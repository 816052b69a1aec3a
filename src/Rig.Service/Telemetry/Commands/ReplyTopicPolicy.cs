namespace Rig.Service.Telemetry.Commands;

/// <summary>
/// Where a command's reply may go. MQTT 5 forbids wildcards in a response topic (§3.3.2.3.5), and a reply must
/// never land in the rig's data (a response topic of ".../ch1/telemetry" would forge a sample), so only the rig's
/// reply subtrees are allowed: <c>&lt;prefix&gt;/&lt;rig&gt;/reply/…</c> (the dashboard's), <c>…/replies</c> and
/// <c>…/replies/…</c>. A command whose response topic is anything else is <b>not executed</b>: it is answered with
/// the refusal on the default reply topic (<c>…/replies</c>), with its correlation data, so the requester still
/// learns why. The shipped broker ACL lets a rig write only these replies besides its own data.
/// </summary>
public sealed class ReplyTopicPolicy
{
    /// <summary>A response topic longer than this is refused (MQTT allows 65,535 bytes; no reply path needs more).</summary>
    public const int MaxLength = 256;

    private readonly TopicTree _topics;

    public ReplyTopicPolicy(TopicTree topics)
    {
        _topics = topics ?? throw new ArgumentNullException(nameof(topics));
    }

    /// <summary>Null when <paramref name="responseTopic"/> (null or empty = none given) is allowed, else why not.</summary>
    public string? Problem(string? responseTopic)
    {
        if (string.IsNullOrEmpty(responseTopic))
        {
            return null;
        }
        if (responseTopic.Length > MaxLength)
        {
            return $"the response topic is longer than {MaxLength} characters; the command was not run";
        }
        if (responseTopic.IndexOfAny(['+', '#']) >= 0)
        {
            return "the response topic contains a wildcard ('+' or '#'), which MQTT 5 forbids there; the command was not run";
        }
        if (responseTopic.Any(char.IsControl))
        {
            return "the response topic contains control characters; the command was not run";
        }
        var root = _topics.Root;
        var allowed = responseTopic == _topics.DefaultReplies
                      || responseTopic.StartsWith($"{_topics.DefaultReplies}/", StringComparison.Ordinal)
                      || responseTopic.StartsWith($"{root}/reply/", StringComparison.Ordinal);
        if (!allowed || responseTopic.EndsWith('/') || responseTopic.Contains("//", StringComparison.Ordinal))
        {
            return $"the response topic must be under {root}/reply/ or {_topics.DefaultReplies}; the command was not run";
        }
        return null;
    }
}
