using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Rig.Drivers.Heaters.Simulated;
using Rig.Service.Channels;
using Rig.Service.Configuration;
using Rig.Service.Hardware;
using Rig.Service.Thermal;

namespace Rig.Bench;

/// <summary>
/// The heater zone on the simulated die block (virtual clock, 1 s control period): relay autotune, then for the
/// default and the autotuned gains, 22 -> 40 °C (integrated absolute error, overshoot, settling time to ±0.1 K)
/// and a door opened for a minute (ambient loss x2) once settled (peak deviation, recovery time, IAE).
/// Figures are the block's true temperature, which is what the cells see.
/// </summary>
internal static class HeaterBench
{
    private const double Setpoint = 40;
    private const double Band = 0.1;

    public static async Task RunAsync()
    {
        var stopwatch = Stopwatch.StartNew();
        var proposal = await AutotuneAsync();
        Console.WriteLine(Invariant($"autotune: Ku {proposal.UltimateGainPerKelvin:0.###}/K, Tu {proposal.UltimatePeriod.TotalSeconds:0} s, amplitude ±{proposal.AmplitudeKelvin:0.##} K over {proposal.Cycles} cycles -> {proposal.Gains}"));
        var defaults = PidGains.From(new PidGainsOptions());
        foreach (var (name, gains) in new[] { ("default", defaults), ("autotuned", proposal.Gains) })
        {
            var step = await StepAsync(gains);
            Console.WriteLine(Invariant(
                $"{name,-9} {gains}: step 22->40 °C IAE {step.StepIae:0} K·s, overshoot {step.Overshoot:0.000} K, settled ±{Band} K after {Minutes(step.Settling)}; door open 60 s: peak deviation {step.DoorPeak:0.000} K, back within ±{Band} K after {Minutes(step.DoorRecovery)}, IAE {step.DoorIae:0.0} K·s"));
        }
        Console.WriteLine(Invariant($"(simulated {stopwatch.Elapsed.TotalSeconds:0.0} s of wall time)"));
    }

    /// <summary>The sweep the default gains were picked from: 22 -> 40 °C for each Kp x Ki x Kd.</summary>
    public static async Task SweepAsync()
    {
        foreach (var kp in new[] { 0.1, 0.2, 0.4 })
        {
            foreach (var ki in new[] { 0.0005, 0.001, 0.002 })
            {
                foreach (var kd in new[] { 0.0, 1.0, 3.0 })
                {
                    var step = await StepAsync(new PidGains(kp, ki, kd));
                    Console.WriteLine(Invariant($"Kp {kp,-4} Ki {ki,-6} Kd {kd,-3}: IAE {step.StepIae,5:0} K·s, overshoot {step.Overshoot:0.000} K, settled after {Minutes(step.Settling)}"));
                }
            }
        }
    }

    private static async Task<AutotuneProposal> AutotuneAsync()
    {
        using var zone = new BenchZone(PidGains.From(new PidGainsOptions()));
        await zone.RunAsync(TimeSpan.FromMinutes(15), _ => { });
        zone.Controller.StartAutotune();
        var limit = TimeSpan.FromHours(4);
        var ran = TimeSpan.Zero;
        while (zone.Controller.Status().Proposal is null && ran < limit)
        {
            await zone.RunAsync(TimeSpan.FromMinutes(1), _ => { });
            ran += TimeSpan.FromMinutes(1);
        }
        return zone.Controller.Status().Proposal ?? throw new InvalidOperationException("autotune did not finish in 4 h of simulated time");
    }

    private static async Task<StepFigures> StepAsync(PidGains gains)
    {
        using var zone = new BenchZone(gains);
        double iae = 0, peak = double.MinValue;
        var lastOutside = TimeSpan.Zero;
        await zone.RunAsync(TimeSpan.FromHours(1), t =>
        {
            var error = zone.Plant.BlockTemperature.DegreesCelsius - Setpoint;
            iae += Math.Abs(error);
            peak = Math.Max(peak, error);
            if (Math.Abs(error) > Band)
            {
                lastOutside = t;
            }
        });
        double doorIae = 0, doorPeak = 0;
        var doorLastOutside = TimeSpan.Zero;
        zone.Plant.AmbientLossMultiplier = 2;
        await zone.RunAsync(TimeSpan.FromMinutes(30), t =>
        {
            if (t >= TimeSpan.FromMinutes(1))
            {
                zone.Plant.AmbientLossMultiplier = 1;
            }
            var error = zone.Plant.BlockTemperature.DegreesCelsius - Setpoint;
            doorIae += Math.Abs(error);
            doorPeak = Math.Max(doorPeak, Math.Abs(error));
            if (Math.Abs(error) > Band)
            {
                doorLastOutside = t;
            }
        });
        return new StepFigures(iae, peak, lastOutside, doorPeak, doorLastOutside, doorIae);
    }

    private static string Minutes(TimeSpan t) => Invariant($"{t.TotalMinutes:0.0} min");

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    private sealed record StepFigures(double StepIae, double Overshoot, TimeSpan Settling, double DoorPeak, TimeSpan DoorRecovery, double DoorIae);

    /// <summary>One zone controller on a fresh simulated block at 22 °C.</summary>
    private sealed class BenchZone : IDisposable
    {
        private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 1, 5, 8, 0, 0, TimeSpan.Zero));
        private readonly HeaterZoneOptions _options = new();

        public BenchZone(PidGains gains)
        {
            Plant = new SimulatedThermalZone(_options.Simulation, _time, "die-block");
            var state = new RigState();
            var reaction = new ZoneFaultReaction(new RigEvents(NullLogger<RigEvents>.Instance), state, _time,
                new Dictionary<string, IReadOnlyList<string>>(), NullLogger<ZoneFaultReaction>.Instance);
            Controller = new HeaterZoneController(new HeaterZoneHardware("die-block", _options, Plant.Sensor, Plant.Heater),
                state, reaction, _time, TimeSpan.FromSeconds(3), NullLogger.Instance);
            Controller.SetGains(gains);
            Controller.StartWatching();
        }

        public SimulatedThermalZone Plant { get; }

        public HeaterZoneController Controller { get; }

        /// <summary>Ticks once per control period; <paramref name="each"/> gets the time since this call began.</summary>
        public async Task RunAsync(TimeSpan duration, Action<TimeSpan> each)
        {
            for (var t = TimeSpan.Zero; t < duration;)
            {
                _time.Advance(_options.ControlPeriod);
                t += _options.ControlPeriod;
                await Controller.TickAsync(CancellationToken.None);
                if (Controller.Status().Fault is { } fault)
                {
                    throw new InvalidOperationException($"bench zone tripped: {fault}");
                }
                each(t);
            }
        }

        public void Dispose() => Controller.Dispose();
    }
}
