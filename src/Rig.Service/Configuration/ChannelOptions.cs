using Rig.Drivers.Cells;
using Rig.Drivers.LoadCells.Simulated;

namespace Rig.Service.Configuration;

/// <summary>One channel: a cell, the clamp it sits in, the heater zone that warms it, the instrument that cycles it.</summary>
public sealed class ChannelOptions
{
    public CellOptions Cell { get; set; } = new();

    public ClampOptions Clamp { get; set; } = new();

    /// <summary>Id of the heater zone in Rig:HeaterZones; empty for a cell at room temperature.</summary>
    public string HeaterZone { get; set; } = "";

    public InstrumentOptions Instrument { get; set; } = new();

    /// <summary>The stack-pressure window the pressure supervisor holds this channel's test in.</summary>
    public PressureWindowOptions Pressure { get; set; } = new();

    /// <summary>Ceilings no protocol on this channel may exceed (unset: the instrument's range).</summary>
    public ChannelLimitsOptions Limits { get; set; } = new();

    /// <summary>The relay that moves the cell's leads between the SMU and the impedance analyser (None: wiring A, in parallel).</summary>
    public LeadSwitchOptions LeadSwitch { get; set; } = new();

    /// <summary>Physics of the simulated cell and clamp, used when the instrument or clamp is Simulated.</summary>
    public ChannelSimulationOptions Simulation { get; set; } = new();
}

/// <summary>The cell on a channel, and the record of how it was built: a number without its conditions is worthless.</summary>
public sealed class CellOptions
{
    public string Name { get; set; } = "";

    /// <summary>Electrode area, cm² (10 mm die: 0.785; 13 mm: 1.327; 4 mm CT cell: 0.126).</summary>
    public double AreaCm2 { get; set; } = 0.785;

    public CellChemistry Chemistry { get; set; } = CellChemistry.AnodeFreeHalfCell;

    public CellBuildRecord Build { get; set; } = new();
}

public enum CellChemistry
{
    /// <summary>Na9Sn4 | NBH | Al: plating/stripping, CCD.</summary>
    AnodeFreeHalfCell,
    /// <summary>NaCrO2 | NBH | Al: anode-free full cell.</summary>
    AnodeFreeFullCell,
}

/// <summary>How the cell was made (paper, Methods): stored with every test.</summary>
public sealed class CellBuildRecord
{
    public string Cathode { get; set; } = "";
    public double? CathodeMassMg { get; set; }
    public string Separator { get; set; } = "";
    public double? SeparatorMassMg { get; set; }
    /// <summary>Thickness of the pressed electrolyte pellet, mm: the L of the ionic conductivity σ = L / (R_bulk·A).</summary>
    public double? SeparatorThicknessMm { get; set; }
    public string CounterElectrode { get; set; } = "";
    public string CurrentCollector { get; set; } = "";
    /// <summary>The die (e.g. "10 mm PEEK, Ti plungers").</summary>
    public string Die { get; set; } = "";
    /// <summary>Pressing sequence (e.g. "NBH 50 mg at 100 MPa, then 370 MPa").</summary>
    public string Pressing { get; set; } = "";
    public string Notes { get; set; } = "";
}

/// <summary>The clamp's load cell.</summary>
public sealed class ClampOptions
{
    public LoadCellKind Kind { get; set; } = LoadCellKind.Simulated;

    /// <summary>The load cell's rated capacity, N: force beyond it is a fault at once.</summary>
    public double RatedForceNewtons { get; set; } = 2000;

    /// <summary>The load cell's rated output at rated force, mV/V (data sheet; typically 2): the span is checked against it.</summary>
    public double RatedOutputMillivoltsPerVolt { get; set; } = 2.0;

    /// <summary>The clamp frame's own force rating, N; 0 when only the load cell's rating applies.</summary>
    public double FrameRatedForceNewtons { get; set; }

