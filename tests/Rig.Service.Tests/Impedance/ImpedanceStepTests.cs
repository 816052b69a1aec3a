using Rig.Drivers.Impedance;
using Rig.Drivers.Impedance.Fitting;
using Rig.Drivers.Impedance.Simulation;
using Rig.Service.Control;
using Rig.Service.Engine;
using Rig.Service.Engine.Protocols;
using Rig.Service.Impedance;
using Rig.Service.Tests.Engine;
using UnitsNet;

namespace Rig.Service.Tests.Impedance;

public sealed class ImpedanceStepTests
{
    private const string PaperStep = "Impedance from 1 MHz to 1 Hz at 30 mV, 10 points per decade";

    [Fact]
    public void The_papers_step_parses_to_61_points_from_1_MHz_to_1_Hz_at_30_mV_at_the_open_circuit_voltage()
    {
        var step = StepParser.TryParse(PaperStep, out var problem);

        Assert.True(step is not null, problem);
        Assert.Equal(StepKind.Impedance, step.Kind);
        Assert.Equal(1e6, step.Impedance!.Start.Hertz);
        Assert.Equal(1, step.Impedance.End.Hertz);
        Assert.Equal(30, step.Impedance.Amplitude.Millivolts, 9);
        Assert.Equal(61, step.Impedance.Frequencies().Count);
        Assert.True(step.ImpedanceAtOcv);
        Assert.Equal(1, step.Every);
    }

    [Theory]
    [InlineData("Impedance from 1 MHz to 100 mHz at 10 mV, 5 points per decade, bias 0 V", 1e6, 0.1, false, 0.0, 1)]
    [InlineData("impedance from 100 kHz to 10 Hz at 0.02 V, 8 points per decade, at OCV, every 10 cycles", 1e5, 10, true, 0.0, 10)]
    [InlineData("Impedance from 1 Hz to 1 MHz at 30 mV, 10 points per decade, bias -50 mV", 1, 1e6, false, -0.05, 1)]
    public void Options_are_read_with_mHz_and_MHz_kept_apart(string text, double start, double end, bool atOcv, double bias, int every)
    {
        var step = StepParser.TryParse(text, out var problem);

        Assert.True(step is not null, problem);
        Assert.Equal(start, step.Impedance!.Start.Hertz, start * 1e-12);
        Assert.Equal(end, step.Impedance.End.Hertz, end * 1e-12);
        Assert.Equal(atOcv, step.ImpedanceAtOcv);
        Assert.Equal(bias, step.Impedance.Bias.Volts, 12);
        Assert.Equal(every, step.Every);
    }

