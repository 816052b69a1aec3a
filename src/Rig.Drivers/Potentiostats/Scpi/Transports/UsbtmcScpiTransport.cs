namespace Rig.Drivers.Potentiostats.Scpi.Transports;

/// <summary>
/// A USB instrument through the Linux kernel's usbtmc driver: each write() to /dev/usbtmcN is one USBTMC
/// DEV_DEP_MSG_OUT, each read() returns one response message (drivers/usb/class/usbtmc.c). The kernel bounds a
/// read by its own time-out (5 s by default); the session's shorter time-out abandons the read first. Access
/// needs a udev rule for the instrument's vendor/product id (see docs/instruments.md).
/// </summary>
public sealed class UsbtmcScpiTransport : IScpiTransport
{
    private const int MaxResponseBytes = 1 << 16;
    private readonly string _devicePath;
    private FileStream? _device;

    public UsbtmcScpiTransport(string devicePath)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(devicePath);
        _devicePath = devicePath;
        Address = $"usbtmc://{devicePath}";
    }

    public string Address { get; }

    public bool IsConnected => _device is not null;

    public ValueTask ConnectAsync(CancellationToken cancellationToken)
    {
        Close();
        // No buffering: one write() must stay one USBTMC message.
        _device = new FileStream(_devicePath, FileMode.Open, FileAccess.ReadWrite, FileShare.ReadWrite, bufferSize: 0);
        return ValueTask.CompletedTask;
    }

    public async ValueTask WriteLineAsync(string message, CancellationToken cancellationToken)
    {
        var device = _device ?? throw new IOException($"{Address} is not open");
        await device.WriteAsync(System.Text.Encoding.ASCII.GetBytes(message + "\n"), cancellationToken);
    }

    public async ValueTask<string> ReadLineAsync(CancellationToken cancellationToken)
    {
        var device = _device ?? throw new IOException($"{Address} is not open");
        var buffer = new byte[MaxResponseBytes];
        // A char device read is a blocking syscall: wait for it on the token, the kernel's own time-out ends it.
        var count = await device.ReadAsync(buffer, cancellationToken).AsTask().WaitAsync(cancellationToken);
        if (count == 0)
        {
            throw new IOException($"{Address} returned no data");
        }
        return System.Text.Encoding.ASCII.GetString(buffer, 0, count).TrimEnd('\n', '\r');
    }

    public void Close()
    {
        _device?.Dispose();
        _device = null;
    }

    public ValueTask DisposeAsync()
    {
        Close();
        return ValueTask.CompletedTask;
    }
}
