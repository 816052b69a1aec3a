using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Options;
using Rig.Files;

namespace Rig.Archive;

/// <summary>Section "Archive": the lab broker to read, the PostgreSQL database to write, batching and gap handling.</summary>
public sealed class ArchiveOptions
{
    public const string Section = "Archive";

    /// <summary>The lab (central) broker.</summary>
    public string Broker { get; set; } = "127.0.0.1";

    public int Port { get; set; } = 1883;

    public bool UseTls { get; set; }

    /// <summary>PEM CA that signed the broker's certificate; empty = the system trust store.</summary>
    public string? CaFile { get; set; }

    public string? Username { get; set; } = "archive";

    /// <summary>A file holding the broker password (e.g. a systemd credential); wins over the environment variable.</summary>
    public string? PasswordFile { get; set; }

    public string? PasswordEnvironmentVariable { get; set; } = "ARCHIVE_MQTT_PASSWORD";

    /// <summary>
    /// Fixed MQTT client id: the broker keeps this client's persistent session (subscriptions and unacknowledged
    /// QoS 1 messages) across restarts only under the same id.
    /// </summary>
    public string ClientId { get; set; } = "anodefreerig-archive";

    /// <summary>How long the broker keeps the session (and queues for it) while the archive is away.</summary>
    public TimeSpan SessionExpiry { get; set; } = TimeSpan.FromDays(7);

    /// <summary>The rigs' topic prefix (Mqtt:TopicPrefix on the rigs).</summary>
    public string TopicPrefix { get; set; } = "anodefreerig";

    /// <summary>
    /// When set, several archive instances share the work: each subscribes as "$share/&lt;group&gt;/…" and the broker
    /// hands each message to one of them (docs/archive.md, "Scaling").
    /// </summary>
    public string? SharedGroup { get; set; }

    /// <summary>Npgsql connection string (the password may come from PGPASSWORD or ~/.pgpass instead).</summary>
    public string ConnectionString { get; set; } = "Host=/var/run/postgresql;Database=anodefreerig;Username=anodefreerig";

    /// <summary>Most messages written in one transaction (one binary COPY per table).</summary>
    public int BatchSize { get; set; } = 5000;

    /// <summary>
    /// Batches written at once, each in its own transaction on its own connection (acknowledged in arrival order all the
    /// same). More than one lets PostgreSQL use more than one core for a busy lab; Writers x BatchSize should stay
    /// below MaxInFlight so the broker can fill the next batch while the others are written. Batches then commit out
    /// of order, so the gap monitor may see a hole for a moment: it is recorded and closes when the earlier batch
    /// commits, and a replay is asked for only after GapGrace. One by default: on the 2-core VM measured, two did not help.
    /// </summary>
    public int Writers { get; set; } = 1;

