using CsCheck;
using Rig.Service.Channels;
using Rig.Service.Configuration;
using Rig.Service.Control;
using Rig.Service.Engine;
using Rig.Service.Engine.Protocols;
using Rig.Service.Recording;
using UnitsNet;

namespace Rig.Service.Tests.Engine;

/// <summary>
/// Issue 13's invariants, property-based: for random capacity protocols, sample periods and random interleavings of
/// pause, resume and kill-and-restart-from-the-checkpoint, every cycle's capacities, CE and energy equal those of the
/// same run uninterrupted; paused time counts toward no step; every state round-trips through the checkpoint. The cell
/// is an ideal one (it passes exactly the commanded current, its voltage follows its charge) so any difference is the
/// engine's bookkeeping, not noise.
/// </summary>
public sealed class ChargeConservationPropertyTests
{
    private static readonly Gen<Scenario> Scenarios =
        from cycles in Gen.Int[1, 4]
        from plateMilliamps in Gen.Double[0.2, 5.0]
        from stripMilliamps in Gen.Double[0.2, 5.0]
        from plateMilliampHours in Gen.Double[0.01, 0.5]
        from stripFraction in Gen.Double[0.5, 0.999]
        from periodSeconds in Gen.OneOf(Gen.Const(1.0), Gen.Const(10.0), Gen.Const(30.0), Gen.Double[0.5, 60.0])
        from interruptions in Gen.Select(Gen.Int[1, 4000], Gen.Int[0, 2], Gen.Int[0, 50]).Array[0, 6]
        select new Scenario(cycles, plateMilliamps, stripMilliamps, plateMilliampHours, stripFraction, periodSeconds,
            [.. interruptions.Select(i => new Interruption(i.Item1, (InterruptionKind)i.Item2, i.Item3)).OrderBy(i => i.AtSample)]);

    [Fact]
    public void Capacities_ce_and_energy_survive_any_pattern_of_pauses_resumes_and_kills()
    {
        Scenarios.Sample(scenario =>
        {
            var clean = Run(scenario, []);
            var interrupted = Run(scenario, scenario.Interruptions);
            Assert.Equal(RunState.Finished, clean.Engine.State.State);
            Assert.Equal(RunState.Finished, interrupted.Engine.State.State);
            Assert.Equal(clean.Cycles.Count, interrupted.Cycles.Count);
            var reentries = scenario.Interruptions.Count(i => i.Kind is InterruptionKind.Pause or InterruptionKind.Kill);
            for (var i = 0; i < clean.Cycles.Count; i++)
            {
                var (a, b) = (clean.Cycles[i], interrupted.Cycles[i]);
                AssertPpm(a.ChargeCapacityMilliampHours, b.ChargeCapacityMilliampHours, 1);
                AssertPpm(a.DischargeCapacityMilliampHours, b.DischargeCapacityMilliampHours, 1);
                AssertPpm(a.CoulombicEfficiency, b.CoulombicEfficiency, 1);
                // Energy: the first interval after a re-entry takes its right end (docs/metrics.md), so each re-entry may
                // move a half-cycle's energy by the right end's departure from the trapezoid on one interval, no more.
                var energyBound = reentries * clean.LargestRightEndErrorMilliwattHours;
                AssertWithin(a.ChargeEnergyMilliwattHours, b.ChargeEnergyMilliwattHours, energyBound);
                AssertWithin(a.DischargeEnergyMilliwattHours, b.DischargeEnergyMilliwattHours, energyBound);
                // The plate lands on its target; the strip on its own.
                AssertPpm(scenario.PlateMilliampHours, a.ChargeCapacityMilliampHours, 1);
            }
            // Paused and dead time counts toward no step: the test's own clock is the uninterrupted run's.
            Assert.Equal(clean.Engine.State.TestSeconds, interrupted.Engine.State.TestSeconds, 6);
        }, iter: 40);
    }

    private static void AssertPpm(double expected, double actual, double ppm) =>
        Assert.True(Math.Abs(actual - expected) <= Math.Abs(expected) * ppm * 1e-6 + 1e-15,
            $"{actual:R} differs from {expected:R} by {(actual - expected) / expected * 1e6:0.###} ppm (bound {ppm} ppm)");

    private static void AssertWithin(double expected, double actual, double bound) =>
        Assert.True(Math.Abs(actual - expected) <= bound + Math.Abs(expected) * 1e-6 + 1e-15,
            $"{actual:R} differs from {expected:R} by {actual - expected:R} (bound {bound:R}, {bound / expected * 1e6:0.###} ppm)");

