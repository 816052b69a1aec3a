using System.Reflection;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Rig.Drivers.Faults;
using Rig.Drivers.LoadCells.Calibration;
using Rig.Drivers.Potentiostats;
using Rig.Service.Channels;
using Rig.Service.Hardware;
using Rig.Service.Store;

namespace Rig.Service.Recording;

/// <summary>
/// What a test's start record says about the instruments and software that made its data (issue 13, provenance): the
/// build (informational version, which carries the source commit after '+'), the instrument's *IDN? answer, and the
/// clamp calibration in force. Stored with the start record, written to the BDF metadata and listed by list-tests.
/// </summary>
public static class TestProvenance
{
    /// <summary>"0.1.0+&lt;commit&gt;" from the build (the SDK adds the source revision of the git checkout it built).</summary>
    public static string SoftwareVersion { get; } =
        typeof(TestProvenance).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
        ?? typeof(TestProvenance).Assembly.GetName().Version?.ToString() ?? "unknown";

    /// <summary>
    /// The instrument's identity, asked at start (bounded by <paramref name="timeout"/>); null when it does not answer
    /// (the start goes on: the first command will find the instrument's fault and say so).
    /// </summary>
    public static async Task<InstrumentIdentity?> IdentifyAsync(IPotentiostatChannel instrument, TimeSpan timeout, TimeProvider time, ILogger logger,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(instrument);
        try
        {
            return await DeviceCall.WithTimeout(instrument.IdentifyAsync, instrument.Device, timeout, time, cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            LogNoIdentity(logger, instrument.Device, ex.Message);
            return null;
        }
    }

    /// <summary>The clamp calibration in force as JSON (zero, sensitivity, when tared and spanned, against what load); null without a calibrated load cell.</summary>
    public static string? CalibrationJson(ChannelHardware channel)
    {
        ArgumentNullException.ThrowIfNull(channel);
        if (channel.ForceSensor is not CalibratedForceSensor sensor)
        {
            return null;
        }
        var c = sensor.Calibration;
        var record = new ClampCalibrationRecord(channel.Options.Clamp.Kind.ToString(), c.ZeroCounts, c.CountsPerNewton, c.TaredAt, c.SpannedAt,
            c.ReferenceLoad?.Newtons, c.IsSpanned ? "spanned" : "nominal (data sheet sensitivity; not spanned)");
        return JsonSerializer.Serialize(record, StoreJson.Info<ClampCalibrationRecord>());
    }

    private static void LogNoIdentity(ILogger logger, string device, string why) =>
        logger.LogWarning("Instrument {Device} did not identify itself at test start ({Why}); the start record carries no identity", device, why);
}

/// <summary>The clamp calibration a test started under (<see cref="TestStartRecord.CalibrationJson"/>).</summary>
public sealed record ClampCalibrationRecord(
    string LoadCell,
    double ZeroCounts,
    double CountsPerNewton,
    DateTimeOffset? TaredAt,
    DateTimeOffset? SpannedAt,
    double? ReferenceLoadNewtons,
    string Sensitivity);
