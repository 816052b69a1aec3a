using Rig.Service.Metrics;
using Rig.Service.Recording;

namespace Rig.Service.Engine;

public sealed partial class CyclingEngine
{
    /// <summary>Mean CE over every closed cycle after the first (the first is the ICE, reported apart, as the paper does).</summary>
    public double? AverageCoulombicEfficiency =>
        State.CoulombicEfficiencyCount > 0 ? State.CoulombicEfficiencySum / State.CoulombicEfficiencyCount : null;

    /// <summary>The test-level metrics so far, as the end record would carry them (updated as each cycle closes).</summary>
    public TestEndRecord LiveMetrics(DateTimeOffset now) => new(State.TestId, State.ChannelId, now, State.State, State.Reason ?? "",
        State.InitialCoulombicEfficiency, AverageCoulombicEfficiency, State.CyclesTo80PercentRetention,
        State.CyclesTo70PercentRetention, State.CriticalCurrentDensityMilliampsPerSquareCentimetre, ElectronicConductivity());

    // A cycle closes when a strip or discharge step ends after the cycle plated or charged something.
    private void CloseCycle(DateTimeOffset now)
    {
        var s = State;
        // The formulas the offline analyser uses too (Metrics/, docs/metrics.md).
        var metrics = new CycleMetrics(s.Cycle, s.CycleChargeAmpSeconds, s.CycleDischargeAmpSeconds, s.CycleChargeJoules, s.CycleDischargeJoules);
        var chargeMilliampHours = metrics.ChargeMilliampHours;
        var dischargeMilliampHours = metrics.DischargeMilliampHours;
        var efficiency = metrics.CoulombicEfficiency;
        var chargeMilliwattHours = metrics.ChargeMilliwattHours;
        var dischargeMilliwattHours = metrics.DischargeMilliwattHours;
        if (s.Cycle == 1)
        {
            s.InitialCoulombicEfficiency = efficiency;
        }
        else
        {
            s.CoulombicEfficiencySum += efficiency;
            s.CoulombicEfficiencyCount++;
        }
        // Retention is against the first cycle after formation (paper, Fig. 7: after three formation cycles).
        var referenceCycle = Plan.FormationCycles + 1;
        if (s.Cycle == referenceCycle)
        {
            s.ReferenceDischargeAmpSeconds = s.CycleDischargeAmpSeconds;
        }
        var retention = TestMetrics.Retention(s.Cycle, referenceCycle, s.CycleDischargeAmpSeconds, s.ReferenceDischargeAmpSeconds);
        if (retention is not null)
        {
            s.Retention = retention;
            var counted = s.Cycle - Plan.FormationCycles;
            if (retention < 0.8 && s.CyclesTo80PercentRetention is null)
            {
                s.CyclesTo80PercentRetention = counted;
            }
            if (retention < 0.7 && s.CyclesTo70PercentRetention is null)
            {
                s.CyclesTo70PercentRetention = counted;
            }
        }
        var area = _area.SquareCentimeters;
        Outbox.Add(new EngineRecord(Cycle: new CycleSummary(s.TestId, s.ChannelId, s.Cycle, now,
            chargeMilliampHours, dischargeMilliampHours, chargeMilliampHours / area, dischargeMilliampHours / area, efficiency,
            chargeMilliwattHours, dischargeMilliwattHours,
            metrics.EnergyEfficiency, metrics.MeanChargeVoltage, metrics.MeanDischargeVoltage,
            s.CvHoldAmpSeconds / SecondsPerHour * 1000.0, s.CvHoldSeconds,
            s.PressureCount > 0 ? s.PressureSumMegapascals / s.PressureCount : null,
            s.TemperatureCount > 0 ? s.TemperatureSumCelsius / s.TemperatureCount : null,
            retention)));
        s.PreviousDischargeAmpSeconds = s.CycleDischargeAmpSeconds;
        s.Cycle++;
        s.CycleChargeAmpSeconds = 0;
        s.CycleDischargeAmpSeconds = 0;
        s.CycleChargeJoules = 0;
        s.CycleDischargeJoules = 0;
        s.CvHoldAmpSeconds = 0;
        s.CvHoldSeconds = 0;
        s.PressureSumMegapascals = 0;
        s.PressureCount = 0;
        s.TemperatureSumCelsius = 0;
        s.TemperatureCount = 0;
        PositionChanged = true;
    }
}
