using Rig.Drivers.Faults;

namespace Rig.Drivers.LoadCells;

/// <summary>
/// Wraps a binding whose read blocks without a time-out (Iot.Device.Bindings' Hx711 spins until DOUT goes low;
/// Ads1115 polls its conversion bit): the read runs on the thread pool and the caller waits at most the time-out on
/// the rig clock. A read still hanging from before is not stacked on: the next call fails at once, so a dead chip
/// costs one blocked pool thread, never the control loop.
/// </summary>
public sealed class BlockingBridgeAdc : IBridgeAdc, IDisposable
{
    private readonly Func<int> _readCounts;
    private readonly TimeProvider _time;
    private readonly TimeSpan _timeout;
    private readonly IDisposable? _binding;
    private Task<int>? _hanging;
    private int _disposed;

    public BlockingBridgeAdc(Func<int> readCounts, string device, double countsPerMillivoltPerVolt, TimeSpan timeout, TimeProvider time, IDisposable? binding = null, BridgeAdcRails? rails = null)
    {
        Rails = rails ?? BridgeAdcRails.TwentyFourBit;
        _readCounts = readCounts ?? throw new ArgumentNullException(nameof(readCounts));
        Device = device;
        CountsPerMillivoltPerVolt = countsPerMillivoltPerVolt;
        _timeout = timeout;
        _time = time ?? throw new ArgumentNullException(nameof(time));
        _binding = binding;
    }

    public string Device { get; }

    public double CountsPerMillivoltPerVolt { get; }

    public BridgeAdcRails Rails { get; }

    public async ValueTask<RawBridgeReading> ReadAsync(CancellationToken cancellationToken)
    {
        if (_hanging is { IsCompleted: false })
        {
            throw Timeout("the previous read has still not returned");
        }
        var read = Task.Run(_readCounts, CancellationToken.None);
        try
        {
            var counts = await read.WaitAsync(_timeout, _time, cancellationToken);
            _hanging = null;
            return new RawBridgeReading(_time.GetUtcNow(), counts);
        }
        catch (TimeoutException ex) when (read.IsFaulted && read.Exception.InnerException == ex)
        {
            // The binding gave up by itself (the ADS1115 binding polls the OS bit for 10 ms): nothing is left hanging.
            throw Timeout($"the binding gave up waiting for a conversion ({ex.Message})", ex);
        }
        catch (TimeoutException ex)
        {
            _hanging = read;
            throw Timeout($"no conversion within {_timeout.TotalMilliseconds:0} ms", ex);
        }
        catch (Exception ex) when (ex is IOException or InvalidOperationException)
        {
            throw new HardwareFaultException(new HardwareFault(FaultKind.DeviceNotResponding, Device,
                $"{ex.GetType().Name}: {ex.Message}", "the ADC's wiring, supply and pins"), ex);
        }
    }

    /// <summary>
    /// Disposes the binding once: a <see cref="Calibration.CalibratedForceSensor"/> disposes its ADC too, and the HX711
    /// binding throws when it closes its pins a second time.
    /// </summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            _binding?.Dispose();
        }
    }

    private HardwareFaultException Timeout(string message, Exception? inner = null) =>
        new(new HardwareFault(FaultKind.DeviceTimeout, Device, message, "the ADC's supply and data/clock wiring"), inner);
}
