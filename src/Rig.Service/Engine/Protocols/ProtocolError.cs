namespace Rig.Service.Engine.Protocols;

/// <summary>One thing wrong with a protocol: where (e.g. "steps[2].steps[1]"), the text there, and what is wrong.</summary>
public sealed record ProtocolError(string Location, string Text, string Problem)
{
    public override string ToString() =>
        Text.Length > 0 ? $"{Location} \"{Text}\": {Problem}" : $"{Location}: {Problem}";
}

/// <summary>A protocol that cannot run; thrown before anything touches a cell. Lists every error found.</summary>
public sealed class ProtocolException : Exception
{
    public ProtocolException(IReadOnlyList<ProtocolError> errors)
        : base("Protocol rejected: " + string.Join("; ", errors))
    {
        Errors = errors;
    }

    public ProtocolException()
        : this([])
    {
    }

    public ProtocolException(string message)
        : this([new ProtocolError("protocol", "", message)])
    {
    }

    public ProtocolException(string message, Exception innerException)
        : base(message, innerException)
    {
        Errors = [new ProtocolError("protocol", "", message)];
    }

    public IReadOnlyList<ProtocolError> Errors { get; }
}
