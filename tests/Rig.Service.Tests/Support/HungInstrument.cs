using Rig.Drivers.Potentiostats;
using UnitsNet;

namespace Rig.Service.Tests.Support;

/// <summary>An instrument whose measurement never answers and ignores cancellation, like a wedged USB link.</summary>
internal sealed class HungInstrument : IPotentiostatChannel
{
    private readonly TaskCompletionSource<PotentiostatReading> _never = new();

    public string Device => "hung-smu";

    public InstrumentCapabilities Capabilities { get; } = new(InstrumentTechniques.ConstantCurrent, ElectricCurrent.FromAmperes(1), ElectricPotential.FromVolts(10));

    public ValueTask<InstrumentIdentity> IdentifyAsync(CancellationToken cancellationToken) => ValueTask.FromResult(new InstrumentIdentity("x", "y", "z", "1"));

    public ValueTask SourceCurrentAsync(ElectricCurrent current, ElectricPotential voltageLimit, CancellationToken cancellationToken) => ValueTask.CompletedTask;

    public ValueTask SourceVoltageAsync(ElectricPotential voltage, ElectricCurrent currentLimit, CancellationToken cancellationToken) => ValueTask.CompletedTask;

    public ValueTask<PotentiostatReading> MeasureAsync(CancellationToken cancellationToken) => new(_never.Task);

    public ValueTask OutputOffAsync(CancellationToken cancellationToken) => ValueTask.CompletedTask;

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
