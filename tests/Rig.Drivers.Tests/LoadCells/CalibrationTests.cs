using Microsoft.Extensions.Time.Testing;
using Rig.Drivers.Faults;
using Rig.Drivers.LoadCells;
using Rig.Drivers.LoadCells.Calibration;
using Rig.Drivers.LoadCells.Simulated;
using UnitsNet;

namespace Rig.Drivers.Tests.LoadCells;

public class CalibrationTests
{
    // NAU7802 at x128 on a 2 mV/V, 2000 N cell: 2147.48 counts/N nominal.
    private const double CountsPerMillivoltPerVolt = 128 * 16_777_216.0 / 1000.0;
    private static readonly Force Rated = Force.FromNewtons(2000);
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 25, 9, 0, 0, TimeSpan.Zero));

    private static CalibrationRules Rules => new() { RatedForce = Rated, RatedOutputMillivoltsPerVolt = 2.0, ReadingsPerWindow = 20 };

    private LoadCellCalibrator Calibrator() => new(Rules, _time);

    private static LoadCellCalibration Nominal => LoadCellCalibration.Nominal(0, CountsPerMillivoltPerVolt, 2.0, Rated);

    [Fact]
    public void Nominal_sensitivity_follows_rated_output_gain_and_capacity()
    {
        Assert.Equal(2147.48, Nominal.CountsPerNewton, 2);
        Assert.Equal(500, (Nominal with { ZeroCounts = 10_000 }).ForceAt(10_000 + 500 * 2147.483648).Newtons, 6);
    }

    [Fact]
    public async Task Tare_takes_the_window_mean_as_zero_and_records_when()
    {
        var adc = new ScriptedAdc(i => 12_000 + (i % 2 == 0 ? 3 : -3));

        var outcome = await Calibrator().TareAsync(adc, Nominal, CancellationToken.None);

        Assert.True(outcome.Accepted, outcome.Message);
        Assert.Equal(12_000, outcome.Calibration!.ZeroCounts, 6);
        Assert.Equal(_time.GetUtcNow(), outcome.Calibration.TaredAt);
    }

    [Fact]
    public async Task Tare_is_refused_while_the_load_is_noisy()
    {
        var random = new Random(4);
        var adc = new ScriptedAdc(_ => 12_000 + random.Next(-20_000, 20_000)); // ±10 N of noise

        var outcome = await Calibrator().TareAsync(adc, Nominal, CancellationToken.None);

        Assert.False(outcome.Accepted);
        Assert.Contains("not stable", outcome.Message);
        Assert.Null(outcome.Calibration);
    }

    [Fact]
    public async Task Tare_is_refused_while_the_load_is_still_creeping()
    {
        var adc = new ScriptedAdc(i => 12_000 + i * 1_000); // 0.47 N per reading, 4.7 N across the window

        var outcome = await Calibrator().TareAsync(adc, Nominal, CancellationToken.None);

        Assert.False(outcome.Accepted);
    }

    [Fact]
    public async Task Span_with_a_known_load_sets_counts_per_newton_and_keeps_the_reference()
    {
        var tared = Nominal with { ZeroCounts = 12_000, TaredAt = _time.GetUtcNow() };
        var adc = new ScriptedAdc(_ => 12_000 + (int)(1000 * 2100.0)); // a real cell at 1.956 mV/V

        var outcome = await Calibrator().SpanAsync(adc, tared, Force.FromNewtons(1000), CancellationToken.None);

        Assert.True(outcome.Accepted, outcome.Message);
        Assert.Equal(2100, outcome.Calibration!.CountsPerNewton, 6);
        Assert.Equal(Force.FromNewtons(1000), outcome.Calibration.ReferenceLoad);
        Assert.True(outcome.Calibration.IsSpanned);
    }

    [Fact]
    public async Task Span_before_tare_is_refused()
    {
        var outcome = await Calibrator().SpanAsync(new ScriptedAdc(_ => 2_000_000), Nominal, Force.FromNewtons(1000), CancellationToken.None);

        Assert.False(outcome.Accepted);
        Assert.Contains("tare first", outcome.Message);
    }

    [Theory]
    [InlineData(100)]   // 5 % of capacity: too small a lever
    [InlineData(2500)]  // beyond the cell's rating
    public async Task Span_with_a_reference_load_outside_20_to_100_percent_of_rated_is_refused(double newtons)
    {
        var tared = Nominal with { TaredAt = _time.GetUtcNow() };

        var outcome = await Calibrator().SpanAsync(new ScriptedAdc(_ => 1_000_000), tared, Force.FromNewtons(newtons), CancellationToken.None);

        Assert.False(outcome.Accepted);
    }

    [Fact]
    public async Task Span_implying_a_full_scale_far_from_the_rated_output_is_refused()
    {
        var tared = Nominal with { TaredAt = _time.GetUtcNow() };
        // The operator said 500 N but put on 1000 N: implies 4 mV/V on a 2 mV/V cell.
        var adc = new ScriptedAdc(_ => (int)(1000 * 2147.48));

        var outcome = await Calibrator().SpanAsync(adc, tared, Force.FromNewtons(500), CancellationToken.None);

        Assert.False(outcome.Accepted);
        Assert.Contains("mV/V", outcome.Message);
    }

    [Fact]
    public async Task Simulated_clamp_tares_and_spans_through_the_same_path_and_reads_true_force()
    {
        var clamp = new SimulatedSpringClamp(new SpringClampParameters { PreloadNewtons = 0, DriftNewtonsPerHour = 0 }, _time, () => Length.Zero, "sim", seed: 3);
        // The simulated ADC is made to behave like a 1.86 mV/V cell: within tolerance of the 2 mV/V rating.
        var adc = new SimulatedClampAdc(clamp, countsPerMillivoltPerVolt: 2000 * 2000 / 1.86);
        var calibrator = Calibrator();

        var tare = await calibrator.TareAsync(adc, LoadCellCalibration.Nominal(0, adc.CountsPerMillivoltPerVolt, 2.0, Rated), CancellationToken.None);
        clamp.ExternalForce = Force.FromNewtons(800);
        var span = await calibrator.SpanAsync(adc, tare.Calibration!, Force.FromNewtons(800), CancellationToken.None);
        clamp.ExternalForce = Force.FromNewtons(785);
        var sensor = new CalibratedForceSensor(adc, span.Calibration!);
        var reading = await sensor.ReadAsync(CancellationToken.None);

        Assert.True(tare.Accepted, tare.Message);
        Assert.True(span.Accepted, span.Message);
        // 0.3 N of noise averaged over 20 readings: within ~0.2 N of the truth.
        Assert.InRange(tare.Calibration!.ZeroCounts, 12_000 - 500, 12_000 + 500);
        Assert.InRange(span.Calibration!.CountsPerNewton, 1990, 2010);
        Assert.InRange(reading.Force.Newtons, 783, 787);
    }

    [Fact]
    public async Task A_saturated_adc_is_a_sensor_out_of_range_fault_not_a_force()
    {
        var sensor = new CalibratedForceSensor(new ScriptedAdc(_ => 0x7FFFFF), Nominal);

        var fault = await Assert.ThrowsAsync<HardwareFaultException>(async () => await sensor.ReadAsync(CancellationToken.None));

        Assert.Equal(FaultKind.SensorOutOfRange, fault.Kind);
    }

    [Fact]
    public void Store_round_trips_a_calibration_and_replaces_the_file_atomically()
    {
        var directory = Path.Combine(Path.GetTempPath(), "rig-cal-" + Guid.NewGuid().ToString("N"));
        try
        {
            var store = new CalibrationStore(directory);
            var calibration = new LoadCellCalibration(12_345.5, 2101.25, _time.GetUtcNow(), _time.GetUtcNow().AddMinutes(3), Force.FromNewtons(1000));

            store.Save("ch1", "nau7802@i2c-1/mux0x70/ch0", calibration);
            store.Save("ch1", "nau7802@i2c-1/mux0x70/ch0", calibration with { ZeroCounts = 12_000 });

            var loaded = store.Load("ch1");
            Assert.Equal(calibration with { ZeroCounts = 12_000 }, loaded);
            Assert.Equal(["ch1.json"], Directory.GetFiles(directory).Select(Path.GetFileName));
            Assert.Null(store.Load("ch2"));
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public void Force_window_reports_mean_and_stability()
    {
        var window = new ForceWindow(4, Force.FromNewtons(1));
        foreach (var newtons in new[] { 100.0, 101, 100, 101 })
        {
            window.Add(Force.FromNewtons(newtons));
        }
        Assert.Equal(100.5, window.Mean.Newtons, 6);
        Assert.True(window.Stable);
        window.Add(Force.FromNewtons(110));
        Assert.False(window.Stable);
    }

    private sealed class ScriptedAdc(Func<int, int> counts) : IBridgeAdc
    {
        private int _index;
        public string Device => "scripted";
        public double CountsPerMillivoltPerVolt => CalibrationTests.CountsPerMillivoltPerVolt;
        public ValueTask<RawBridgeReading> ReadAsync(CancellationToken cancellationToken) =>
            ValueTask.FromResult(new RawBridgeReading(DateTimeOffset.UnixEpoch, counts(_index++)));
    }
}
