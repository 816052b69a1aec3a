using System.Net;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Rig.Drivers.Impedance.Simulation;
using Rig.Drivers.Potentiostats.Scpi.Simulation;

namespace Rig.InstrumentSimulator;

/// <summary>Runs the simulated instrument on its socket until the process is stopped (Ctrl+C, SIGTERM).</summary>
public sealed partial class SimulatorService : BackgroundService
{
    private readonly SimulatorOptions _options;
    private readonly ILogger<SimulatorService> _logger;

    public SimulatorService(IOptions<SimulatorOptions> options, ILogger<SimulatorService> logger)
    {
        _options = options.Value;
        _logger = logger;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var time = _options.Speed > 1 ? new AcceleratedTimeProvider(TimeProvider.System, _options.Speed) : TimeProvider.System;
        if (_options.IsImpedanceAnalyzer)
        {
            await RunImpedanceAnalyzerAsync(time, stoppingToken);
            return;
        }
        var instrument = SimulatedInstrumentFactory.Create(_options, time);
        await using var server = new ScpiSimulatorServer(instrument, TimeProvider.System, IPAddress.Parse(_options.Listen), _options.Port)
        {
            ReplyDelay = TimeSpan.FromMilliseconds(_options.ReplyDelayMilliseconds),
            DropEveryMessages = _options.DropEvery,
        };
        server.Start();
        LogListening(instrument.Identity, server.Address, _options.Cell, _options.Speed);
        try
        {
            await Task.Delay(Timeout.InfiniteTimeSpan, TimeProvider.System, stoppingToken);
        }
        catch (OperationCanceledException)
        {
            // stopping
        }
        LogStopped(server.MessagesReceived);
    }

    /// <summary>A Prologix GPIB-ETHERNET adapter with a simulated Solartron 1260 on the bus, measuring a simulated half cell.</summary>
    private async Task RunImpedanceAnalyzerAsync(TimeProvider time, CancellationToken stoppingToken)
    {
        var collector = _options.Collector.Equals("foil", StringComparison.OrdinalIgnoreCase) ? CollectorKind.Foil : CollectorKind.Pellet;
        var cell = SimulatedImpedanceCell.PaperPellet(collector);
        var analyser = new SimulatedSolartron1260(cell.Circuit, time, _options.Seed) { InstantMeasurements = false };
        await using var server = new PrologixSimulatorServer(TimeProvider.System, IPAddress.Parse(_options.Listen), _options.Port);
        server.Attach(_options.GpibAddress, analyser);
        server.Start();
        LogListening($"Solartron 1260 at GPIB {_options.GpibAddress} behind a Prologix adapter", server.Address, collector.ToString(), _options.Speed);
        try
        {
            await Task.Delay(Timeout.InfiniteTimeSpan, TimeProvider.System, stoppingToken);
        }
        catch (OperationCanceledException)
        {
            // stopping
        }
        LogStopped(server.LinesReceived);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "{Identity} listening on {Address} ({Cell} cell, rig time x{Speed})")]
    private partial void LogListening(string identity, string address, string cell, double speed);

    [LoggerMessage(Level = LogLevel.Information, Message = "Simulator stopped after {Messages} messages")]
    private partial void LogStopped(long messages);
}
