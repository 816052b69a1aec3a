using Rig.Service.Configuration;

namespace Rig.Service.Engine.Protocols;

/// <summary>
/// Which cells a protocol can run on, as <see cref="ProtocolFit"/> decides at start: the protocol's own "cell" when
/// it names one, else its steps (Plate/Strip need the half-cell wiring, Charge/Discharge the full cell's); a protocol
/// of rests, holds and sweeps fits either. Published in the rig's info so a dashboard offers a channel only the presets
/// its cell can run, instead of the service refusing them after the click.
/// </summary>
public static class PresetCells
{
    public static IReadOnlyList<CellChemistry> Of(ProtocolPlan plan)
    {
        ArgumentNullException.ThrowIfNull(plan);
        if (plan.Chemistry is { } named)
        {
            return [named];
        }
        var kinds = plan.Instructions.Select(i => i.Step?.Kind).OfType<StepKind>().ToHashSet();
        var half = kinds.Overlaps([StepKind.Plate, StepKind.Strip]);
        var full = kinds.Overlaps([StepKind.Charge, StepKind.Discharge]);
        return (half, full) switch
        {
            (true, true) => [],
            (true, false) => [CellChemistry.AnodeFreeHalfCell],
            (false, true) => [CellChemistry.AnodeFreeFullCell],
            _ => Enum.GetValues<CellChemistry>(),
        };
    }

    /// <summary>The cells a shipped preset fits with its default parameters; null when it does not compile.</summary>
    public static IReadOnlyList<CellChemistry>? Of(PresetLibrary presets, string name)
    {
        ArgumentNullException.ThrowIfNull(presets);
        try
        {
            return presets.Text(name) is { } text ? Of(ProtocolCompiler.Compile(text)) : null;
        }
        catch (ProtocolException)
        {
            return null;
        }
    }
}