    /// <summary>How long a partly filled batch waits for more messages before it is written.</summary>
    public TimeSpan BatchDelay { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>
    /// MQTT 5 receive maximum: QoS 1 messages the broker may send before the archive acknowledges. Messages are
    /// acknowledged only after their batch is committed, so this must exceed <see cref="BatchSize"/>.
    /// </summary>
    public int MaxInFlight { get; set; } = 20000;

    /// <summary>A missing sequence range older than this is a gap (shorter holes may be a shared subscription's peer still writing).</summary>
    public TimeSpan GapGrace { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How often streams are checked for gaps.</summary>
    public TimeSpan GapScanPeriod { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>A replay request not answered by the missing rows within this is sent again.</summary>
    public TimeSpan ReplayRetry { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>Replay requests per gap before it is given up (reported, left in table gaps).</summary>
    public int MaxReplayRequests { get; set; } = 5;

    /// <summary>Monthly sample partitions older than this are dropped; zero keeps everything.</summary>
    public TimeSpan SampleRetention { get; set; } = TimeSpan.Zero;

    public TimeSpan ReconnectMinDelay { get; set; } = TimeSpan.FromSeconds(1);

    public TimeSpan ReconnectMaxDelay { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>A password file is a line of text; anything longer is not one.</summary>
    public const int MaxPasswordFileBytes = 4096;

    /// <summary>A CA bundle is a few certificates; 1 MiB is generous and keeps /dev/zero out.</summary>
    public const int MaxCaFileBytes = 1024 * 1024;

    /// <summary>
    /// The password from its file or environment variable; null when neither is set. The file is read bounded
    /// (RegularFile/BoundedFile, as on the rig): a FIFO, /dev/zero or a huge file is an InvalidDataException naming
    /// it, never a wait for a writer nor an endless read.
    /// </summary>
    public string? ResolvePassword()
    {
        if (!string.IsNullOrWhiteSpace(PasswordFile))
        {
            return BoundedFile.ReadAllText(PasswordFile, MaxPasswordFileBytes).TrimEnd('\r', '\n');
        }
        return string.IsNullOrWhiteSpace(PasswordEnvironmentVariable) ? null
            : Environment.GetEnvironmentVariable(PasswordEnvironmentVariable) is { Length: > 0 } p ? p : null;
    }

    /// <summary>The trusted CA certificates from <see cref="CaFile"/>, read bounded like the password; null when none is set.</summary>
    public X509Certificate2Collection? LoadCaCertificates()
    {
        if (string.IsNullOrWhiteSpace(CaFile))
        {
            return null;
        }
        var chain = new X509Certificate2Collection();
        chain.ImportFromPem(BoundedFile.ReadAllText(CaFile, MaxCaFileBytes));
        if (chain.Count == 0)
        {
            throw new InvalidDataException($"{CaFile} holds no PEM certificate");
        }
        return chain;
    }

    /// <summary>The subscription filter for one topic pattern under the prefix, shared when a group is set.</summary>
    public string Filter(string pattern) =>
        string.IsNullOrWhiteSpace(SharedGroup) ? $"{TopicPrefix}/{pattern}" : $"$share/{SharedGroup}/{TopicPrefix}/{pattern}";
}

/// <summary>Every offending key named, so a bad file stops the archive before it connects anywhere.</summary>
public sealed class ArchiveOptionsValidator : IValidateOptions<ArchiveOptions>
{
    public ValidateOptionsResult Validate(string? name, ArchiveOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = new List<string>();
        void Check(bool ok, string key, string why)
        {
            if (!ok)
            {
                errors.Add($"{ArchiveOptions.Section}:{key}: {why}");
            }
        }
        Check(!string.IsNullOrWhiteSpace(options.Broker), nameof(options.Broker), "required");
        Check(options.Port is > 0 and < 65536, nameof(options.Port), $"must be 1-65535 (was {options.Port})");
        Check(!string.IsNullOrWhiteSpace(options.ClientId), nameof(options.ClientId), "required (the persistent session is kept under it)");
        Check(!string.IsNullOrWhiteSpace(options.TopicPrefix) && !options.TopicPrefix.AsSpan().ContainsAny("/+#"),
            nameof(options.TopicPrefix), $"must be one topic level without / + # (was '{options.TopicPrefix}')");
        Check(options.SharedGroup is null || (options.SharedGroup.Length > 0 && !options.SharedGroup.AsSpan().ContainsAny("/+#")),
            nameof(options.SharedGroup), "must be one topic level without / + #");
        Check(!string.IsNullOrWhiteSpace(options.ConnectionString), nameof(options.ConnectionString), "required");
        if (!string.IsNullOrWhiteSpace(options.ConnectionString))
        {
            try
            {
                _ = new Npgsql.NpgsqlConnectionStringBuilder(options.ConnectionString);
            }
            catch (ArgumentException ex)
            {
                errors.Add($"{ArchiveOptions.Section}:{nameof(options.ConnectionString)}: {ex.Message}");
            }
        }
        Check(options.BatchSize is >= 1 and <= 100_000, nameof(options.BatchSize), $"must be 1-100000 (was {options.BatchSize})");
        Check(options.Writers is >= 1 and <= 16, nameof(options.Writers), $"must be 1-16 (was {options.Writers})");
        Check(options.MaxInFlight is >= 1 and <= 65535, nameof(options.MaxInFlight), $"must be 1-65535, the MQTT 5 receive maximum (was {options.MaxInFlight})");
        Check(options.MaxInFlight > options.BatchSize, nameof(options.MaxInFlight),
            $"must exceed Archive:BatchSize ({options.BatchSize}): messages are acknowledged only after their batch is written");
        Check(options.BatchDelay > TimeSpan.Zero && options.BatchDelay <= TimeSpan.FromMinutes(1), nameof(options.BatchDelay), "must be between 0 and 1 min");
        Check(options.SessionExpiry >= TimeSpan.FromMinutes(1) && options.SessionExpiry.TotalSeconds <= uint.MaxValue, nameof(options.SessionExpiry), "must be at least 1 min");
        Check(options.GapGrace >= TimeSpan.Zero, nameof(options.GapGrace), "must not be negative");
        Check(options.GapScanPeriod > TimeSpan.Zero, nameof(options.GapScanPeriod), "must be positive");
        Check(options.ReplayRetry > TimeSpan.Zero, nameof(options.ReplayRetry), "must be positive");
        Check(options.MaxReplayRequests >= 0, nameof(options.MaxReplayRequests), "must not be negative");
        Check(options.SampleRetention == TimeSpan.Zero || options.SampleRetention >= TimeSpan.FromDays(62), nameof(options.SampleRetention),
            "must be zero (keep everything) or at least 62 days (partitions are monthly)");
        Check(options.ReconnectMinDelay > TimeSpan.Zero && options.ReconnectMaxDelay >= options.ReconnectMinDelay, nameof(options.ReconnectMaxDelay),
            "ReconnectMinDelay must be positive and ReconnectMaxDelay at least as long");
        // Both files are read once here, so a FIFO, a device or garbage is a start-up error naming the key rather than
        // a connect loop that hangs or retries for ever.
        if (!string.IsNullOrWhiteSpace(options.PasswordFile))
        {
            Check(File.Exists(options.PasswordFile), nameof(options.PasswordFile), $"file not found: {options.PasswordFile}");
            if (File.Exists(options.PasswordFile))
            {
                Check(Readable(() => options.ResolvePassword(), out var why), nameof(options.PasswordFile), $"cannot be read as a password file: {why}");
            }
        }
        if (!string.IsNullOrWhiteSpace(options.CaFile))
        {
            Check(File.Exists(options.CaFile), nameof(options.CaFile), $"file not found: {options.CaFile}");
            if (File.Exists(options.CaFile))
            {
                Check(Readable(() => options.LoadCaCertificates(), out var why), nameof(options.CaFile), $"cannot be read as a PEM CA bundle: {why}");
            }
        }
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    private static bool Readable(Func<object?> read, out string why)
    {
        try
        {
            _ = read();
            why = "";
            return true;
        }
        catch (Exception ex) when (ex is InvalidDataException or IOException or UnauthorizedAccessException or CryptographicException)
        {
            why = ex.Message;
            return false;
        }
    }
}
