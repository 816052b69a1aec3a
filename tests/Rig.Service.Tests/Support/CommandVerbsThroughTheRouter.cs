using System.Text;
using Rig.Service.Control;
using Rig.Service.Telemetry.Commands;

namespace Rig.Service.Tests.Support;

/// <summary>An area's verbs as MQTT and the CLI reach them: through the router's own argument parsing first.</summary>
internal static class CommandVerbsThroughTheRouter
{
    /// <summary>The verb's reply, or the router's refusal (naming why) when the payload does not parse.</summary>
    public static async Task<CommandReply> SendAsync(this ICommandVerbs verbs, string verb, string payload)
    {
        var args = CommandArguments.Parse(Encoding.UTF8.GetBytes(payload), verbs.Verbs[verb], out var why);
        return args is null ? CommandReply.Error(verb, why) : await verbs.HandleAsync(verb, args, CancellationToken.None);
    }
}
