using Microsoft.Extensions.Time.Testing;
using Rig.Drivers.Faults;
using Rig.Drivers.Heaters.Simulated;
using UnitsNet;

namespace Rig.Drivers.Tests.Heaters;

public class SimulatedThermalZoneTests
{
    [Theory]
    [InlineData(0.0)]
    [InlineData(0.25)]
    [InlineData(0.6)]
    public void Block_settles_where_the_energy_balance_says(double duty)
    {
        var time = new FakeTimeProvider();
        var parameters = new ThermalPlantParameters();
        var zone = new SimulatedThermalZone(parameters, time, "z");
        zone.Heater.SetDuty(Ratio.FromDecimalFractions(duty));

        // ten time constants (R·C = 600 s)
        time.Advance(TimeSpan.FromSeconds(6000));

        var expected = parameters.AmbientCelsius + parameters.HeaterPowerWatts * duty * parameters.ThermalResistanceKelvinPerWatt;
        Assert.Equal(expected, zone.BlockTemperature.DegreesCelsius, 1);
    }

    [Fact]
    public async Task The_sensor_lags_the_block_while_it_heats()
    {
        var time = new FakeTimeProvider();
        var zone = new SimulatedThermalZone(new ThermalPlantParameters { SensorNoiseCelsius = 0 }, time, "z");
        zone.Heater.SetDuty(Ratio.FromDecimalFractions(1));

        time.Advance(TimeSpan.FromSeconds(30));
        var sensed = (await zone.Sensor.ReadAsync(CancellationToken.None)).Temperature;

        Assert.True(sensed < zone.BlockTemperature, "a probe in a well reads behind the block");
        Assert.True(sensed.DegreesCelsius > 22.5, "but follows it");
    }

    [Fact]
    public void A_disconnected_heater_produces_no_heat_and_a_door_opened_cools_the_block()
    {
        var time = new FakeTimeProvider();
        var zone = new SimulatedThermalZone(new ThermalPlantParameters(), time, "z") { HeaterDisconnected = true };
        zone.Heater.SetDuty(Ratio.FromDecimalFractions(1));
        time.Advance(TimeSpan.FromMinutes(10));
        Assert.Equal(22.0, zone.BlockTemperature.DegreesCelsius, 3);

        zone.HeaterDisconnected = false;
        zone.Heater.SetDuty(Ratio.FromDecimalFractions(0.25));
        time.Advance(TimeSpan.FromHours(2));
        var closed = zone.BlockTemperature.DegreesCelsius;
        zone.AmbientLossMultiplier = 2;
        time.Advance(TimeSpan.FromHours(2));

        Assert.Equal(closed - 20 * 0.25 * 4 / 2, zone.BlockTemperature.DegreesCelsius, 1);
    }

    [Fact]
    public async Task An_open_sensor_is_a_sensor_fault()
    {
        var zone = new SimulatedThermalZone(new ThermalPlantParameters(), new FakeTimeProvider(), "z") { SensorOpen = true };

        var fault = await Assert.ThrowsAsync<HardwareFaultException>(() => zone.Sensor.ReadAsync(CancellationToken.None).AsTask());

        Assert.Equal(FaultKind.SensorFault, fault.Kind);
    }

    [Fact]
    public void Duty_outside_zero_to_one_is_refused()
    {
        var zone = new SimulatedThermalZone(new ThermalPlantParameters(), new FakeTimeProvider(), "z");

        Assert.Throws<ArgumentOutOfRangeException>(() => zone.Heater.SetDuty(Ratio.FromDecimalFractions(1.2)));
        Assert.Throws<ArgumentOutOfRangeException>(() => zone.Heater.SetDuty(Ratio.FromDecimalFractions(-0.01)));
    }
}
