using Rig.Service.Control;

namespace Rig.Service.Engine;

/// <summary>
/// Everything the engine knows about a running test: its position in the plan, loop counters, accumulated
/// capacities, adaptive state and metrics. Plain data so it serialises as the channel's checkpoint; resuming from
/// it continues the step it was in without losing or double-counting charge. SI units, named.
/// </summary>
public sealed class EngineState
{
    public string TestId { get; set; } = "";
    public string ChannelId { get; set; } = "";
    public string ProtocolName { get; set; } = "";
    public string ProtocolText { get; set; } = "";
    public Dictionary<string, string> Parameters { get; set; } = new(StringComparer.Ordinal);
    public double CellAreaSquareCentimetres { get; set; }
    public DateTimeOffset StartedAt { get; set; }

    public RunState State { get; set; }
    public string? Reason { get; set; }
    public string? PendingPause { get; set; }
    public string? PendingAbort { get; set; }

    /// <summary>Index of the plan instruction being run; -1 before the first.</summary>
    public int Instruction { get; set; } = -1;
    public int[] LoopIterations { get; set; } = [];
    /// <summary>The step's source command must be (re)issued on the next sample (new step, or resume).</summary>
    public bool NeedsCommand { get; set; } = true;
    /// <summary>The step was just moved to: its set-points are still to be resolved (false on resume).</summary>
    public bool StepFresh { get; set; }

    public double TestSeconds { get; set; }
    public double StepSeconds { get; set; }
    public double StepAmpSeconds { get; set; }
    public double StepTargetAmpSeconds { get; set; }
    public double StepCurrentAmperes { get; set; }
    public double SweepStartVolts { get; set; }
    /// <summary>Current at the left end of the next interval; null when not known (the first interval then takes its right end).</summary>
    public double? LastCurrentAmperes { get; set; }
    /// <summary>V·I at the left end of the next interval; null when not known (as above).</summary>
    public double? LastPowerWatts { get; set; }
    public bool HasPreviousSample { get; set; }
    /// <summary>Monotonic time of the previous sample (<see cref="Channels.ChannelSample.Monotonic"/>): valid only while
    /// <see cref="HasPreviousSample"/>, which a pause, resume or restart clears, since the monotonic origin is per process.</summary>
    public TimeSpan PreviousSampleMonotonic { get; set; }

    /// <summary>The instrument's charge count at the previous sample (A·s), when it counts; valid with <see cref="HasPreviousSample"/>.</summary>
    public double? PreviousSourcedAmpereSeconds { get; set; }
    /// <summary>Length of the last integrated interval: the sample period the engine plans the end of a capacity step with.</summary>
    public double LastIntervalSeconds { get; set; }
    public Protocols.CycleHalf LastConstantCurrentHalf { get; set; }

    public int Cycle { get; set; } = 1;
    public double CycleChargeAmpSeconds { get; set; }
    public double CycleDischargeAmpSeconds { get; set; }
    public double CycleChargeJoules { get; set; }
    public double CycleDischargeJoules { get; set; }
    public double CvHoldAmpSeconds { get; set; }
    public double CvHoldSeconds { get; set; }
    public double PressureSumMegapascals { get; set; }
    public int PressureCount { get; set; }
    public double TemperatureSumCelsius { get; set; }
    public int TemperatureCount { get; set; }

    /// <summary>Capacity-retention mode: what the last closed cycle stripped.</summary>
    public double PreviousDischargeAmpSeconds { get; set; }

    public double? InitialCoulombicEfficiency { get; set; }
    public double CoulombicEfficiencySum { get; set; }
    public int CoulombicEfficiencyCount { get; set; }
    public double ReferenceDischargeAmpSeconds { get; set; }
    public double? Retention { get; set; }
    public int? CyclesTo80PercentRetention { get; set; }
    public int? CyclesTo70PercentRetention { get; set; }
    public double? CriticalCurrentDensityMilliampsPerSquareCentimetre { get; set; }
    public bool ShortDetected { get; set; }

    /// <summary>The pellet's thickness from the cell's build record (cm), for the electronic conductivity; null if not recorded.</summary>
    public double? SeparatorThicknessCentimetres { get; set; }

    /// <summary>DC polarization: the last sample of the "report electronic conductivity" hold (null until one ended).</summary>
    public double? PolarizationCurrentAmperes { get; set; }

    public double? PolarizationVolts { get; set; }

    public double? PolarizationSeconds { get; set; }

    /// <summary>How long each plan instruction's step took the last time it ran (seconds), for the time-left estimate.</summary>
    public Dictionary<int, double> LastStepSeconds { get; set; } = [];
}
