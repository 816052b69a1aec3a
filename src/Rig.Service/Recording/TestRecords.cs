using Rig.Service.Configuration;
using Rig.Service.Control;

namespace Rig.Service.Recording;

/// <summary>
/// The start document of a test (Bluesky's idea): everything needed to interpret its data later, stored with it.
/// <see cref="Heater"/> is the channel's heater zone's set-point and gains at the start (null without a zone);
/// <see cref="SoftwareVersion"/> the build with its source commit, <see cref="CalibrationJson"/> the clamp calibration
/// in force (<see cref="ClampCalibrationRecord"/>), <see cref="Instrument"/> the instrument's *IDN? answer
/// (<see cref="TestProvenance"/>).
/// </summary>
public sealed record TestStartRecord(
    string TestId,
    string RigId,
    string ChannelId,
    DateTimeOffset StartedAt,
    CellOptions Cell,
    string ProtocolName,
    string ProtocolText,
    IReadOnlyDictionary<string, string> Parameters,
    string SoftwareVersion,
    string? CalibrationJson,
    string? Operator,
    string? Notes,
    HeaterProvenance? Heater = null,
    Rig.Drivers.Potentiostats.InstrumentIdentity? Instrument = null);

/// <summary>One recorded sample in a test. Currents in A (positive = out of HI), capacities in Ah, pressure in Pa.</summary>
public sealed record TestSampleRecord(
    string TestId,
    string ChannelId,
    DateTimeOffset Timestamp,
    double TestTimeSeconds,
    double StepTimeSeconds,
    int Cycle,
    int StepIndex,
    string StepType,
    double VoltageVolts,
    double CurrentAmperes,
    double StepCapacityAmpHours,
    double ChargeCapacityAmpHours,
    double DischargeCapacityAmpHours,
    double? ForceNewtons,
    double? StackPressurePascals,
    double? TemperatureCelsius,
    bool StepEnd);

/// <summary>
/// One closed cycle. "Charge" is the half of the cycle that plates sodium on Al (half cell: plate; full cell:
/// charge); "Discharge" strips it (half cell: strip; full cell: discharge). Capacities in mAh and mAh/cm².
/// </summary>
public sealed record CycleSummary(
    string TestId,
    string ChannelId,
    int Cycle,
    DateTimeOffset ClosedAt,
    double ChargeCapacityMilliampHours,
    double DischargeCapacityMilliampHours,
    double ChargeArealCapacityMilliampHoursPerSquareCentimetre,
    double DischargeArealCapacityMilliampHoursPerSquareCentimetre,
    double CoulombicEfficiency,
    double ChargeEnergyMilliwattHours,
    double DischargeEnergyMilliwattHours,
    double EnergyEfficiency,
    double MeanChargeVoltageVolts,
    double MeanDischargeVoltageVolts,
    double CvHoldCapacityMilliampHours,
    double CvHoldSeconds,
    double? MeanStackPressureMegapascals,
    double? MeanTemperatureCelsius,
    double? CapacityRetention);

/// <summary>The stop document: how the test ended, and its test-level metrics.</summary>
public sealed record TestEndRecord(
    string TestId,
    string ChannelId,
    DateTimeOffset EndedAt,
    RunState FinalState,
    string Reason,
    double? InitialCoulombicEfficiency,
    double? AverageCoulombicEfficiency,
    int? CyclesTo80PercentRetention,
    int? CyclesTo70PercentRetention,
    double? CriticalCurrentDensityMilliampsPerSquareCentimetre,
    ElectronicConductivityResult? ElectronicConductivity = null);

/// <summary>
/// The DC polarization's result (paper, Methods): the current at the end of the "report electronic conductivity" hold,
/// the voltage measured with it, and σ_e = |I|·L / (V·A) in S/cm with the pellet thickness L from the cell's build
/// record (Cell:Build:SeparatorThicknessMm) and A the cell area (Cell:AreaCm2); null when the build records no thickness.
/// </summary>
public sealed record ElectronicConductivityResult(
    double? SiemensPerCentimetre,
    double CurrentAmperes,
    double VoltageVolts,
    double HeldSeconds,
    double? ThicknessCentimetres,
    double AreaSquareCentimetres);
