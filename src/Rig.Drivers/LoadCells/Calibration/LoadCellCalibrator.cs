using System.Globalization;
using UnitsNet;

namespace Rig.Drivers.LoadCells.Calibration;

/// <summary>
/// The two operator calibrations of a clamp's load cell: tare (zero, clamp open) and span (a known load, a large
/// fraction of capacity). Each averages a window of raw readings, refuses an unstable load, and a span is
/// refused when the full scale it implies disagrees with the load cell's rated output.
/// </summary>
public sealed class LoadCellCalibrator
{
    private readonly CalibrationRules _rules;
    private readonly TimeProvider _time;

    public LoadCellCalibrator(CalibrationRules rules, TimeProvider time)
    {
        _rules = rules ?? throw new ArgumentNullException(nameof(rules));
        _time = time ?? throw new ArgumentNullException(nameof(time));
    }

    public async Task<CalibrationOutcome> TareAsync(IBridgeAdc adc, LoadCellCalibration current, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(current);
        var window = await ReadWindowAsync(adc, cancellationToken);
        if (Unstable(window, current.CountsPerNewton) is { } why)
        {
            return CalibrationOutcome.Refused($"tare refused: {why}");
        }
        var tared = current with { ZeroCounts = window.MeanCounts, TaredAt = _time.GetUtcNow() };
        return new CalibrationOutcome(true, Text($"tared: zero = {window.MeanCounts:0.0} counts (spread {window.StandardDeviationCounts:0.0})"), tared);
    }

    public async Task<CalibrationOutcome> SpanAsync(IBridgeAdc adc, LoadCellCalibration current, Force referenceLoad, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(adc);
        ArgumentNullException.ThrowIfNull(current);
        if (current.TaredAt is null)
        {
            return CalibrationOutcome.Refused("span refused: tare first, with the clamp open");
        }
        if (referenceLoad < _rules.RatedForce * _rules.MinimumSpanFraction || referenceLoad > _rules.RatedForce)
        {
            return CalibrationOutcome.Refused(Text(
                $"span refused: reference load {referenceLoad.Newtons:0.#} N must be between {_rules.MinimumSpanFraction:P0} of rated ({(_rules.RatedForce * _rules.MinimumSpanFraction).Newtons:0} N) and rated ({_rules.RatedForce.Newtons:0} N)"));
        }
        var window = await ReadWindowAsync(adc, cancellationToken);
        if (Unstable(window, current.CountsPerNewton) is { } why)
        {
            return CalibrationOutcome.Refused($"span refused: {why}");
        }
        var countsPerNewton = (window.MeanCounts - current.ZeroCounts) / referenceLoad.Newtons;
        if (FullScaleProblem(adc, countsPerNewton, current.ZeroCounts) is { } problem)
        {
            return CalibrationOutcome.Refused($"span refused: {problem}");
        }
        var spanned = current with { CountsPerNewton = countsPerNewton, SpannedAt = _time.GetUtcNow(), ReferenceLoad = referenceLoad };
        return new CalibrationOutcome(true, Text($"spanned: {countsPerNewton:0.###} counts/N against {referenceLoad.Newtons:0.#} N"), spanned);
    }

    /// <summary>Checks the full scale a sensitivity implies against the rated output and the ADC's range.</summary>
    public string? FullScaleProblem(IBridgeAdc adc, double countsPerNewton, double zeroCounts)
    {
        ArgumentNullException.ThrowIfNull(adc);
        var nominal = LoadCellCalibration.NominalCountsPerNewton(adc.CountsPerMillivoltPerVolt, _rules.RatedOutputMillivoltsPerVolt, _rules.RatedForce);
        var ratio = countsPerNewton / nominal;
        if (!double.IsFinite(ratio) || Math.Abs(ratio - 1) > _rules.FullScaleTolerance)
        {
            var impliedMillivoltsPerVolt = ratio * _rules.RatedOutputMillivoltsPerVolt;
            return Text($"the load implies {impliedMillivoltsPerVolt:0.###} mV/V at {_rules.RatedForce.Newtons:0} N, the load cell is rated {_rules.RatedOutputMillivoltsPerVolt:0.###} mV/V (±{_rules.FullScaleTolerance:P0}): check the reference load, the bridge wiring and the gain");
        }
        var countsAtRated = zeroCounts + countsPerNewton * _rules.RatedForce.Newtons;
        if (adc.Rails.IsSaturated(countsAtRated))
        {
            return Text($"the ADC would saturate before rated force ({countsAtRated:0} counts at {_rules.RatedForce.Newtons:0} N): lower the gain");
        }
        return null;
    }

    private string? Unstable(CountsWindow window, double countsPerNewton)
    {
        var limitCounts = Math.Abs(_rules.StabilityLimit.Newtons * countsPerNewton);
        if (window.StandardDeviationCounts > limitCounts)
        {
            return Text($"the load is not stable (spread {window.StandardDeviationCounts / Math.Abs(countsPerNewton):0.##} N over {window.Count} readings, limit {_rules.StabilityLimit.Newtons:0.##} N)");
        }
        if (Math.Abs(window.DriftCounts) > limitCounts)
        {
            return Text($"the load is still moving (drift {window.DriftCounts / countsPerNewton:0.##} N over {window.Count} readings, limit {_rules.StabilityLimit.Newtons:0.##} N)");
        }
        return null;
    }

    private async Task<CountsWindow> ReadWindowAsync(IBridgeAdc adc, CancellationToken cancellationToken)
    {
        var counts = new List<int>(_rules.ReadingsPerWindow);
        for (var i = 0; i < _rules.ReadingsPerWindow; i++)
        {
            counts.Add((await adc.ReadAsync(cancellationToken)).RawCounts);
        }
        return CountsWindow.Of(counts);
    }

    private static string Text(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