    [Theory]
    [InlineData("Impedance from 1 MHz to 1 Hz at 30 mV", "points per decade")]
    [InlineData("Impedance from 100 MHz to 1 Hz at 30 mV, 10 points per decade", "32 MHz")]
    [InlineData("Impedance from 1 MHz to 1 Hz at 5 V, 10 points per decade", "3 V")]
    [InlineData("Impedance from 1 MHz to 1 Hz at 30 mV, 10 points per decade, bias 50 V", "40.95")]
    [InlineData("Impedance from 1 MHz to 1 Hz at 30 mV, 0 points per decade", "1-100")]
    public void Impossible_steps_are_refused_with_the_reason(string text, string reason)
    {
        Assert.Null(StepParser.TryParse(text, out var problem));
        Assert.Contains(reason, problem, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_protocol_with_EIS_before_and_after_plating_and_stripping_runs_end_to_end_with_the_smu_off_during_each_sweep()
    {
        var rig = SimulatedRig.HalfCell();
        var engine = rig.Start(Protocol(cycles: 4, everyCycles: 2));
        var run = rig.Runner(TimeSpan.FromSeconds(30));
        var cell = SimulatedImpedanceCell.PaperPellet(CollectorKind.Foil);
        var analyzer = new SimulatedImpedanceAnalyzer("simulated 1260", cell, rig.Time, seed: 3);
        var fitter = new EquivalentCircuitFitter();
        var measured = new List<(ImpedanceRequest Request, ImpedanceSpectrum Spectrum, bool SmuOn)>();
        run.OnSample = s => cell.Cycle(ElectricCharge.FromAmpereHours(Math.Abs(s.CurrentAmperes) * 30 / 3600));
        run.AfterSample = e =>
        {
            if (e.PendingImpedance is { } request)
            {
                var spectrum = analyzer.SweepAsync(request.Sweep, null, CancellationToken.None).AsTask().GetAwaiter().GetResult();
                measured.Add((request, spectrum, rig.Instrument.OutputOn));
                Assert.True(e.CompleteImpedance(request.Instruction, rig.Time.GetUtcNow()));
            }
        };

        await run.RunAsync(engine, 100_000);

        Assert.Equal(RunState.Finished, engine.State.State);
        // Before cycling, after cycles 1 and 3 (every 2nd iteration from the first), and after cycling: four spectra.
        Assert.Equal(4, measured.Count);
        Assert.All(measured, m => Assert.False(m.SmuOn, "the SMU's output must be off while the analyser measures"));
        Assert.All(measured, m => Assert.Equal(61, m.Spectrum.Points.Count));
        // "At OCV": biased at the rest voltage read as the step started, not at 0 V.
        Assert.All(measured, m => Assert.NotEqual(0, m.Request.Sweep.Bias.Volts));
        var before = fitter.Fit(measured[0].Spectrum.Points);
        var after = fitter.Fit(measured[^1].Spectrum.Points);
        Assert.True(after["R_int"].Value > 2 * before["R_int"].Value, $"foil interface {before["R_int"].Value:G3} -> {after["R_int"].Value:G3} Ω");
        Assert.Equal(before.Bulk.Value, after.Bulk.Value, before.Bulk.Value * 0.05);
    }

    [Fact]
    public void An_engine_not_in_an_impedance_step_refuses_to_complete_one()
    {
        var rig = SimulatedRig.HalfCell();
        var engine = rig.Start(Protocol(cycles: 1, everyCycles: 1));

        Assert.Null(engine.PendingImpedance);
        Assert.False(engine.CompleteImpedance(1, rig.Time.GetUtcNow()));
    }

    [Fact]
    public async Task The_stored_document_exports_as_csv_with_the_fit_beside_each_point()
    {
        var cell = SimulatedImpedanceCell.PaperPellet(CollectorKind.Pellet);
        var analyzer = new SimulatedImpedanceAnalyzer("simulated 1260", cell, TimeProvider.System, seed: 5);
        var spectrum = await analyzer.SweepAsync(ImpedanceSweep.Paper, null, CancellationToken.None);
        var fit = new EquivalentCircuitFitter().Fit(spectrum.Points);
        var sigma = Conductivity.Ionic(fit.Bulk, cell.Thickness, cell.Area);
        var request = new ImpedanceRequest("test-1", "ch1", 1, 0, PaperStep, ImpedanceSweep.Paper);
        var json = System.Text.Encoding.UTF8.GetString(SpectrumDocument.Build(new MeasuredSpectrum(request, analyzer.Device, spectrum, fit, null, sigma), seq: 4));

        using var csv = new StringWriter();
        SpectrumCsv.Write(json, csv);

        var lines = csv.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var header = Array.IndexOf(lines, SpectrumCsv.Header);
        Assert.True(header > 0);
        Assert.Contains(lines, l => l.StartsWith("# R_bulk=", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("# ionic_conductivity_S_per_cm=", StringComparison.Ordinal));
        Assert.Equal(61, lines.Length - header - 1);
        var first = lines[header + 1].Split(',');
        Assert.Equal(8, first.Length);
        Assert.Equal(1e6, double.Parse(first[0], System.Globalization.CultureInfo.InvariantCulture), 1e-3);
        var measuredRe = double.Parse(first[1], System.Globalization.CultureInfo.InvariantCulture);
        var fittedRe = double.Parse(first[6], System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(measuredRe, fittedRe, Math.Abs(measuredRe) * 0.02);
    }

    private static string Protocol(int cycles, int everyCycles) => $$"""
        {
          "name": "EIS before, during and after plating/stripping",
          "cell": "AnodeFreeHalfCell",
          "safety": { "voltage": "-1 V to 3.5 V", "maxCurrent": "10 mA/cm2" },
          "steps": [
            "Rest for 10 min",
            "{{PaperStep}}",
            {
              "repeat": {{cycles}},
              "steps": [
                "Plate at 1 mA/cm2 for 1 mAh/cm2",
                "Strip at 1 mA/cm2 until 2 V",
                "Rest for 5 min",
                "{{PaperStep}}, every {{everyCycles}} cycles"
              ]
            },
            "Rest for 10 min",
            "{{PaperStep}}"
          ]
        }
        """;
}
