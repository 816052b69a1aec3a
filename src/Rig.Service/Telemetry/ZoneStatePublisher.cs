using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Rig.Service.Thermal;

namespace Rig.Service.Telemetry;

/// <summary>
/// Every Mqtt:StatePeriod and after every connect, each heater zone's retained "zone/&lt;zone&gt;/state": temperature,
/// set-point, duty, the gains in use, a running autotune's progress and a completed one's proposal (for the
/// dashboard's accept/reject). Live state, not data: published directly; a missed one is replaced by the next.
/// </summary>
public sealed class ZoneStatePublisher : BackgroundService
{
    private readonly MqttConnection _connection;
    private readonly IServiceProvider _services;
    private readonly MqttOptions _mqtt;
    private readonly TimeProvider _time;

    public ZoneStatePublisher(MqttConnection connection, IServiceProvider services, IOptions<MqttOptions> mqtt, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentNullException.ThrowIfNull(mqtt);
        _connection = connection;
        _services = services;
        _mqtt = mqtt.Value;
        _time = time;
        _connection.Connected += PublishAllAsync;
    }

    /// <summary>Publishes every zone's state now (nothing when the rig has no heater zones).</summary>
    public async Task PublishAllAsync(CancellationToken cancellationToken)
    {
        if (_services.GetService<IHeaterZoneControl>() is not { } zones)
        {
            return;
        }
        var now = _time.GetUtcNow();
        foreach (var zone in zones.Status())
        {
            await _connection.PublishAsync(_connection.Message(_connection.Topics.ZoneState(zone.ZoneId), Payload(zone, now), true), cancellationToken);
        }
    }

    public static byte[] Payload(HeaterZoneStatus zone, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(zone);
        return TelemetryPayloads.Write(w =>
        {
            w.WriteString("zone", zone.ZoneId);
            w.WriteString("time", now.UtcDateTime);
            w.WriteString("mode", zone.Mode.ToString().ToLowerInvariant());
            TelemetryPayloads.Optional(w, "temperature_degC", zone.Temperature?.DegreesCelsius);
            w.WriteNumber("setpoint_degC", zone.Setpoint.DegreesCelsius);
            w.WriteNumber("heater_duty", Math.Round(zone.HeaterDuty.DecimalFractions, 4));
            WriteGains(w, "gains", zone.Gains);
            if (zone.Fault is { } fault)
            {
                w.WriteStartObject("fault");
                w.WriteString("kind", fault.Kind.ToString());
                w.WriteString("device", fault.Device);
                w.WriteString("message", fault.Message);
                w.WriteString("check", fault.WhatToCheck);
                w.WriteEndObject();
            }
            if (zone.CutOutOpen is { } cutOutOpen)
            {
                w.WriteStartObject("cut_out");
                w.WriteBoolean("open", cutOutOpen);
                w.WriteEndObject();
            }
            if (zone.Autotune is { } tune)
            {
                w.WriteStartObject("autotune");
                w.WriteNumber("target_degC", tune.Target.DegreesCelsius);
                w.WriteNumber("peaks", tune.Peaks);
                w.WriteNumber("peaks_wanted", tune.PeaksWanted);
                w.WriteString("started", tune.StartedAt.UtcDateTime);
                w.WriteEndObject();
            }
            if (zone.Proposal is { } proposal)
            {
                w.WriteStartObject("proposal");
                WriteGains(w, "gains", proposal.Gains);
                w.WriteNumber("ku_per_K", Math.Round(proposal.UltimateGainPerKelvin, 4));
                w.WriteNumber("tu_s", Math.Round(proposal.UltimatePeriod.TotalSeconds, 1));
                w.WriteNumber("amplitude_K", Math.Round(proposal.AmplitudeKelvin, 3));
                w.WriteNumber("rate_K_per_s_at_full_power", Math.Round(proposal.Model.KelvinPerSecondPerDuty, 4));
                w.WriteNumber("lag_s", Math.Round(proposal.Model.Lag.TotalSeconds, 1));
                w.WriteNumber("dead_time_s", Math.Round(proposal.Model.DeadTime.TotalSeconds, 1));
                w.WriteNumber("cycles", proposal.Cycles);
                w.WriteString("finished", proposal.FinishedAt.UtcDateTime);
                w.WriteEndObject();
            }
        });
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(_mqtt.StatePeriod, _time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                await PublishAllAsync(stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    private static void WriteGains(Utf8JsonWriter w, string name, PidGains gains)
    {
        w.WriteStartObject(name);
        w.WriteNumber("kp_per_K", gains.ProportionalPerKelvin);
        w.WriteNumber("ki_per_K_s", gains.IntegralPerKelvinSecond);
        w.WriteNumber("kd_s_per_K", gains.DerivativeSecondsPerKelvin);
        w.WriteEndObject();
    }
}
