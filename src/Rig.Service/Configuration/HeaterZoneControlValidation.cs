namespace Rig.Service.Configuration;

/// <summary>Validates a zone's control, safety, autotune and device settings; every error names its key.</summary>
internal static class HeaterZoneControlValidation
{
    private static readonly string[] ThermocoupleTypes = ["B", "E", "J", "K", "N", "R", "S", "T"];

    public static void Validate(string key, HeaterZoneOptions zone, ValidationErrors errors)
    {
        errors.PositiveDuration($"{key}:ControlPeriod", zone.ControlPeriod, TimeSpan.FromSeconds(10));
        errors.InRange($"{key}:MaxPowerFraction", zone.MaxPowerFraction, 0.01, 1, "");
        var pid = zone.Pid;
        errors.InRange($"{key}:Pid:ProportionalPerKelvin", pid.ProportionalPerKelvin, 0, 10, "1/K");
        errors.InRange($"{key}:Pid:IntegralPerKelvinSecond", pid.IntegralPerKelvinSecond, 0, 1, "1/(K·s)");
        errors.InRange($"{key}:Pid:DerivativeSecondsPerKelvin", pid.DerivativeSecondsPerKelvin, 0, 1000, "s/K");
        errors.InRange($"{key}:Pid:DerivativeSmoothingSeconds", pid.DerivativeSmoothingSeconds, 0, 600, "s");
        ValidateSafety($"{key}:Safety", zone, errors);
        var tune = zone.Autotune;
        errors.InRange($"{key}:Autotune:HysteresisKelvin", tune.HysteresisKelvin, 0.1, 20, "K");
        errors.InRange($"{key}:Autotune:Peaks", tune.Peaks, 6, 40, "");
        errors.PositiveDuration($"{key}:Autotune:MaxDuration", tune.MaxDuration, TimeSpan.FromHours(24));
        if (zone.CutOut is { } cutOut)
        {
            ValidateCutOut($"{key}:CutOut", cutOut, zone, errors);
        }
        if (zone.Kind == HeaterZoneKind.Hardware)
        {
            ValidateSensor($"{key}:Sensor", zone.Sensor, zone, errors);
            ValidateOutput($"{key}:Output", zone.Output, errors);
        }
    }

    private static void ValidateSafety(string key, HeaterZoneOptions zone, ValidationErrors errors)
    {
        var safety = zone.Safety;
        errors.InRange($"{key}:HysteresisKelvin", safety.HysteresisKelvin, 0, 50, "K");
        errors.Positive($"{key}:MaxErrorKelvinSeconds", safety.MaxErrorKelvinSeconds, "K·s");
        errors.Positive($"{key}:HeatingGainKelvin", safety.HeatingGainKelvin, "K");
        errors.PositiveDuration($"{key}:CheckGainTime", safety.CheckGainTime, TimeSpan.FromMinutes(30));
        errors.InRange($"{key}:RunawayMarginKelvin", safety.RunawayMarginKelvin, 0.5, 50, "K");
        errors.PositiveDuration($"{key}:MaxReadingAge", safety.MaxReadingAge, TimeSpan.FromMinutes(1));
        errors.PositiveDuration($"{key}:LoopStallTimeout", safety.LoopStallTimeout, TimeSpan.FromMinutes(1));
        errors.PositiveDuration($"{key}:CheckPeriod", safety.CheckPeriod, TimeSpan.FromSeconds(10));
        errors.PositiveDuration($"{key}:StuckWindow", safety.StuckWindow, TimeSpan.FromHours(1));
        errors.InRange($"{key}:StuckSpreadKelvin", safety.StuckSpreadKelvin, 0, 0.5, "K");
        errors.InRange($"{key}:StuckDutyStep", safety.StuckDutyStep, 0.05, 1, "");
        errors.PositiveDuration($"{key}:StuckResponseTime", safety.StuckResponseTime, TimeSpan.FromHours(1));
        errors.InRange($"{key}:StuckResponseKelvin", safety.StuckResponseKelvin, 0.01, 5, "K");
        if (safety.StuckWindow < zone.ControlPeriod * 10)
        {
            errors.Add($"{key}:StuckWindow", $"must span at least 10 control periods ({zone.ControlPeriod * 10})", safety.StuckWindow);
        }
        if (safety.LoopStallTimeout <= zone.ControlPeriod)
        {
            errors.Add($"{key}:LoopStallTimeout", $"must be longer than ControlPeriod ({zone.ControlPeriod})", safety.LoopStallTimeout);
        }
    }

