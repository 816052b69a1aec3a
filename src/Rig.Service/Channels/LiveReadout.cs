using System.Globalization;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Rig.Service.Configuration;

namespace Rig.Service.Channels;

/// <summary>Writes every channel's latest readings to the log now and then, so a person at a terminal sees the rig live.</summary>
public sealed partial class LiveReadout : BackgroundService
{
    private readonly RigState _state;
    private readonly RigOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<LiveReadout> _logger;

    public LiveReadout(RigState state, IOptions<RigOptions> options, TimeProvider time, ILogger<LiveReadout> logger)
    {
        _state = state;
        _options = options.Value;
        _time = time;
        _logger = logger;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (_options.ReadoutPeriod <= TimeSpan.Zero)
        {
            return;
        }
        using var timer = new PeriodicTimer(_options.ReadoutPeriod, _time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                foreach (var channelId in _options.Channels.Keys)
                {
                    LogReadout(Describe(_state.Channel(channelId)));
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>One line per channel: "ch1 [cell]: 0.0123 V, -0.785 mA, 10.02 MPa (786.9 N), 40.01 °C, output on".</summary>
    public static string Describe(ChannelSnapshot snapshot)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        if (snapshot.Latest is not { } s)
        {
            return $"{snapshot.ChannelId}: no sample yet{FaultSuffix(snapshot)}";
        }
        var c = CultureInfo.InvariantCulture;
        var pressure = s.StackPressure is { } p ? string.Create(c, $"{p.Megapascals:0.00} MPa ({s.Force!.Value.Newtons:0.0} N)") : "pressure unknown";
        var temperature = s.Temperature is { } t ? string.Create(c, $"{t.DegreesCelsius:0.00} °C") : "no zone";
        return string.Create(c,
            $"{s.ChannelId}: {s.Voltage.Volts:0.0000} V, {s.Current.Milliamperes:0.000} mA, {pressure}, {temperature}, output {(s.OutputOn ? "on" : "off")}{FaultSuffix(snapshot)}");
    }

    private static string FaultSuffix(ChannelSnapshot snapshot) =>
        snapshot.Faults.Count == 0 ? "" : $", FAULT: {string.Join("; ", snapshot.Faults.Select(f => f.Kind))}";

    [LoggerMessage(Level = LogLevel.Information, Message = "{Readout}")]
    private partial void LogReadout(string readout);
}
