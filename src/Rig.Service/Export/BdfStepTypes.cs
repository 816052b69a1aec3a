using Rig.Service.Engine.Protocols;

namespace Rig.Service.Export;

/// <summary>
/// The BDF "Step Type" of a recorded step, in the ontology's common vocabulary (CC_CHG, CC_DCH, CV_CHG, REST...), with
/// "charge" meaning sodium plating onto the Al collector, the direction in which "Current / A" is positive. A CV hold
/// takes the direction of the constant-current step before it (docs/metrics.md); a voltage sweep (LSV) has none.
/// </summary>
public static class BdfStepTypes
{
    public const string ConstantCurrentCharge = "CC_CHG";
    public const string ConstantCurrentDischarge = "CC_DCH";
    public const string ConstantVoltageCharge = "CV_CHG";
    public const string ConstantVoltageDischarge = "CV_DCH";
    public const string Rest = "REST";
    public const string LinearSweep = "LSV";
    public const string Impedance = "EIS";

    /// <summary>The type of a step recorded as <paramref name="kind"/>.</summary>
    /// <param name="kind">The engine's <see cref="StepKind"/> name, as stored with the sample.</param>
    /// <param name="lastConstantCurrentCharged">Whether the last constant-current step before it charged; null if none.</param>
    /// <param name="chargingAmperes">The row's current, positive = charging: a hold with no step before takes its sign.</param>
    public static string For(string kind, bool? lastConstantCurrentCharged, double chargingAmperes) =>
        Enum.TryParse<StepKind>(kind, out var parsed) ? parsed switch
        {
            StepKind.Plate or StepKind.Charge => ConstantCurrentCharge,
            StepKind.Strip or StepKind.Discharge => ConstantCurrentDischarge,
            StepKind.Hold => (lastConstantCurrentCharged ?? chargingAmperes >= 0) ? ConstantVoltageCharge : ConstantVoltageDischarge,
            StepKind.Rest => Rest,
            StepKind.Sweep => LinearSweep,
            StepKind.Impedance => Impedance,
            _ => kind,
        } : kind;

    /// <summary>Whether the type names a charging direction (true), a discharging one (false), or none (null).</summary>
    public static bool? Charging(string stepType) => stepType switch
    {
        ConstantCurrentCharge or ConstantVoltageCharge => true,
        ConstantCurrentDischarge or ConstantVoltageDischarge => false,
        _ => null,
    };
}
