using Rig.Drivers.Impedance;

namespace Rig.Service.Engine;

/// <summary>
/// An impedance step waiting for its sweep: which test and step, the cycle it follows, and the sweep with its bias
/// resolved (the OCV read as the step started, for an "at OCV" step).
/// </summary>
public sealed record ImpedanceRequest(string TestId, string ChannelId, int Instruction, int Cycle, string StepText, ImpedanceSweep Sweep);
