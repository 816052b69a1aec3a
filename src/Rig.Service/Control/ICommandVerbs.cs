using Rig.Service.Telemetry.Commands;

namespace Rig.Service.Control;

/// <summary>
/// An area's own command verbs, served by <see cref="CommandRouter"/> beside its built-in ones, so an area adds
/// commands in its own files. The router checks the size and the JSON (only the listed properties) before
/// <see cref="HandleAsync"/> is called; the area validates the values and refuses with why, changing nothing.
/// Registered as a DI singleton (several may be). Thread-safe: commands run side by side (Telemetry/Commands/CommandLanes.cs),
/// except that two naming the same "channel", "zone" (with its channels), "test_id" or "file" never overlap and run in
/// arrival order.
/// </summary>
public interface ICommandVerbs
{
    /// <summary>Each verb and the properties its payload may carry.</summary>
    IReadOnlyDictionary<string, string[]> Verbs { get; }

    Task<CommandReply> HandleAsync(string verb, CommandArguments args, CancellationToken cancellationToken);
}
