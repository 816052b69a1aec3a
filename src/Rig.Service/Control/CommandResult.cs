namespace Rig.Service.Control;

/// <summary>The outcome of a command: accepted (with an optional id, e.g. the new test's), or refused with why.</summary>
public sealed record CommandResult(bool Accepted, string Message, string? Id = null)
{
    public static CommandResult Ok(string message, string? id = null) => new(true, message, id);

    public static CommandResult Refused(string why) => new(false, why);
}
