using Rig.Files;
using Rig.Service.Configuration;

namespace Rig.Service.Telemetry;

/// <summary>
/// MQTT: where the broker is, how to log in, the topic tree. Section "Mqtt". With <see cref="Broker"/> empty
/// (the default) the service hosts its own broker on 127.0.0.1:<see cref="EmbeddedBrokerPort"/> and talks to it.
/// The password never lives in appsettings: it is read from <see cref="PasswordFile"/> or the environment
/// variable named by <see cref="PasswordEnvironmentVariable"/>.
/// </summary>
public sealed class MqttOptions
{
    public const string SectionName = "Mqtt";

    /// <summary>Broker host name or address; empty = embedded broker.</summary>
    public string Broker { get; set; } = "";

    public int Port { get; set; } = 1883;

    public int EmbeddedBrokerPort { get; set; } = 1883;

    /// <summary>First topic level; the rig id (Rig:Id) is the second.</summary>
    public string TopicPrefix { get; set; } = "anodefreerig";

    /// <summary>Fixed client id (a persistent session needs one); empty = "&lt;rig id&gt;-service".</summary>
    public string ClientId { get; set; } = "";

    public string Username { get; set; } = "";

    public string PasswordFile { get; set; } = "";

    public string PasswordEnvironmentVariable { get; set; } = "RIG_MQTT_PASSWORD";

    public bool UseTls { get; set; }

    /// <summary>PEM file of the CA that signed the broker's certificate; empty = the system's trust store.</summary>
    public string CaFile { get; set; } = "";

    public TimeSpan ReconnectMinDelay { get; set; } = TimeSpan.FromSeconds(1);

