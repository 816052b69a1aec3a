using Rig.Drivers.Cells;
using Rig.Service.Configuration;
using Rig.Service.Engine.Protocols;
using Rig.Service.Recording;

namespace Rig.Service.Engine.Simulation;

/// <summary>
/// Fits a channel's twin to a finished test so the next dry run of that cell build predicts from what was measured.
/// The twin reruns the test's own protocol (<see cref="DryRunner"/>) and each parameter is corrected by what the
/// measurement says about it, a secant step per round: capacity (first post-formation charge), ICE and average CE
/// (offsets), fade (slope of ln capacity against cycle, less the CE's share), area-specific resistance (the gap
/// between mean charge and discharge voltage); for a half cell ICE, CE and, when the test ended in a short, the
/// CCD at the capacity it was plating. Residuals compare the measurement with the fitted twin's own run.
/// </summary>
public static class TwinCalibration
{
    private const int Rounds = 3;

    public static async Task<TwinCalibrationResult> FitAsync(
        ProtocolPlan plan,
        ChannelOptions channel,
        IReadOnlyList<CycleSummary> measured,
        TestEndRecord? end,
        DryRunConditions conditions,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(channel);
        ArgumentNullException.ThrowIfNull(measured);
        var formation = plan.FormationCycles;
        if (measured.Count < formation + 3)
        {
            throw new ArgumentException($"a calibration needs at least {formation + 3} closed cycles; the test has {measured.Count}", nameof(measured));
        }
        var options = new DryRunOptions { WallTimeLimit = TimeSpan.FromMinutes(2) };
        var target = Observe(measured, formation, end);
        var full = channel.Simulation.EffectiveFullCell;
        var half = channel.Simulation.EffectiveHalfCell;
        var isFull = channel.Cell.Chemistry == CellChemistry.AnodeFreeFullCell;
        if (!isFull && end?.CriticalCurrentDensityMilliampsPerSquareCentimetre is { } ccd && measured.Count > 0)
        {
            // The CCD seen at the capacity the shorting cycle plated, moved to the reference capacity along CCD(Q).
            var plated = measured[^1].ChargeArealCapacityMilliampHoursPerSquareCentimetre;
            half = half with
            {
                CriticalCurrentDensityMilliampsPerSquareCentimetre = ccd * Math.Pow(
                    (plated + half.ShortOnsetCapacityMilliampHoursPerSquareCentimetre) / half.CriticalCurrentReferenceCapacityMilliampHoursPerSquareCentimetre,
                    half.CriticalCurrentCapacityExponent),
            };
        }

        Observation twin = default;
        for (var round = 0; round < Rounds; round++)
        {
            twin = await RunAsync(plan, channel, full, half, conditions, options, cancellationToken);
            if (isFull)
            {
                full = full with
                {
                    CathodeCapacityMilliampHoursPerSquareCentimetre = full.CathodeCapacityMilliampHoursPerSquareCentimetre * Ratio(target.FirstCapacity, twin.FirstCapacity),
                    InitialCoulombicEfficiency = Math.Clamp(full.InitialCoulombicEfficiency + target.Ice - twin.Ice, 0.01, 1),
                    CoulombicEfficiency = Math.Clamp(full.CoulombicEfficiency + target.Ce - twin.Ce, 0.5, 1),
                    CathodeFadePerCycle = Math.Clamp(full.CathodeFadePerCycle + target.FadePerCycle - twin.FadePerCycle, 0, 0.5),
                    AreaSpecificResistanceOhmSquareCentimetres = full.AreaSpecificResistanceOhmSquareCentimetres * Ratio(target.Polarization, twin.Polarization),
                };
            }
            else
            {
                half = half with
                {
                    InitialCoulombicEfficiency = Math.Clamp(half.InitialCoulombicEfficiency + target.Ice - twin.Ice, 0.01, 1),
                    CoulombicEfficiency = Math.Clamp(half.CoulombicEfficiency + target.Ce - twin.Ce, 0.5, 1),
                };
            }
        }
        twin = await RunAsync(plan, channel, full, half, conditions, options, cancellationToken);
        return new TwinCalibrationResult(
            channel.Cell.Chemistry,
            isFull ? full : null,
            isFull ? null : half,
            new TwinResiduals(
                CapacityRmsRelative(measured, twin.Cycles, formation),
                target.Ice - twin.Ice,
                target.Ce - twin.Ce,
                target.FadePerCycle - twin.FadePerCycle,
                target.Polarization - twin.Polarization,
                Math.Min(measured.Count, twin.Cycles.Count)));
    }

