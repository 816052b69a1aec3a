using Rig.Service.Configuration;
using Rig.Service.Engine.Protocols;

namespace Rig.Service.Tests.Engine;

/// <summary>The cells each shipped preset is offered for (the rig's info, the dashboard's preset list).</summary>
public sealed class PresetCellsTests
{
    private readonly PresetLibrary _presets = new();

    [Theory]
    [InlineData("plating-stripping-1mAh", CellChemistry.AnodeFreeHalfCell)]
    [InlineData("ccd-ramp", CellChemistry.AnodeFreeHalfCell)]
    [InlineData("anode-free-full-cell", CellChemistry.AnodeFreeFullCell)]
    [InlineData("full-cell-rate", CellChemistry.AnodeFreeFullCell)]
    public void A_preset_for_one_cell_is_offered_for_that_cell_only(string preset, CellChemistry cell) =>
        Assert.Equal([cell], PresetCells.Of(_presets, preset));

    [Theory]
    [InlineData("lsv")]
    [InlineData("dc-polarization")]
    public void A_preset_of_rests_holds_and_sweeps_fits_either_cell(string preset) =>
        Assert.Equal(Enum.GetValues<CellChemistry>(), PresetCells.Of(_presets, preset));

    [Fact]
    public void Every_shipped_preset_fits_some_cell_and_an_unknown_one_none()
    {
        Assert.All(_presets.Names(), name => Assert.NotEmpty(PresetCells.Of(_presets, name)!));
        Assert.Null(PresetCells.Of(_presets, "no-such-preset"));
    }
}
