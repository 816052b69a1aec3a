using Rig.Service.Thermal;

namespace Rig.Bench;

/// <summary>
/// Ways to turn one relay experiment into PID gains, compared by the heater bench. The relay switches between 0 and
/// P (the zone's max power), so its square wave has amplitude d = P/2 about its mean; it switches at target and at
/// target - h, so the band's half-width is e = h/2. Åström and Hägglund (1984): the describing function of that relay
/// is N(a) = 4d/(πa)·(√(1-(e/a)²) - i·e/a); the oscillation sits where G = -1/N, which for e > 0 is not the -180° point,
/// and the real-axis estimate is Ku = 4d/(π·√(a²-e²)). Klipper (pid_calibrate.py) uses Ku = 4P/(πa): twice d, no band.
/// </summary>
internal static class TuningRules
{
    public static readonly IReadOnlyList<TuningRule> All =
    [
        new("Klipper Ku, Ziegler-Nichols", (a, _, p) => 4 * p / (Math.PI * a), 0.6, 0.5, 0.125),
        new("A-H Ku, Ziegler-Nichols", (a, e, p) => 4 * (p / 2) / (Math.PI * Math.Sqrt(Math.Max(a * a - e * e, 1e-6))), 0.6, 0.5, 0.125),
        new("A-H Ku, ZN some overshoot", (a, e, p) => 4 * (p / 2) / (Math.PI * Math.Sqrt(Math.Max(a * a - e * e, 1e-6))), 0.33, 0.5, 0.33),
        new("A-H Ku, ZN no overshoot", (a, e, p) => 4 * (p / 2) / (Math.PI * Math.Sqrt(Math.Max(a * a - e * e, 1e-6))), 0.2, 0.5, 0.33),
        new("A-H Ku, Pessen integral", (a, e, p) => 4 * (p / 2) / (Math.PI * Math.Sqrt(Math.Max(a * a - e * e, 1e-6))), 0.7, 0.4, 0.15),
        new("Klipper Ku, Tyreus-Luyben", (a, _, p) => 4 * p / (Math.PI * a), 0.45, 2.2, 1 / 6.3),
        new("A-H Ku, Tyreus-Luyben", (a, e, p) => 4 * (p / 2) / (Math.PI * Math.Sqrt(Math.Max(a * a - e * e, 1e-6))), 0.45, 2.2, 1 / 6.3),
    ];
}

/// <summary>Kp = kp·Ku, Ti = ti·Tu, Td = td·Tu; Ku from the relay amplitude a, band half-width e and max power P.</summary>
internal sealed record TuningRule(string Name, Func<double, double, double, double> UltimateGain, double KpFactor, double TiFactor, double TdFactor)
{
    public PidGains Gains(AutotuneProposal proposal, double maxPower, double hysteresisKelvin)
    {
        var ku = UltimateGain(proposal.AmplitudeKelvin, hysteresisKelvin / 2, maxPower);
        var tu = proposal.UltimatePeriod.TotalSeconds;
        var kp = KpFactor * ku;
        return new PidGains(kp, kp / (TiFactor * tu), kp * TdFactor * tu);
    }
}
