using Iot.Device.Ads1115;

namespace Rig.Service.Configuration;

/// <summary>Validation of a channel's load-cell and pressure-window keys (called from <see cref="RigOptionsValidator"/>).</summary>
internal static class LoadCellOptionsValidation
{
    private static readonly int[] Gains = [1, 2, 4, 8, 16, 32, 64, 128];
    private static readonly int[] Rates = [10, 20, 40, 80, 320];

    public static void Validate(string channelKey, ChannelOptions channel, ValidationErrors errors)
    {
        var key = $"{channelKey}:Clamp";
        var clamp = channel.Clamp;
        if (!Enum.IsDefined(clamp.Kind))
        {
            errors.Add($"{key}:Kind", "is not a known load-cell kind (Simulated, Nau7802, Hx711, Ads1115)", clamp.Kind);
        }
        errors.InRange($"{key}:RatedOutputMillivoltsPerVolt", clamp.RatedOutputMillivoltsPerVolt, 0.1, 10, "mV/V");
        if (clamp.FrameRatedForceNewtons != 0)
        {
            errors.InRange($"{key}:FrameRatedForceNewtons", clamp.FrameRatedForceNewtons, 10, 1_000_000, "N (0 = same as the load cell)");
        }
        errors.InRange($"{key}:CalibrationStabilityNewtons", clamp.CalibrationStabilityNewtons, 0.01, 100, "N");
        errors.InRange($"{key}:FullScaleTolerance", clamp.FullScaleTolerance, 0.01, 0.9, "");
        switch (clamp.Kind)
        {
            case LoadCellKind.Nau7802:
                var nau = clamp.Nau7802;
                errors.InRange($"{key}:Nau7802:I2cBus", nau.I2cBus, 0, 31, "");
                if (nau.MuxAddress != 0)
                {
                    errors.InRange($"{key}:Nau7802:MuxAddress", nau.MuxAddress, 0x70, 0x77, "(decimal 112-119, 0 = no mux)");
                }
                errors.InRange($"{key}:Nau7802:MuxChannel", nau.MuxChannel, 0, 7, "");
                if (!Gains.Contains(nau.Gain))
                {
                    errors.Add($"{key}:Nau7802:Gain", "must be 1, 2, 4, 8, 16, 32, 64 or 128", nau.Gain);
                }
                if (!Rates.Contains(nau.SamplesPerSecond))
                {
                    errors.Add($"{key}:Nau7802:SamplesPerSecond", "must be 10, 20, 40, 80 or 320 (the NAU7802's CRS rates)", nau.SamplesPerSecond);
                }
                break;
            case LoadCellKind.Hx711:
                errors.InRange($"{key}:Hx711:DataPin", clamp.Hx711.DataPin, 0, 53, "(BCM)");
                errors.InRange($"{key}:Hx711:ClockPin", clamp.Hx711.ClockPin, 0, 53, "(BCM)");
                // Data and clock on one line, or on a line something else claims: GpioClaimValidation.
                break;
            case LoadCellKind.Ads1115:
                var ads = clamp.Ads1115;
                errors.InRange($"{key}:Ads1115:I2cBus", ads.I2cBus, 0, 31, "");
                errors.InRange($"{key}:Ads1115:Address", ads.Address, 0x48, 0x4B, "(decimal 72-75)");
                errors.InRange($"{key}:Ads1115:AmplifierGain", ads.AmplifierGain, 1, 10_000, "");
                errors.InRange($"{key}:Ads1115:ExcitationVolts", ads.ExcitationVolts, 0.5, 12, "V");
                if (!Enum.IsDefined(ads.Range))
                {
                    errors.Add($"{key}:Ads1115:Range", "is not an ADS1115 range (FS6144 ... FS0256)", ads.Range);
                }
                if (!Enum.IsDefined(ads.DataRate))
                {
                    errors.Add($"{key}:Ads1115:DataRate", "is not an ADS1115 rate (SPS008 ... SPS860)", ads.DataRate);
                }
                break;
        }
        ValidateWindow($"{channelKey}:Pressure", channel.Pressure, errors);
    }

    private static void ValidateWindow(string key, PressureWindowOptions window, ValidationErrors errors)
    {
        if (window.TargetMegapascals is { } target)
        {
            errors.InRange($"{key}:TargetMegapascals", target, 0.1, 500, "MPa");
        }
        errors.Positive($"{key}:WarningMegapascals", window.WarningMegapascals, "MPa");
        errors.Positive($"{key}:WindowMegapascals", window.WindowMegapascals, "MPa");
        errors.Positive($"{key}:FaultMegapascals", window.FaultMegapascals, "MPa");
        if (window.WarningMegapascals > window.WindowMegapascals)
        {
            errors.Add($"{key}:WarningMegapascals", $"must not exceed WindowMegapascals ({window.WindowMegapascals} MPa): the warning comes first", window.WarningMegapascals);
        }
        if (window.FaultMegapascals < window.WindowMegapascals)
        {
            errors.Add($"{key}:FaultMegapascals", $"must be at least WindowMegapascals ({window.WindowMegapascals} MPa)", window.FaultMegapascals);
        }
        errors.Positive($"{key}:MaxDriftMegapascalsPerHour", window.MaxDriftMegapascalsPerHour, "MPa/h");
        errors.PositiveDuration($"{key}:DriftWindow", window.DriftWindow, TimeSpan.FromDays(1));
        errors.InRange($"{key}:AveragingSamples", window.AveragingSamples, 1, 1000, "samples");
        if (!Enum.IsDefined(window.OnOutOfWindow))
        {
            errors.Add($"{key}:OnOutOfWindow", "must be Pause or Abort", window.OnOutOfWindow);
        }
    }
}