    private static void ValidateSensor(string key, TemperatureSensorOptions sensor, HeaterZoneOptions zone, ValidationErrors errors)
    {
        if (!Enum.IsDefined(sensor.Kind))
        {
            errors.Add($"{key}:Kind", "is not a known sensor (Max31865, Max31856, Mcp960x)", sensor.Kind);
        }
        errors.InRange($"{key}:SpiBus", sensor.SpiBus, 0, 10, "");
        errors.InRange($"{key}:SpiChipSelect", sensor.SpiChipSelect, 0, 10, "");
        errors.InRange($"{key}:I2cBus", sensor.I2cBus, 0, 20, "");
        errors.InRange($"{key}:I2cAddress", sensor.I2cAddress, 0x60, 0x67, "(MCP960x address pins)");
        if (sensor.RtdWires is not (2 or 3 or 4))
        {
            errors.Add($"{key}:RtdWires", "must be 2, 3 or 4", sensor.RtdWires);
        }
        errors.InRange($"{key}:ReferenceResistorOhms", sensor.ReferenceResistorOhms, 100, 10_000, "Ω");
        if (sensor.MainsFilterHertz is not (50 or 60))
        {
            errors.Add($"{key}:MainsFilterHertz", "must be 50 or 60", sensor.MainsFilterHertz);
        }
        if (!ThermocoupleTypes.Contains(sensor.ThermocoupleType, StringComparer.OrdinalIgnoreCase))
        {
            errors.Add($"{key}:ThermocoupleType", $"must be one of {string.Join(", ", ThermocoupleTypes)}", sensor.ThermocoupleType);
        }
        if (sensor.MinPlausibleCelsius >= zone.SetpointCelsius || sensor.MaxPlausibleCelsius <= zone.MaxCelsius)
        {
            errors.Add($"{key}:MinPlausibleCelsius", "the plausible range must contain SetpointCelsius and MaxCelsius",
                $"{sensor.MinPlausibleCelsius}..{sensor.MaxPlausibleCelsius}");
        }
    }

    private static void ValidateCutOut(string key, ThermalCutOutOptions cutOut, HeaterZoneOptions zone, ValidationErrors errors)
    {
        if (!Enum.IsDefined(cutOut.Kind))
        {
            errors.Add($"{key}:Kind", "is not a known cut-out input (Gpio, Simulated)", cutOut.Kind);
        }
        if (cutOut.Kind == ThermalCutOutKind.Gpio)
        {
            // The heater's own pin, or any other claimed line, is GpioClaimValidation's check.
            errors.InRange($"{key}:GpioPin", cutOut.GpioPin, 0, 53, "(BCM)");
        }
        else if (cutOut.Kind == ThermalCutOutKind.Simulated && zone.Kind != HeaterZoneKind.Simulated)
        {
            errors.Add($"{key}:Kind", "Simulated needs a simulated zone (Kind Simulated); use Gpio on hardware", cutOut.Kind);
        }
        if (cutOut.Kind == ThermalCutOutKind.Simulated && (!double.IsFinite(cutOut.SimulatedOpenCelsius) || cutOut.SimulatedOpenCelsius <= zone.SetpointCelsius))
        {
            errors.Add($"{key}:SimulatedOpenCelsius", "must be above SetpointCelsius (the switch would hold the heater off)", cutOut.SimulatedOpenCelsius);
        }
    }

    private static void ValidateOutput(string key, HeaterOutputOptions output, ValidationErrors errors)
    {
        if (!Enum.IsDefined(output.Kind))
        {
            errors.Add($"{key}:Kind", "is not a known output (TimeProportionedGpio, HardwarePwm)", output.Kind);
        }
        errors.InRange($"{key}:GpioPin", output.GpioPin, 0, 53, "(BCM)");
        errors.PositiveDuration($"{key}:CyclePeriod", output.CyclePeriod, TimeSpan.FromSeconds(30));
        if (output.MinimumSwitchTime < TimeSpan.Zero || output.MinimumSwitchTime * 4 > output.CyclePeriod)
        {
            errors.Add($"{key}:MinimumSwitchTime", "must be between 0 and a quarter of CyclePeriod", output.MinimumSwitchTime);
        }
        errors.InRange($"{key}:PwmChip", output.PwmChip, 0, 10, "");
        errors.InRange($"{key}:PwmChannel", output.PwmChannel, 0, 3, "");
        errors.InRange($"{key}:PwmFrequencyHertz", output.PwmFrequencyHertz, 1, 100_000, "Hz");
        errors.PositiveDuration($"{key}:DeadManTimeout", output.DeadManTimeout, TimeSpan.FromSeconds(30));
        if (output.Kind == HeaterOutputKind.TimeProportionedGpio && output.DeadManTimeout <= output.CyclePeriod)
        {
            errors.Add($"{key}:DeadManTimeout", $"must be longer than CyclePeriod ({output.CyclePeriod}) or the output never stays on", output.DeadManTimeout);
        }
    }
}
