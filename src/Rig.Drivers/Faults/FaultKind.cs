namespace Rig.Drivers.Faults;

/// <summary>What went wrong, as a type a supervisor can act on (never a parsed string).</summary>
public enum FaultKind
{
    /// <summary>A sensor answered with a fault flag (open RTD, shorted thermocouple, ...).</summary>
    SensorFault,
    /// <summary>A sensor's reading is older than allowed.</summary>
    SensorStale,
    /// <summary>A reading outside what the sensor or the physics can produce.</summary>
    SensorOutOfRange,
    /// <summary>A device did not answer in time (a register never changed, no reply on a link).</summary>
    DeviceTimeout,
    /// <summary>A device is absent or does not answer at all (I2C NACK, refused connection).</summary>
    DeviceNotResponding,
    /// <summary>The instrument reported an error in its own queue.</summary>
    InstrumentError,
    /// <summary>The link to the instrument dropped.</summary>
    InstrumentLinkLost,
    /// <summary>The instrument that answered is not the one the configuration names.</summary>
    InstrumentMismatch,
    /// <summary>The instrument hit its compliance limit.</summary>
    ComplianceTripped,
    /// <summary>A heater did not heat as expected, or ran away.</summary>
    HeaterFault,
    /// <summary>Temperature above the zone's cut-off.</summary>
    OverTemperature,
    /// <summary>Force above the clamp's or load cell's rating.</summary>
    OverForce,
    /// <summary>Stack pressure outside its window.</summary>
    PressureOutOfWindow,
    /// <summary>The emergency stop input is active.</summary>
    EmergencyStop,
    /// <summary>A control loop stopped refreshing its output.</summary>
    ControlLoopStalled,
    /// <summary>The cell shows a short circuit.</summary>
    ShortCircuit,
    /// <summary>A technique or operation the device cannot perform.</summary>
    NotSupported,
    /// <summary>A sensor's reading is frozen: no noise, or no answer to a heater power change that must move it.</summary>
    SensorStuck,
    /// <summary>A zone's independent thermal cut-out (a bimetal switch on the block) has opened.</summary>
    CutOut,
}