    /// <summary>A tare or span is refused while the readings spread or drift more than this, N.</summary>
    public double CalibrationStabilityNewtons { get; set; } = 2;

    /// <summary>How far a span's implied full scale may sit from the rated output, as a fraction.</summary>
    public double FullScaleTolerance { get; set; } = 0.25;

    public Nau7802ClampOptions Nau7802 { get; set; } = new();

    public Hx711ClampOptions Hx711 { get; set; } = new();

    public Ads1115ClampOptions Ads1115 { get; set; } = new();
}

/// <summary>The instrument channel that cycles the cell.</summary>
public sealed class InstrumentOptions
{
    public InstrumentKind Kind { get; set; } = InstrumentKind.Simulated;

    /// <summary>Where it is: "tcp://host:5025", "serial:///dev/ttyUSB0?baud=9600", "usbtmc:///dev/usbtmc0". Empty when simulated.</summary>
    public string Address { get; set; } = "";

    /// <summary>Source channel on a multi-channel instrument (B2902A: 1 or 2).</summary>
    public int SourceChannel { get; set; } = 1;

    /// <summary>4-wire (remote) sense: the cell's voltage is read at the die, not at the instrument's terminals.</summary>
    public bool FourWireSense { get; set; } = true;
}

public enum LoadCellKind
{
    Simulated,
    /// <summary>NAU7802 24-bit bridge ADC on I2C (optionally behind a TCA9548A).</summary>
    Nau7802,
    /// <summary>HX711 24-bit bridge ADC on two GPIO lines.</summary>
    Hx711,
    /// <summary>ADS1115 16-bit ADC on I2C behind an instrumentation amplifier.</summary>
    Ads1115,
}

public enum InstrumentKind
{
    Simulated,
    /// <summary>Keithley 2450 SourceMeter in its SCPI command set (docs/instruments.md).</summary>
    Keithley2450,
    /// <summary>Keithley 2460 SourceMeter in its SCPI command set.</summary>
    Keithley2460,
    /// <summary>Keysight B2901A, one channel.</summary>
    KeysightB2901A,
    /// <summary>Keysight B2902A; Instrument:SourceChannel picks channel 1 or 2.</summary>
    KeysightB2902A,
}

/// <summary>Simulated cell and clamp physics (Rig.Drivers defaults echo the paper).</summary>
public sealed class ChannelSimulationOptions
{
    /// <summary>
    /// A named parameter set for the paper's current collectors and separators (<see cref="CellParameterSets.Names"/>:
    /// AlPellet, AlFoil, CuPellet, TiPellet, Na3PS4AlFoil; full cells AlPellet and AlFoil). When set it replaces
    /// <see cref="HalfCell"/>/<see cref="FullCell"/>, keeping only their StackPressureMegapascals.
    /// </summary>
    public string? ParameterSet { get; set; }

    /// <summary>The half-cell parameters this channel's twin uses (the named set when one is given).</summary>
    public HalfCellParameters EffectiveHalfCell =>
        ParameterSet is { } name && CellParameterSets.HalfCell(name) is { } set
            ? set with { StackPressureMegapascals = HalfCell.StackPressureMegapascals }
            : HalfCell;

    /// <summary>The full-cell parameters this channel's twin uses (the named set when one is given).</summary>
    public FullCellParameters EffectiveFullCell =>
        ParameterSet is { } name && CellParameterSets.FullCell(name) is { } set
            ? set with { StackPressureMegapascals = FullCell.StackPressureMegapascals }
            : FullCell;

    public HalfCellParameters HalfCell { get; set; } = new();
    public FullCellParameters FullCell { get; set; } = new();
    public SimulatedCellNoise Noise { get; set; } = new();
    public SpringClampParameters Clamp { get; set; } = new();
    /// <summary>Seed for the channel's noise, so a simulated run is repeatable.</summary>
    public int Seed { get; set; } = 1;
}
