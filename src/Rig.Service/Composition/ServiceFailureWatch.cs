using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Rig.Service.CommandLine;

namespace Rig.Service.Composition;

/// <summary>
/// Decides the exit code once the host has stopped. The host stops itself when a <see cref="BackgroundService"/>
/// throws (BackgroundServiceExceptionBehavior.StopHost) and then returns normally, so without this check a dead
/// service would exit 0, which systemd's <c>Restart=on-failure</c> does not restart. Every service's stop has run
/// by then (RigWorker's puts the rig in its safe state), so all that is left is to say which one failed and why.
/// </summary>
public sealed partial class ServiceFailureWatch
{
    private readonly IEnumerable<IHostedService> _services;
    private readonly ILogger<ServiceFailureWatch> _logger;

    public ServiceFailureWatch(IEnumerable<IHostedService> services, ILogger<ServiceFailureWatch> logger)
    {
        _services = services;
        _logger = logger;
    }

    /// <summary>The names of the hosted services whose work ended in an exception, with the exception's message.</summary>
    public IReadOnlyList<string> Failures() =>
        [.. _services.OfType<BackgroundService>()
            .Where(s => s.ExecuteTask is { IsFaulted: true })
            .Select(s => $"{s.GetType().Name}: {s.ExecuteTask!.Exception!.GetBaseException().Message}")];

    /// <summary><see cref="ExitCodes.Software"/> (and a critical log line per failure) when any service failed, else <see cref="ExitCodes.Ok"/>.</summary>
    public int ExitCode()
    {
        var failures = Failures();
        foreach (var failure in failures)
        {
            LogFailed(failure);
        }
        return failures.Count > 0 ? ExitCodes.Software : ExitCodes.Ok;
    }

    [LoggerMessage(Level = LogLevel.Critical, Message = "A hosted service failed, so the service stopped (outputs and heaters were turned off first) and exits non-zero for systemd to restart it: {Failure}")]
    private partial void LogFailed(string failure);
}