    private static double Ratio(double measured, double twin) =>
        measured > 0 && twin > 0 ? Math.Clamp(measured / twin, 0.25, 4) : 1;

    private static async Task<Observation> RunAsync(ProtocolPlan plan, ChannelOptions channel, FullCellParameters full, HalfCellParameters half,
        DryRunConditions conditions, DryRunOptions options, CancellationToken cancellationToken)
    {
        var candidate = new ChannelOptions
        {
            Cell = channel.Cell,
            Simulation = new ChannelSimulationOptions { FullCell = full, HalfCell = half, Noise = channel.Simulation.Noise, Seed = channel.Simulation.Seed },
        };
        var cycles = new List<CycleSummary>();
        var prediction = await DryRunner.RunAsync(plan, "calibration", candidate, options, conditions, cancellationToken, cycles.Add);
        return Observe(cycles, plan.FormationCycles, new TestEndRecord("", "", default, prediction.FinalState, "", prediction.InitialCoulombicEfficiency,
            prediction.AverageCoulombicEfficiency, null, null, prediction.CriticalCurrentDensity)) with { Cycles = cycles };
    }

    private static Observation Observe(IReadOnlyList<CycleSummary> cycles, int formation, TestEndRecord? end)
    {
        var after = cycles.Skip(formation).Where(c => c.DischargeArealCapacityMilliampHoursPerSquareCentimetre > 0).ToList();
        var first = after.Count > 0 ? after[0].ChargeArealCapacityMilliampHoursPerSquareCentimetre : 0;
        var ice = end?.InitialCoulombicEfficiency ?? (cycles.Count > 0 ? cycles[0].CoulombicEfficiency : 0);
        var ce = end?.AverageCoulombicEfficiency ?? (after.Count > 0 ? after.Average(c => c.CoulombicEfficiency) : 0);
        // Least-squares slope of ln(discharge capacity) against cycle number: the fractional loss per cycle.
        var fade = 0.0;
        if (after.Count >= 3)
        {
            var xs = after.Select(c => (double)c.Cycle).ToList();
            var ys = after.Select(c => Math.Log(c.DischargeArealCapacityMilliampHoursPerSquareCentimetre)).ToList();
            var mx = xs.Average();
            var my = ys.Average();
            fade = -xs.Zip(ys).Sum(p => (p.First - mx) * (p.Second - my)) / xs.Sum(x => (x - mx) * (x - mx));
        }
        var polarization = after.Count > 0 ? after.Average(c => c.MeanChargeVoltageVolts - c.MeanDischargeVoltageVolts) : 0;
        return new Observation(first, ice, ce, fade, polarization, cycles);
    }

    private static double CapacityRmsRelative(IReadOnlyList<CycleSummary> measured, IReadOnlyList<CycleSummary> twin, int formation)
    {
        var pairs = measured.Zip(twin).Skip(formation)
            .Where(p => p.First.DischargeArealCapacityMilliampHoursPerSquareCentimetre > 0)
            .Select(p => (p.Second.DischargeArealCapacityMilliampHoursPerSquareCentimetre - p.First.DischargeArealCapacityMilliampHoursPerSquareCentimetre)
                / p.First.DischargeArealCapacityMilliampHoursPerSquareCentimetre)
            .ToList();
        return pairs.Count == 0 ? double.NaN : Math.Sqrt(pairs.Average(e => e * e));
    }

    private readonly record struct Observation(double FirstCapacity, double Ice, double Ce, double FadePerCycle, double Polarization, IReadOnlyList<CycleSummary> Cycles);
}

/// <summary>The fitted twin parameters (one of the two, by chemistry) and how far the fitted twin's run is from the measurement.</summary>
public sealed record TwinCalibrationResult(CellChemistry Chemistry, FullCellParameters? FullCell, HalfCellParameters? HalfCell, TwinResiduals Residuals);

/// <summary>Measured minus fitted twin: RMS relative discharge capacity per cycle, ICE, average CE, fade per cycle, mean V(charge) - V(discharge).</summary>
public sealed record TwinResiduals(double CapacityRmsRelative, double Ice, double AverageCe, double FadePerCycle, double PolarizationVolts, int CyclesCompared);
