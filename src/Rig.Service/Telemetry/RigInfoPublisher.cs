using System.Reflection;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Rig.Service.Configuration;
using Rig.Service.Engine;
using Rig.Service.Engine.Protocols;
using Rig.Service.Store;
using Rig.Service.Telemetry.Commands;

namespace Rig.Service.Telemetry;

/// <summary>
/// After every connect, the retained "&lt;prefix&gt;/&lt;rig&gt;/info": what the rig is (software version, channels
/// with their cells, heater zones with their limits, the presets it can start, the command verbs it serves), so a
/// dashboard can lay itself out and offer only commands that exist. Description, not data: published directly.
/// </summary>
public sealed class RigInfoPublisher
{
    private readonly MqttConnection _connection;
    private readonly RigOptions _rig;
    private readonly MqttOptions? _mqtt;
    private readonly IServiceProvider _services;

    public RigInfoPublisher(MqttConnection connection, IOptions<RigOptions> rig, IServiceProvider services, IOptions<MqttOptions>? mqtt = null)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentNullException.ThrowIfNull(rig);
        _connection = connection;
        _rig = rig.Value;
        _mqtt = mqtt?.Value;
        _services = services;
        _connection.Connected += PublishAsync;
    }

    public string Topic => $"{_connection.Topics.Root}/info";

    public byte[] Payload() => TelemetryPayloads.Write(w =>
    {
        w.WriteString("rig", _rig.Id);
        w.WriteString("software_version",
            typeof(RigInfoPublisher).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "unknown");
        // How often data comes (a dashboard calls a channel stale 3 sample periods after its next reading was due):
        // the rig samples every sample period, publishes each channel's state every state period, and a running test's
        // telemetry at least every record period (the recording policy keeps more when the readings move).
        w.WriteNumber("sample_period_s", _rig.SamplePeriod.TotalSeconds);
        if (_mqtt is not null)
        {
            w.WriteNumber("state_period_s", _mqtt.StatePeriod.TotalSeconds);
        }
        if (_services.GetService<IOptions<StoreOptions>>()?.Value is { } store)
        {
            w.WriteNumber("record_period_s", store.RecordPeriod.TotalSeconds);
        }
        w.WriteStartArray("channels");
        foreach (var (id, channel) in _rig.Channels.OrderBy(c => c.Key, StringComparer.Ordinal))
        {
            w.WriteStartObject();
            w.WriteString("id", id);
            w.WriteString("cell", channel.Cell.Name);
            w.WriteString("chemistry", channel.Cell.Chemistry.ToString());
            w.WriteNumber("area_cm2", channel.Cell.AreaCm2);
            w.WriteString("heater_zone", channel.HeaterZone);
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteStartArray("heater_zones");
        foreach (var (id, zone) in _rig.HeaterZones.OrderBy(z => z.Key, StringComparer.Ordinal))
        {
            w.WriteStartObject();
            w.WriteString("id", id);
            w.WriteNumber("max_degC", zone.MaxCelsius);
            w.WriteEndObject();
        }
        w.WriteEndArray();
        var library = _services.GetService<EngineHost>()?.Presets;
        var presets = library?.Names() ?? [];
        w.WriteStartArray("presets");
        foreach (var preset in presets)
        {
            w.WriteStringValue(preset);
        }
        w.WriteEndArray();
        // Which cells each preset can run on (a dashboard offers a channel only those), omitted for one that does not compile.
        w.WriteStartObject("preset_cells");
        foreach (var preset in presets)
        {
            if (PresetCells.Of(library!, preset) is { } cells)
            {
                w.WriteStartArray(preset);
                foreach (var cell in cells)
                {
                    w.WriteStringValue(cell.ToString());
                }
                w.WriteEndArray();
            }
        }
        w.WriteEndObject();
        w.WriteStartArray("commands");
        foreach (var verb in CommandRouter.AllVerbs(_services))
        {
            w.WriteStringValue(verb);
        }
        w.WriteEndArray();
    });

    private async Task PublishAsync(CancellationToken cancellationToken) =>
        await _connection.PublishAsync(_connection.Message(Topic, Payload(), true), cancellationToken);
}
