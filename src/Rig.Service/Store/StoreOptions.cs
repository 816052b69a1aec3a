using Rig.Service.Configuration;

namespace Rig.Service.Store;

/// <summary>
/// The local store and its recording policy. Section "Store". The policy follows commercial cyclers (Arbin
/// "smart data logging", EC-Lab dE/dt recording, Neware ΔV/ΔI): keep a sample every <see cref="RecordPeriod"/>
/// AND whenever voltage or current moved beyond a threshold since the last kept sample, and always at step ends.
/// </summary>
public sealed class StoreOptions
{
    public const string SectionName = "Store";

    /// <summary>SQLite file name inside the rig's state directory (Rig:StateDirectory).</summary>
    public string FileName { get; set; } = "rig.db";

    /// <summary>Keep a sample at least this often during a test.</summary>
    public TimeSpan RecordPeriod { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Keep a sample when the voltage moved at least this much since the last kept one (0 = off).</summary>
    public double RecordDeltaVoltageMillivolts { get; set; } = 1.0;

    /// <summary>Keep a sample when the current moved at least this much since the last kept one (0 = off).</summary>
    public double RecordDeltaCurrentMilliamps { get; set; } = 0.01;

    /// <summary>
    /// fsync every commit (SQLite synchronous=FULL): nothing acknowledged is lost on power failure. false
    /// (NORMAL) survives a process crash but may lose the last commits on power loss.
    /// </summary>
    public bool SyncEveryCommit { get; set; } = true;

    /// <summary>
    /// Records the channel loops may hand to the store writer ahead of the disk (10,000: 21 minutes of 8 channels
    /// recording every sample at 1 Hz). Beyond it a loop waits for room, at most <see cref="WriteQueueFullWait"/>.
    /// </summary>
    public int WriteQueueCapacity { get; set; } = 10_000;

    /// <summary>At most this many records per group commit (one transaction, one fsync).</summary>
    public int MaxGroupRecords { get; set; } = 1_000;

    /// <summary>How long a channel loop waits for room in a full writer queue before its record is dropped and counted.</summary>
    public TimeSpan WriteQueueFullWait { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>How long published outbox rows are kept before they are pruned (the samples stay forever).</summary>
    public TimeSpan SentOutboxRetention { get; set; } = TimeSpan.FromDays(1);

    public void Validate(ValidationErrors errors)
    {
        ArgumentNullException.ThrowIfNull(errors);
        if (string.IsNullOrWhiteSpace(FileName) || FileName.IndexOfAny(Path.GetInvalidFileNameChars()) >= 0)
        {
            errors.Add("Store:FileName", "must be a plain file name", FileName);
        }
        errors.PositiveDuration("Store:RecordPeriod", RecordPeriod, TimeSpan.FromHours(1));
        errors.InRange("Store:RecordDeltaVoltageMillivolts", RecordDeltaVoltageMillivolts, 0, 10_000, "mV");
        errors.InRange("Store:RecordDeltaCurrentMilliamps", RecordDeltaCurrentMilliamps, 0, 10_000, "mA");
        errors.InRange("Store:WriteQueueCapacity", WriteQueueCapacity, 1, 1_000_000, "records");
        errors.InRange("Store:MaxGroupRecords", MaxGroupRecords, 1, 100_000, "records");
        errors.PositiveDuration("Store:WriteQueueFullWait", WriteQueueFullWait, TimeSpan.FromMinutes(10));
        errors.PositiveDuration("Store:SentOutboxRetention", SentOutboxRetention, TimeSpan.FromDays(3650));
    }
}