    public TimeSpan ReconnectMaxDelay { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How long a single publish may wait for its PUBACK before the connection is treated as lost.</summary>
    public TimeSpan PublishTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Outbox rows read from the store per page: the publisher's memory bound, whatever the backlog (about 0.5 MB of
    /// payloads and messages at 1,000). The publisher's window empties at the end of every page, so a small page caps a
    /// backlog's replay rate: 64 channels flat out reached 5,900-6,100 msg/s with 200, 8,900-9,200 with 500 and
    /// 10,200-10,500 with 1,000 (docs/benchmarks.md, "Step 7"). After a crash up to two pages are sent again.
    /// </summary>
    public int OutboxPageSize { get; set; } = 1000;

    /// <summary>How often every channel's retained state is refreshed.</summary>
    public TimeSpan StatePeriod { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Largest command payload accepted; larger ones are refused.</summary>
    public int MaxCommandBytes { get; set; } = 64 * 1024;

    public bool HomeAssistantDiscovery { get; set; } = true;

    public string DiscoveryPrefix { get; set; } = "homeassistant";

    /// <summary>How far back the retained "&lt;channel&gt;/recent" trace reaches (a dashboard opened in the morning sees the night).</summary>
    public TimeSpan RecentWindow { get; set; } = TimeSpan.FromHours(6);

    /// <summary>At most this many points in the recent trace: one per RecentWindow / RecentPoints, plus step ends.</summary>
    public int RecentPoints { get; set; } = 720;

    /// <summary>How often a changed recent trace is republished.</summary>
    public TimeSpan RecentPeriod { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// Commands per second one client may send on average (token bucket, docs/telemetry.md "Rate limit and age");
    /// 0 = no limit. Urgent verbs (abort, pause, all-off) are never limited.
    /// </summary>
    public double CommandRatePerSecond { get; set; } = 10;

    /// <summary>How many commands one client may send at once before <see cref="CommandRatePerSecond"/> applies.</summary>
    public int CommandBurst { get; set; } = 40;

    /// <summary>A command whose MQTT 5 user property "sent_at" is older than this is refused as stale (not run).</summary>
    public TimeSpan MaxCommandAge { get; set; } = TimeSpan.FromMinutes(5);

    public string ResolveClientId(string rigId) => string.IsNullOrWhiteSpace(ClientId) ? $"{rigId}-service" : ClientId;

    /// <summary>A password file is a line of text; anything longer is not one.</summary>
    public const int MaxPasswordFileBytes = 4096;

    /// <summary>A CA bundle is a few certificates; 1 MiB is generous and keeps /dev/zero out.</summary>
    public const int MaxCaFileBytes = 1024 * 1024;

    /// <summary>
    /// The trusted CA certificates from <see cref="CaFile"/>, read bounded (a FIFO or device in its place is refused with
    /// an InvalidDataException naming it, never waited on); null when no CA file is set.
    /// </summary>
    public System.Security.Cryptography.X509Certificates.X509Certificate2Collection? LoadCaCertificates()
    {
        if (string.IsNullOrWhiteSpace(CaFile))
        {
            return null;
        }
        var chain = new System.Security.Cryptography.X509Certificates.X509Certificate2Collection();
        chain.ImportFromPem(BoundedFile.ReadAllText(CaFile, MaxCaFileBytes));
        if (chain.Count == 0)
        {
            throw new InvalidDataException($"{CaFile} holds no PEM certificate");
        }
        return chain;
    }

    /// <summary>The password from its file or environment variable; null when neither is set.</summary>
    public string? ResolvePassword()
    {
        if (!string.IsNullOrWhiteSpace(PasswordFile))
        {
            // Bounded: a FIFO, /dev/zero or a huge file is refused (InvalidDataException naming it), never waited on.
            return BoundedFile.ReadAllText(PasswordFile, MaxPasswordFileBytes).TrimEnd('\r', '\n');
        }
        return string.IsNullOrWhiteSpace(PasswordEnvironmentVariable) ? null
            : Environment.GetEnvironmentVariable(PasswordEnvironmentVariable) is { Length: > 0 } p ? p : null;
    }

    public void Validate(ValidationErrors errors)
    {
        ArgumentNullException.ThrowIfNull(errors);
        errors.InRange("Mqtt:Port", Port, 1, 65535, "");
        errors.InRange("Mqtt:EmbeddedBrokerPort", EmbeddedBrokerPort, 1, 65535, "");
        if (!IsTopicLevel(TopicPrefix))
        {
            errors.Add("Mqtt:TopicPrefix", "must be one topic level without '/', '+', '#' or spaces", TopicPrefix);
        }
        if (!IsTopicLevel(DiscoveryPrefix))
        {
            errors.Add("Mqtt:DiscoveryPrefix", "must be one topic level without '/', '+', '#' or spaces", DiscoveryPrefix);
        }
        if (!string.IsNullOrWhiteSpace(PasswordFile) && !File.Exists(PasswordFile))
        {
            errors.Add("Mqtt:PasswordFile", "file not found", PasswordFile);
        }
        else if (!string.IsNullOrWhiteSpace(PasswordFile))
        {
            // Read once at start so a FIFO or a device is a start-up error naming the key, not a connect loop's fault.
            try
            {
                _ = ResolvePassword();
            }
            catch (Exception ex) when (ex is InvalidDataException or IOException or UnauthorizedAccessException)
            {
                errors.Add("Mqtt:PasswordFile", $"cannot be read as a password file: {ex.Message}");
            }
        }
        if (!string.IsNullOrWhiteSpace(CaFile) && !File.Exists(CaFile))
        {
            errors.Add("Mqtt:CaFile", "file not found", CaFile);
        }
        else if (!string.IsNullOrWhiteSpace(CaFile))
        {
            try
            {
                _ = LoadCaCertificates();
            }
            catch (Exception ex) when (ex is InvalidDataException or IOException or UnauthorizedAccessException or System.Security.Cryptography.CryptographicException)
            {
                errors.Add("Mqtt:CaFile", $"cannot be read as a PEM CA bundle: {ex.Message}");
            }
        }
        if (UseTls && string.IsNullOrWhiteSpace(Broker))
        {
            errors.Add("Mqtt:UseTls", "needs Mqtt:Broker (the embedded broker is plain TCP on 127.0.0.1)");
        }
        errors.PositiveDuration("Mqtt:ReconnectMinDelay", ReconnectMinDelay, TimeSpan.FromMinutes(10));
        errors.PositiveDuration("Mqtt:ReconnectMaxDelay", ReconnectMaxDelay, TimeSpan.FromHours(1));
        if (ReconnectMaxDelay < ReconnectMinDelay)
        {
            errors.Add("Mqtt:ReconnectMaxDelay", "must be at least Mqtt:ReconnectMinDelay", ReconnectMaxDelay);
        }
        errors.PositiveDuration("Mqtt:PublishTimeout", PublishTimeout, TimeSpan.FromMinutes(10));
        errors.InRange("Mqtt:OutboxPageSize", OutboxPageSize, 1, 10_000, "messages");
        errors.PositiveDuration("Mqtt:StatePeriod", StatePeriod, TimeSpan.FromHours(1));
        errors.InRange("Mqtt:MaxCommandBytes", MaxCommandBytes, 256, 16 * 1024 * 1024, "bytes");
        errors.PositiveDuration("Mqtt:RecentWindow", RecentWindow, TimeSpan.FromDays(7));
        errors.InRange("Mqtt:RecentPoints", RecentPoints, 10, 20_000, "points");
        errors.PositiveDuration("Mqtt:RecentPeriod", RecentPeriod, TimeSpan.FromHours(1));
        errors.InRange("Mqtt:CommandRatePerSecond", CommandRatePerSecond, 0, 10_000, "commands/s");
        errors.InRange("Mqtt:CommandBurst", CommandBurst, 1, 100_000, "commands");
        errors.PositiveDuration("Mqtt:MaxCommandAge", MaxCommandAge, TimeSpan.FromDays(1));
    }

    private static bool IsTopicLevel(string level) =>
        !string.IsNullOrWhiteSpace(level) && level.IndexOfAny(['/', '+', '#', ' ']) < 0;
}
