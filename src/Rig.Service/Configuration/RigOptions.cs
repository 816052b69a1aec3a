namespace Rig.Service.Configuration;

/// <summary>The rig: its identity, its timing, its heater zones and its channels. Section "Rig".</summary>
public sealed class RigOptions
{
    public const string SectionName = "Rig";

    /// <summary>Rig id, used in MQTT topics and stored with every test. Letters, digits, '-' and '_'.</summary>
    public string Id { get; set; } = "rig-01";

    /// <summary>How often every channel is sampled.</summary>
    public TimeSpan SamplePeriod { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>How often the live readings are written to the log (0 = never).</summary>
    public TimeSpan ReadoutPeriod { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Longest any single hardware call may take before it is a fault.</summary>
    public TimeSpan DeviceTimeout { get; set; } = TimeSpan.FromSeconds(3);

    /// <summary>
    /// Where the store, calibration and checkpoints live. Empty: $STATE_DIRECTORY (systemd's StateDirectory=,
    /// /var/lib/anodefreerig), else $XDG_STATE_HOME/anodefreerig (~/.local/state/anodefreerig). Never the current
    /// directory: a rig started from another directory must find its calibration.
    /// </summary>
    public string StateDirectory { get; set; } = "";

    /// <summary>Heater zones by id; several channels may share one.</summary>
    public Dictionary<string, HeaterZoneOptions> HeaterZones { get; set; } = new(StringComparer.Ordinal);

    /// <summary>Channels by id (e.g. "ch1"): one cell each.</summary>
    public Dictionary<string, ChannelOptions> Channels { get; set; } = new(StringComparer.Ordinal);

    /// <summary>The e-stop input; none configured means none wired.</summary>
    public EmergencyStopOptions? EmergencyStop { get; set; }

    /// <summary>The directory the service keeps its state in, resolved (absolute).</summary>
    public string ResolveStateDirectory() => ResolveStateDirectory(StateDirectory, Environment.GetEnvironmentVariable);

    /// <summary>The resolution rule, with the environment passed in (tests).</summary>
    public static string ResolveStateDirectory(string? configured, Func<string, string?> environment)
    {
        ArgumentNullException.ThrowIfNull(environment);
        if (!string.IsNullOrWhiteSpace(configured))
        {
            return Path.GetFullPath(configured);
        }
        if (environment("STATE_DIRECTORY") is { Length: > 0 } systemd)
        {
            return Path.GetFullPath(systemd.Split(':')[0]);
        }
        var stateHome = environment("XDG_STATE_HOME") is { Length: > 0 } xdg && Path.IsPathRooted(xdg)
            ? xdg
            : Path.Combine(environment("HOME") is { Length: > 0 } home ? home : Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".local", "state");
        return Path.Combine(stateHome, "anodefreerig");
    }
}
