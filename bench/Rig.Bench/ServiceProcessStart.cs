using System.Diagnostics;

namespace Rig.Bench;

/// <summary>Starts the service executable and waits (bounded) until it says it is connected to the broker.</summary>
internal static class ServiceProcessStart
{
    private static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(60);

    /// <summary>The started process (output read and discarded), once its log says "MQTT connected".</summary>
    public static async Task<Process> StartConnectedAsync(ProcessStartInfo start)
    {
        var connected = new TaskCompletionSource();
        var service = new Process { StartInfo = start };
        service.OutputDataReceived += (_, e) =>
        {
            if (e.Data?.Contains("MQTT connected", StringComparison.Ordinal) == true)
            {
                connected.TrySetResult();
            }
        };
        service.ErrorDataReceived += (_, _) => { };
        service.Start();
        service.BeginOutputReadLine();
        service.BeginErrorReadLine();
        try
        {
            await connected.Task.WaitAsync(ConnectTimeout);
        }
        catch (TimeoutException)
        {
            service.Kill(entireProcessTree: true);
            service.Dispose();
            throw new TimeoutException($"the service did not connect to the broker within {ConnectTimeout.TotalSeconds:0} s");
        }
        return service;
    }
}
