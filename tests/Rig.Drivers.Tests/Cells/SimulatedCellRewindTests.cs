using Rig.Drivers.Cells;
using UnitsNet;

namespace Rig.Drivers.Tests.Cells;

/// <summary>A dry run looks ahead over a coarse period and goes back to approach a step's end in finer samples.</summary>
public class SimulatedCellRewindTests
{
    [Fact]
    public void A_rewound_cell_takes_the_same_path_again_state_ledger_and_all()
    {
        var time = new RewindableClock();
        var cell = new SimulatedCell(new AnodeFreeFullCell(CellHarness.AreaCm2, new FullCellParameters()), time,
            () => Temperature.FromDegreesCelsius(40), new SimulatedCellNoise { VoltageVolts = 0, CurrentRelative = 0 }, maxStep: TimeSpan.FromSeconds(10));
        cell.Apply(CellDrive.ConstantCurrent(0.785e-3, 3.8));
        time.Advance(TimeSpan.FromHours(1));
        cell.Apply(CellDrive.ConstantVoltage(3.5, 5e-3));
        time.Advance(TimeSpan.FromSeconds(30));
        var mark = cell.Mark();
        var markedAt = time.GetUtcNow();

        time.Advance(TimeSpan.FromMinutes(20));
        var first = cell.Read();
        var firstCharge = cell.Ledger.PositiveAmpereSeconds;
        var firstPlated = cell.PlatedSodium;

        cell.Rewind(mark);
        time.Now = markedAt;
        Assert.True(cell.Ledger.PositiveAmpereSeconds < firstCharge);
        time.Advance(TimeSpan.FromMinutes(20));
        var again = cell.Read();

        Assert.Equal(first.CurrentAmperes, again.CurrentAmperes, 15);
        Assert.Equal(firstCharge, cell.Ledger.PositiveAmpereSeconds, 12);
        Assert.Equal(firstPlated, cell.PlatedSodium);
    }

    private sealed class RewindableClock : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

        public override DateTimeOffset GetUtcNow() => Now;

        public void Advance(TimeSpan by) => Now += by;
    }
}
