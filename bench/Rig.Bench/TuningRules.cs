using Rig.Service.Thermal;

namespace Rig.Bench;

/// <summary>
/// Ways to turn one relay experiment into PID gains, compared by the heater bench. The relay switches between 0 and
/// P (the zone's max power), so its square wave has amplitude d = P/2 about its mean; it switches at target and at
/// target - h, so the band's half-width is e = h/2. Åström and Hägglund (1984): the describing function of that relay
/// is N(a) = 4d/(πa)·(√(1-(e/a)²) - i·e/a); the oscillation sits where G = -1/N, which for e > 0 is not the -180° point,
/// and the real-axis estimate is Ku = 4d/(π·√(a²-e²)). Klipper (pid_calibrate.py) uses Ku = 4P/(πa): twice d, no band.
/// The SIMC rules (Skogestad 2003) use the same cycle read as an integrator with dead time (k, θ;
/// <see cref="IntegratingProcess"/>): PI Kc = 1/(k(τc+θ)), Ti = 4(τc+θ); the model has a lag τ too (the probe): a PI
/// adds τ/2 to θ (the half rule), a PID cancels it with Td = τ in series form.
/// </summary>
internal static class TuningRules
{
    public static readonly IReadOnlyList<TuningRule> All =
    [
        FromUltimate("Klipper Ku, Ziegler-Nichols", Klipper, 0.6, 0.5, 0.125),
        FromUltimate("A-H Ku, Ziegler-Nichols", AstromHagglund, 0.6, 0.5, 0.125),
        FromUltimate("A-H Ku, ZN some overshoot", AstromHagglund, 0.33, 0.5, 0.33),
        FromUltimate("A-H Ku, ZN no overshoot", AstromHagglund, 0.2, 0.5, 0.33),
        FromUltimate("A-H Ku, Pessen integral", AstromHagglund, 0.7, 0.4, 0.15),
        FromUltimate("Klipper Ku, Tyreus-Luyben", Klipper, 0.45, 2.2, 1 / 6.3),
        FromUltimate("A-H Ku, Tyreus-Luyben", AstromHagglund, 0.45, 2.2, 1 / 6.3),
        Simc("SIMC PI, tc = theta", 1, pid: false),
        Simc("SIMC PI, tc = 2 theta", 2, pid: false),
        Simc("SIMC PID, tc = theta", 1, pid: true),
        Simc("SIMC PID, tc = 2 theta", 2, pid: true),
        Simc("SIMC PID, tc = lag (shipped)", 0, pid: true),
        Simc("SIMC PID, tc = 2 lag", -1, pid: true),
    ];

    private static double Klipper(double a, double e, double p) => 4 * p / (Math.PI * a);

    private static double AstromHagglund(double a, double e, double p) => RelayAutotune.UltimateGain(a, e, p);

    private static TuningRule FromUltimate(string name, Func<double, double, double, double> ultimateGain, double kpFactor, double tiFactor, double tdFactor) =>
        new(name, (proposal, maxPower, hysteresis) =>
        {
            var ku = ultimateGain(proposal.AmplitudeKelvin, hysteresis / 2, maxPower);
            var tu = proposal.UltimatePeriod.TotalSeconds;
            var kp = kpFactor * ku;
            return new PidGains(kp, kp / (tiFactor * tu), kp * tdFactor * tu);
        });

    private static TuningRule Simc(string name, double closedLoopOverDeadTime, bool pid) =>
        new(name, (proposal, _, _) =>
        {
            var k = proposal.Model.KelvinPerSecondPerDuty;
            var lag = proposal.Model.Lag.TotalSeconds;
            // at least RelayAutotune.MinimumDeadTime of delay; a PI takes half the lag as delay (Skogestad's half rule),
            // a PID cancels the lag with its derivative
            var delay = Math.Max(proposal.Model.DeadTime.TotalSeconds, RelayAutotune.MinimumDeadTime.TotalSeconds) + (pid ? 0 : lag / 2);
            var td = pid ? lag : 0;
            // 0: τc = τ (at least θ), -1: τc = 2τ
            var tc = closedLoopOverDeadTime > 0 ? closedLoopOverDeadTime * delay : Math.Max(closedLoopOverDeadTime == 0 ? lag : 2 * lag, delay);
            var kc = 1 / (k * (tc + delay));
            var ti = 4 * (tc + delay);
            // series (Kc, Ti, Td) to the parallel form the controller runs
            var kp = kc * (1 + td / ti);
            var tiParallel = ti + td;
            var tdParallel = ti * td / (ti + td);
            return new PidGains(kp, kp / tiParallel, kp * tdParallel);
        });
}

/// <summary>A named rule from one relay experiment (its proposal, the zone's max power and relay band) to gains.</summary>
internal sealed record TuningRule(string Name, Func<AutotuneProposal, double, double, PidGains> Rule)
{
    public PidGains Gains(AutotuneProposal proposal, double maxPower, double hysteresisKelvin) => Rule(proposal, maxPower, hysteresisKelvin);
}