    private static Outcome Run(Scenario scenario, IReadOnlyList<Interruption> interruptions)
    {
        var text = $$"""
            { "name": "prop", "safety": { "voltage": "-5 V to 5 V", "maxCurrent": "10 mA" },
              "steps": [ "Rest for 20 s", { "repeat": {{scenario.Cycles}}, "steps": [
                "Plate at {{scenario.PlateMilliamps:R}} mA for {{scenario.PlateMilliampHours:R}} mAh",
                "Strip at {{scenario.StripMilliamps:R}} mA for {{scenario.PlateMilliampHours * scenario.StripFraction:R}} mAh" ] } ] }
            """;
        var plan = ProtocolCompiler.Compile(text, null);
        var origin = new DateTimeOffset(2026, 1, 5, 9, 0, 0, TimeSpan.Zero);
        var start = new TestStartRecord("prop", "rig", "ch1", origin, new CellOptions { AreaCm2 = 1 }, plan.Name, text, plan.Parameters, "test", null, null, null);
        var engine = CyclingEngine.Start(plan, start, 1.0);
        var cell = new IdealCell();
        var cycles = new List<CycleSummary>();
        var period = TimeSpan.FromSeconds(scenario.PeriodSeconds);
        var monotonic = TimeSpan.Zero;
        var next = 0;
        // The most one re-entry can move energy: on an interval the trapezoid integrates (both ends sourcing one
        // current), what taking its right end instead changes, |P1 - P0|·dt/2. Elsewhere both runs take the right end.
        var largestRightEndErrorJoules = 0.0;
        (bool On, double Amperes, double Watts)? previous = null;
        for (var sample = 0; sample < 200_000 && engine.State.State is RunState.Running or RunState.Paused or RunState.Interrupted; sample++)
        {
            if (previous is { On: true } before && cell.OutputOn && before.Amperes == cell.Amperes)
            {
                largestRightEndErrorJoules = Math.Max(largestRightEndErrorJoules,
                    Math.Abs(cell.Volts * cell.Amperes - before.Watts) * period.TotalSeconds / 2);
            }
            previous = (cell.OutputOn, cell.Amperes, cell.Volts * cell.Amperes);
            var command = engine.OnSample(new ChannelSample("ch1", origin + monotonic, ElectricPotential.FromVolts(cell.Volts),
                ElectricCurrent.FromAmperes(cell.Amperes), cell.OutputOn, false, null, null, null, monotonic));
            cycles.AddRange(engine.Outbox.Where(r => r.Cycle is not null).Select(r => r.Cycle!));
            engine.Outbox.Clear();
            cell.Apply(command);
            // Every state round-trips through the checkpoint exactly (the host writes one after every sample).
            var json = CheckpointJson.Serialize(engine.State);
            Assert.Equal(json, CheckpointJson.Serialize(CheckpointJson.Deserialize(json)!));
            while (next < interruptions.Count && interruptions[next].AtSample <= sample)
            {
                var interruption = interruptions[next++];
                switch (interruption.Kind)
                {
                    case InterruptionKind.Pause:
                        engine.RequestPause("property test");
                        break;
                    case InterruptionKind.Kill:
                        // SIGKILL right after this sample's commit: only the checkpoint survives; start-up turns the output off.
                        engine = new CyclingEngine(ProtocolCompiler.Compile(text, null), CheckpointJson.Deserialize(json)!);
                        engine.MarkInterrupted("killed");
                        cell.Apply(EngineCommand.Off);
                        break;
                    default:
                        break;
                }
                // Dead or paused for a while (the cell sits at open circuit), then the operator resumes.
                for (var idle = 0; idle < interruption.IdleSamples || engine.State.State == RunState.Running && engine.State.PendingPause is not null; idle++)
                {
                    cell.Advance(period);
                    monotonic += period;
                    var off = engine.OnSample(new ChannelSample("ch1", origin + monotonic, ElectricPotential.FromVolts(cell.Volts),
                        ElectricCurrent.FromAmperes(cell.Amperes), cell.OutputOn, false, null, null, null, monotonic));
                    cycles.AddRange(engine.Outbox.Where(r => r.Cycle is not null).Select(r => r.Cycle!));
                    engine.Outbox.Clear();
                    cell.Apply(off);
                    if (idle > 1000) { break; }
                }
                engine.Resume();
            }
            cell.Advance(period);
            monotonic += period;
        }
        return new Outcome(engine, cycles, largestRightEndErrorJoules / 3.6);
    }

    private sealed record Scenario(int Cycles, double PlateMilliamps, double StripMilliamps, double PlateMilliampHours, double StripFraction,
        double PeriodSeconds, Interruption[] Interruptions)
    {
        public override string ToString() =>
            $"{Cycles} cycles, plate {PlateMilliamps:0.###} mA for {PlateMilliampHours:0.####} mAh, strip {StripMilliamps:0.###} mA x{StripFraction:0.###}, every {PeriodSeconds:0.###} s, [{string.Join("; ", Interruptions.Select(i => $"{i.Kind}@{i.AtSample}+{i.IdleSamples}"))}]";
    }

    private sealed record Interruption(int AtSample, InterruptionKind Kind, int IdleSamples);

    private enum InterruptionKind { Pause, Kill, Idle }

    private sealed record Outcome(CyclingEngine Engine, List<CycleSummary> Cycles, double LargestRightEndErrorMilliwattHours);

    /// <summary>Passes exactly what it is told; its voltage rises with the charge it holds (so V·I varies inside a step).</summary>
    private sealed class IdealCell
    {
        private double _chargeAmpSeconds;

        public bool OutputOn { get; private set; }

        public double Amperes { get; private set; }

        public double Volts => 0.5 - 0.05 * _chargeAmpSeconds + (OutputOn ? 20 * Amperes : 0);

        public void Apply(EngineCommand command)
        {
            switch (command.Kind)
            {
                case EngineCommandKind.SourceCurrent:
                    OutputOn = true;
                    Amperes = command.Current.Amperes;
                    break;
                case EngineCommandKind.OutputOff:
                    OutputOn = false;
                    Amperes = 0;
                    break;
                default:
                    break;
            }
        }

        public void Advance(TimeSpan period) => _chargeAmpSeconds += -Amperes * period.TotalSeconds;
    }
}
