using System.Diagnostics;
using Iot.Device.Tca954x;
using Rig.Drivers.LoadCells;
using Rig.Drivers.LoadCells.Calibration;
using Rig.Drivers.LoadCells.Nau7802;
using Rig.Drivers.LoadCells.Simulated;
using UnitsNet;

namespace Rig.Bench;

/// <summary>
/// How many calibrated force readings per second the sampling path (driver + calibration, through the shared-bus
/// lock and the TCA9548A binding) sustains against the register-level NAU7802, per clamp and for 8 clamps on one
/// bus, beside the chip's own 320 SPS ceiling and the I2C wire time that a real bus adds.
/// </summary>
internal static class LoadCellBench
{
    private const int ReadsPerClamp = 20_000;
    private static readonly Nau7802Settings Settings = new() { LdoSettleTime = TimeSpan.Zero, SampleRate = Nau7802SampleRate.Sps320 };

    public static async Task RunAsync()
    {
        var direct = new SimulatedNau7802 { ResultWord = 1_600_000 };
        var warmUp = Sensor(new SharedBusI2cDevice(new SimulatedNau7802(), new Lock()), "warm-up");
        await ReadMany(warmUp, ReadsPerClamp); // JIT and tiered compilation before anything is timed
        await Report("1 clamp, NAU7802 straight on the bus", [Sensor(new SharedBusI2cDevice(direct, new Lock()), "direct")], parallel: false);

        var bus = new SimulatedMuxedBus();
        using var mux = new Tca9548A(bus.CreateDevice(SimulatedMuxedBus.MuxAddress), bus);
        var busLock = new Lock();
        var clamps = Enumerable.Range(0, 8)
            .Select(channel => Sensor(new SharedBusI2cDevice(mux.GetChannel(channel).CreateDevice(Nau7802.DefaultI2cAddress), busLock), $"mux/ch{channel}"))
            .ToList();
        await Report("1 clamp behind the TCA9548A", clamps.Take(1).ToList(), parallel: false);
        await Report("8 clamps behind one TCA9548A, read in turn (one scanning loop)", clamps, parallel: false);
        await Report("8 clamps behind one TCA9548A, 8 channel loops at once", clamps, parallel: true);
        Console.WriteLine($"  mux channel selections written in all: {bus.SelectionWrites:N0} (the binding skips the write when the channel is already selected)");

        // Wire time on a real bus (arithmetic, not measured): a read is a PU_CTRL poll (S, addr+W, reg, Sr, addr+R,
        // byte, P: ~40 bit times) plus the ADCO burst (~58) plus, when the clamp changes, a mux write (~20).
        foreach (var hertz in new[] { 100_000, 400_000 })
        {
            var perRead = 118.0 / hertz;
            Console.WriteLine($"  real I2C at {hertz / 1000} kHz: ~{1 / perRead:N0} reads/s for the whole bus, ~{1 / perRead / 8:N0} per clamp with 8 clamps (NAU7802 limit: 320 SPS per clamp)");
        }
    }

    private static CalibratedForceSensor Sensor(SharedBusI2cDevice i2c, string name)
    {
        var adc = new Nau7802(i2c, Settings, TimeProvider.System, name);
        return new CalibratedForceSensor(adc, LoadCellCalibration.Nominal(0, adc.CountsPerMillivoltPerVolt, 2.0, Force.FromNewtons(2000)));
    }

    private static async Task Report(string name, IReadOnlyList<CalibratedForceSensor> sensors, bool parallel)
    {
        foreach (var sensor in sensors)
        {
            await sensor.ReadAsync(CancellationToken.None); // initialise outside the timing
        }
        var stopwatch = Stopwatch.StartNew();
        if (parallel)
        {
            await Task.WhenAll(sensors.Select(s => Task.Run(() => ReadMany(s, ReadsPerClamp))));
        }
        else
        {
            for (var i = 0; i < ReadsPerClamp; i++)
            {
                foreach (var sensor in sensors)
                {
                    await sensor.ReadAsync(CancellationToken.None);
                }
            }
        }
        stopwatch.Stop();
        var total = ReadsPerClamp * sensors.Count / stopwatch.Elapsed.TotalSeconds;
        Console.WriteLine($"{name}: {total:N0} readings/s in all, {total / sensors.Count:N0} per clamp ({total / sensors.Count / 320:N0} x the NAU7802's 320 SPS)");
    }

    private static async Task ReadMany(CalibratedForceSensor sensor, int count)
    {
        for (var i = 0; i < count; i++)
        {
            await sensor.ReadAsync(CancellationToken.None);
        }
    }
}
