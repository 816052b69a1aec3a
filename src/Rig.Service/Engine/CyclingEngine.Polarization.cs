using System.Globalization;
using Rig.Drivers.Impedance.Fitting;
using Rig.Service.Channels;
using Rig.Service.Recording;
using UnitsNet;

namespace Rig.Service.Engine;

public sealed partial class CyclingEngine
{
    /// <summary>
    /// The end of a DC polarization hold: its last current and voltage are kept (checkpointed) for the test's end record,
    /// and the electronic conductivity is published at once as an event (stored and sent on the events topic).
    /// </summary>
    private void ReportElectronicConductivity(in ChannelSample sample)
    {
        State.PolarizationCurrentAmperes = sample.Current.Amperes;
        State.PolarizationVolts = sample.Voltage.Volts;
        State.PolarizationSeconds = State.StepSeconds;
        var result = ElectronicConductivity()!;
        var c = CultureInfo.InvariantCulture;
        var measured = string.Create(c, $"{result.CurrentAmperes * 1e9:G4} nA after {result.HeldSeconds:0.#} s at {result.VoltageVolts * 1000:G4} mV");
        var message = result.SiemensPerCentimetre is { } sigma
            ? string.Create(c, $"electronic conductivity {sigma:G3} S/cm: {measured}, L {result.ThicknessCentimetres * 10:G4} mm, A {result.AreaSquareCentimetres:G4} cm²")
            : $"electronic conductivity not computed: the cell's build record has no separator thickness (Cell:Build:SeparatorThicknessMm); {measured}";
        Raise(sample.Timestamp, RigEventSeverity.Info, "engine.electronic_conductivity", message);
    }

    /// <summary>σ_e = |I|·L / (V·A) from the last DC polarization hold of the test (null if none ended yet).</summary>
    private ElectronicConductivityResult? ElectronicConductivity()
    {
        if (State.PolarizationCurrentAmperes is not { } amperes || State.PolarizationVolts is not { } volts)
        {
            return null;
        }
        double? sigma = null;
        if (State.SeparatorThicknessCentimetres is { } cm && volts != 0)
        {
            sigma = Conductivity.Electronic(ElectricCurrent.FromAmperes(amperes), ElectricPotential.FromVolts(volts),
                Length.FromCentimeters(cm), _area).SiemensPerCentimeter;
        }
        return new ElectronicConductivityResult(sigma, amperes, volts, State.PolarizationSeconds ?? 0, State.SeparatorThicknessCentimetres,
            _area.SquareCentimeters);
    }
}
