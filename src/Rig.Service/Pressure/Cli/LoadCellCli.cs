using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Configuration;
using Rig.Drivers.Faults;
using Rig.Drivers.LoadCells;
using Rig.Drivers.LoadCells.Calibration;
using Rig.Drivers.LoadCells.Simulated;
using Rig.Drivers.Quantities;
using Rig.Service.Channels;
using Rig.Service.Configuration;
using UnitsNet;

namespace Rig.Service.PressureSupervision.Cli;

/// <summary>
/// The bench verbs, run instead of the service (stop the service first: both would drive the same bus):
/// <c>loadcell read ch1 [samples]</c>, <c>loadcell tare ch1</c>, <c>loadcell span ch1 500N</c>.
/// They use the same configuration, drivers and calibration files as the service.
/// </summary>
public static partial class LoadCellCli
{
    private const string Usage = "usage: loadcell read <channel> [samples] | loadcell tare <channel> | loadcell span <channel> <load, e.g. 500N or 0.8kN>";

    /// <summary>Runs a loadcell verb and returns its exit code, or null when the arguments are not a loadcell verb.</summary>
    public static async Task<int?> TryRunAsync(string[] args, IConfiguration configuration, TextWriter? output = null, TimeProvider? time = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(args);
        if (args.Length == 0 || !string.Equals(args[0], "loadcell", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }
        output ??= Console.Out;
        time ??= TimeProvider.System;
        if (args.Length < 3)
        {
            await output.WriteLineAsync(Usage);
            return 2;
        }
        var rig = new RigOptions();
        configuration.GetSection(RigOptions.SectionName).Bind(rig);
        var validation = new RigOptionsValidator().Validate(null, rig);
        if (validation.Failed)
        {
            await output.WriteLineAsync($"Configuration error:{Environment.NewLine}  - {string.Join($"{Environment.NewLine}  - ", validation.Failures)}");
            return 78;
        }
        var channelId = args[2];
        if (!rig.Channels.TryGetValue(channelId, out var channel))
        {
            await output.WriteLineAsync($"no channel '{channelId}' in {RigOptions.SectionName}:Channels (known: {string.Join(", ", rig.Channels.Keys)})");
            return 2;
        }

        using var factory = new LoadCellFactory(rig, time);
        using var sensor = channel.Clamp.Kind == LoadCellKind.Simulated
            ? factory.Simulated(channelId, channel, new SimulatedSpringClamp(channel.Simulation.Clamp, time, () => Length.Zero, $"sim-loadcell:{channelId}", channel.Simulation.Seed + 1000))
            : factory.Hardware(channelId, channel);
        try
        {
            return args[1].ToLowerInvariant() switch
            {
                "read" when args.Length <= 3 || SampleCount(args[3]) is not null =>
                    await ReadAsync(sensor, channel, args.Length > 3 ? SampleCount(args[3])!.Value : 20, rig.DeviceTimeout, time, output, cancellationToken),
                "tare" => await CalibrateAsync(factory, channelId, channel, sensor, null, time, output, cancellationToken),
                "span" when args.Length > 3 && ParseForce(args[3]) is { } load => await CalibrateAsync(factory, channelId, channel, sensor, load, time, output, cancellationToken),
                _ => await UsageAsync(output),
            };
        }
        catch (HardwareFaultException ex)
        {
            await output.WriteLineAsync(ex.Fault.ToString());
            return 3;
        }
    }

    private static async Task<int> ReadAsync(CalibratedForceSensor sensor, ChannelOptions channel, int samples, TimeSpan timeout, TimeProvider time, TextWriter output, CancellationToken cancellationToken)
    {
        var area = Area.FromSquareCentimeters(channel.Cell.AreaCm2);
        var window = new ForceWindow(Math.Max(1, channel.Pressure.AveragingSamples), Force.FromNewtons(channel.Clamp.CalibrationStabilityNewtons));
        var calibration = sensor.Calibration;
        await output.WriteLineAsync(Text($"{sensor.Device}: zero {calibration.ZeroCounts:0} counts, {calibration.CountsPerNewton:0.###} counts/N ({(calibration.IsSpanned ? $"spanned {calibration.SpannedAt:u} against {calibration.ReferenceLoad?.Newtons:0.#} N" : "nominal: not spanned yet")}), cell {area.SquareCentimeters:0.###} cm²"));
        await output.WriteLineAsync("time                 raw_counts    force_N  pressure_MPa  mean_MPa  stable");
        for (var i = 0; i < samples; i++)
        {
            var reading = await DeviceCall.WithTimeout(sensor.ReadAsync, sensor.Device, timeout, time, cancellationToken);
            window.Add(reading.Force);
            var pressure = StackPressure.FromForce(reading.Force, area);
            var mean = StackPressure.FromForce(window.Mean, area);
            await output.WriteLineAsync(Text($"{reading.Timestamp:HH:mm:ss.fff}  {reading.RawCounts,12}  {reading.Force.Newtons,9:0.00}  {pressure.Megapascals,12:0.000}  {mean.Megapascals,8:0.000}  {(window.Stable ? "yes" : "no")}"));
            // The ADC paces itself at its conversion rate; a simulated clamp answers at once, so pace the listing.
            await Task.Delay(TimeSpan.FromMilliseconds(100), time, cancellationToken);
        }
        return 0;
    }

    private static async Task<int> CalibrateAsync(LoadCellFactory factory, string channelId, ChannelOptions channel, CalibratedForceSensor sensor, Force? load, TimeProvider time, TextWriter output, CancellationToken cancellationToken)
    {
        var calibrator = new LoadCellCalibrator(LoadCellFactory.RulesFor(channel.Clamp), time);
        var outcome = load is { } reference
            ? await calibrator.SpanAsync(sensor.Adc, sensor.Calibration, reference, cancellationToken)
            : await calibrator.TareAsync(sensor.Adc, sensor.Calibration, cancellationToken);
        await output.WriteLineAsync(outcome.Message);
        if (!outcome.Accepted)
        {
            return 1;
        }
        factory.Store.Save(channelId, sensor.Device, outcome.Calibration!);
        await output.WriteLineAsync($"saved to {factory.Store.PathFor(channelId)}");
        return 0;
    }

    private static async Task<int> UsageAsync(TextWriter output)
    {
        await output.WriteLineAsync(Usage);
        return 2;
    }

    private static Force? ParseForce(string text)
    {
        var match = ForcePattern().Match(text);
        if (!match.Success)
        {
            return null;
        }
        var number = double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
        // A string of digits can overflow to infinity, which no Force holds: it is not a load.
        if (!double.IsFinite(number) || number > 1e6)
        {
            return null;
        }
        return match.Groups[2].Value.Equals("kN", StringComparison.OrdinalIgnoreCase) ? Force.FromKilonewtons(number) : Force.FromNewtons(number);
    }

    // "read <channel> [samples]": a whole number of samples, 1 to 100,000 (a day at 1 Hz); anything else is a usage error.
    private static int? SampleCount(string text) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var samples) && samples is >= 1 and <= 100_000 ? samples : null;

    private static string Text(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    [GeneratedRegex(@"^\s*([0-9]+(?:\.[0-9]+)?)\s*(N|kN)?\s*$", RegexOptions.IgnoreCase)]
    private static partial Regex ForcePattern();
}
