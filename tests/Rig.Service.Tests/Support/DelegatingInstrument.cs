using Rig.Drivers.Potentiostats;
using UnitsNet;

namespace Rig.Service.Tests.Support;

/// <summary>An instrument that passes every call to <paramref name="inner"/>; a fault-injecting one overrides the call it spoils.</summary>
internal abstract class DelegatingInstrument(IPotentiostatChannel inner) : IPotentiostatChannel
{
    public string Device => inner.Device;

    public InstrumentCapabilities Capabilities => inner.Capabilities;

    public ValueTask<InstrumentIdentity> IdentifyAsync(CancellationToken cancellationToken) => inner.IdentifyAsync(cancellationToken);

    public ValueTask SourceCurrentAsync(ElectricCurrent current, ElectricPotential voltageLimit, CancellationToken cancellationToken) =>
        inner.SourceCurrentAsync(current, voltageLimit, cancellationToken);

    public ValueTask SourceVoltageAsync(ElectricPotential voltage, ElectricCurrent currentLimit, CancellationToken cancellationToken) =>
        inner.SourceVoltageAsync(voltage, currentLimit, cancellationToken);

    public virtual ValueTask<PotentiostatReading> MeasureAsync(CancellationToken cancellationToken) => inner.MeasureAsync(cancellationToken);

    public virtual ValueTask OutputOffAsync(CancellationToken cancellationToken) => inner.OutputOffAsync(cancellationToken);

    public ValueTask DisposeAsync() => inner.DisposeAsync();
}
