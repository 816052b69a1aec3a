namespace Rig.Drivers.Cells;

/// <summary>
/// The state charge moves in a cell, as plain numbers, so an integrator can try a step and take it back
/// (<see cref="ICellElectrochemistry.Capture"/>/<see cref="ICellElectrochemistry.Restore"/>). What each slot
/// holds is the chemistry's business; a value type so trying a step allocates nothing on the hot path.
/// </summary>
public readonly record struct CellState(double Slot0, double Slot1, double Slot2, double Slot3, int Flags);
