namespace Rig.Service.Engine.Protocols;

/// <summary>
/// What a step does. The name sets the current's direction (see IPotentiostatChannel's sign convention):
/// half cell (Al on HI) plate = negative, strip = positive; full cell (Al on LO) charge = positive, discharge = negative.
/// </summary>
public enum StepKind
{
    Plate,
    Strip,
    Charge,
    Discharge,
    Hold,
    Rest,
    Sweep,
    /// <summary>An impedance sweep by the channel's analyser, the SMU's output off (high impedance) meanwhile.</summary>
    Impedance,
}

/// <summary>Which half of a cycle a step's charge counts toward: sodium onto Al (charge) or off it (discharge).</summary>
public enum CycleHalf
{
    None,
    Charge,
    Discharge,
}
