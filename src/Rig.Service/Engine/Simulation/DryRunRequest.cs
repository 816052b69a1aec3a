using System.Globalization;
using Rig.Service.Configuration;
using Rig.Service.Engine.Protocols;

namespace Rig.Service.Engine.Simulation;

/// <summary>
/// What a dry run was asked (the MQTT verb's fields or the CLI's options), checked and compiled against the channel
/// exactly as "start" compiles it. Shared by <see cref="DryRunVerbs"/> and <see cref="DryRunCommandLine"/> so the two
/// refuse the same things in the same words.
/// </summary>
public sealed record DryRunRequest(string? Preset, string? Protocol, IReadOnlyDictionary<string, string>? Parameters, double? TemperatureCelsius, double? StackPressureMegapascals)
{
    /// <summary>The compiled plan and the conditions to run it at, or why not.</summary>
    public (ProtocolPlan? Plan, DryRunConditions? Conditions, string? Why) Prepare(string channelId, ChannelOptions channel, PresetLibrary presets)
    {
        ArgumentNullException.ThrowIfNull(channel);
        ArgumentNullException.ThrowIfNull(presets);
        if ((Preset is null) == (Protocol is null))
        {
            return (null, null, "give either a preset name or a protocol text, not both or neither");
        }
        if (TemperatureCelsius is { } c && (!double.IsFinite(c) || c < -40 || c > 150))
        {
            return (null, null, $"temperature_degC {c.ToString(CultureInfo.InvariantCulture)} outside -40 to 150 °C");
        }
        if (StackPressureMegapascals is { } p && (!double.IsFinite(p) || p < 0 || p > 500))
        {
            return (null, null, $"stack_pressure_MPa {p.ToString(CultureInfo.InvariantCulture)} outside 0 to 500 MPa");
        }
        var text = Protocol ?? presets.Text(Preset!);
        if (text is null)
        {
            return (null, null, $"no preset '{Preset}' (presets: {string.Join(", ", presets.Names())})");
        }
        ProtocolPlan plan;
        try
        {
            plan = ProtocolCompiler.Compile(text, Parameters);
        }
        catch (ProtocolException ex)
        {
            return (null, null, ex.Message);
        }
        var chemistry = channel.Cell.Chemistry;
        if (plan.Chemistry is { } wanted && wanted != chemistry)
        {
            return (null, null, $"protocol '{plan.Name}' is for a {wanted}; channel {channelId} holds a {chemistry} (Rig:Channels:{channelId}:Cell:Chemistry)");
        }
        var conditions = DryRunner.ConditionsOf(plan);
        return (plan, new DryRunConditions(TemperatureCelsius ?? conditions.TemperatureCelsius, StackPressureMegapascals ?? conditions.StackPressureMegapascals), null);
    }
}
