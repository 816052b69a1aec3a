using Rig.Drivers.Impedance;
using Rig.Drivers.Impedance.Fitting;
using Rig.Service.Engine;

namespace Rig.Service.Impedance;

/// <summary>One impedance step's outcome: the spectrum, its fit (or why there is none) and the ionic conductivity.</summary>
public sealed record MeasuredSpectrum(
    ImpedanceRequest Request,
    string Analyzer,
    ImpedanceSpectrum Spectrum,
    ImpedanceFit? Fit,
    string? FitProblem,
    ConductivityEstimate? IonicConductivity);
