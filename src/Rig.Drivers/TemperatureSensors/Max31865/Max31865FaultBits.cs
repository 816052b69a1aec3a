using Iot.Device.Max31865;

namespace Rig.Drivers.TemperatureSensors.Max31865;

/// <summary>
/// The MAX31865 fault status register (datasheet Table 7, "Fault Status Register Definition") as names an
/// operator can act on. D7..D2; D1 and D0 are unused.
/// </summary>
internal static class Max31865FaultBits
{
    public static IReadOnlyList<string> Describe(FaultStatus status)
    {
        var bits = new List<string>();
        if (status.HighThreshold)
        {
            bits.Add("D7 RTD high threshold (open RTD or broken wire)");
        }
        if (status.LowThreshold)
        {
            bits.Add("D6 RTD low threshold (shorted RTD)");
        }
        // Iot.Device.Bindings 4.2 decodes D5 (0x20) into ReferenceInLow and D4 (0x10) into ReferenceInHigh; the
        // names below follow the datasheet's bit meanings, checked against the register bits in the tests.
        if (status.ReferenceInLow)
        {
            bits.Add("D5 REFIN- > 0.85 x VBIAS");
        }
        if (status.ReferenceInHigh)
        {
            bits.Add("D4 REFIN- < 0.85 x VBIAS (FORCE- open)");
        }
        if (status.ResistanceTemperatureDetectorLow)
        {
            bits.Add("D3 RTDIN- < 0.85 x VBIAS (FORCE- open)");
        }
        if (status.OverUnderVoltage)
        {
            bits.Add("D2 over/under-voltage on an input");
        }
        return bits;
    }

    public static string WhatToCheck(FaultStatus status) =>
        status.HighThreshold || status.ReferenceInHigh || status.ResistanceTemperatureDetectorLow
            ? "the RTD's wires at the MAX31865 terminals (open circuit)"
            : status.LowThreshold
                ? "the RTD and its leads for a short"
                : "the MAX31865's supply and the RTD wiring";
}
