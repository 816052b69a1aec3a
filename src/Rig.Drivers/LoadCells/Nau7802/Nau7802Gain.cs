namespace Rig.Drivers.LoadCells.Nau7802;

/// <summary>PGA gain, CTRL1 GAINS b2:0. A 2 mV/V load cell on a 3.3 V reference wants x128 (full scale ±12.9 mV).</summary>
public enum Nau7802Gain : byte
{
    X1 = 0b000,
    X2 = 0b001,
    X4 = 0b010,
    X8 = 0b011,
    X16 = 0b100,
    X32 = 0b101,
    X64 = 0b110,
    X128 = 0b111,
}
