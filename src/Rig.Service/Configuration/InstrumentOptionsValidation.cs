using Rig.Drivers.Potentiostats.Scpi.Transports;

namespace Rig.Service.Configuration;

/// <summary>Checks a real instrument's Address and SourceChannel, naming the key, before anything connects.</summary>
internal static class InstrumentOptionsValidation
{
    public static void Validate(string key, InstrumentOptions instrument, ValidationErrors errors)
    {
        if (instrument.Kind == InstrumentKind.Simulated)
        {
            return;
        }
        if (!string.IsNullOrWhiteSpace(instrument.Address))
        {
            try
            {
                ScpiAddress.Parse(instrument.Address);
            }
            catch (FormatException ex)
            {
                errors.Add($"{key}:Address", ex.Message);
            }
        }
        var channels = instrument.Kind == InstrumentKind.KeysightB2902A ? 2 : 1;
        if (instrument.SourceChannel < 1 || instrument.SourceChannel > channels)
        {
            errors.Add($"{key}:SourceChannel", $"a {instrument.Kind} has channel{(channels > 1 ? "s 1-2" : " 1 only")}", instrument.SourceChannel);
        }
    }
}
