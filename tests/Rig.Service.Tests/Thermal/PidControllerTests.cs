using Rig.Drivers.TemperatureSensors;
using Rig.Service.Thermal;
using UnitsNet;

namespace Rig.Service.Tests.Thermal;

public sealed class PidControllerTests
{
    private static readonly DateTimeOffset Start = new(2026, 1, 5, 8, 0, 0, TimeSpan.Zero);
    private static readonly Temperature Forty = Temperature.FromDegreesCelsius(40);

    private static TemperatureReading At(double seconds, double celsius) =>
        new(Start.AddSeconds(seconds), Temperature.FromDegreesCelsius(celsius));

    private static PidController Pid(double kp = 0.4, double ki = 0.002, double kd = 3, double maxPower = 1.0) =>
        new(new PidGains(kp, ki, kd), Ratio.FromDecimalFractions(maxPower), TimeSpan.FromSeconds(4));

    [Fact]
    public void While_saturated_on_the_way_up_the_integral_does_not_wind_up()
    {
        var pid = Pid();
        for (var t = 0; t < 600; t++)
        {
            Assert.Equal(1.0, pid.Update(At(t, 22), Forty).DecimalFractions); // 18 K below: full power
        }
        Assert.Equal(0, pid.IntegralShare.DecimalFractions);
    }

    [Fact]
    public void Output_never_leaves_zero_to_max_power()
    {
        var pid = Pid(maxPower: 0.6);
        Assert.Equal(0.6, pid.Update(At(0, 10), Forty).DecimalFractions);
        Assert.Equal(0, pid.Update(At(1, 70), Forty).DecimalFractions);
    }

    [Fact]
    public void The_integral_share_is_clamped_to_max_power()
    {
        var pid = Pid(kp: 0, ki: 0.01, kd: 0, maxPower: 0.5);
        for (var t = 0; t < 1000; t++)
        {
            pid.Update(At(t, 39), Forty);
        }
        Assert.Equal(0.5, pid.IntegralShare.DecimalFractions, 9);
    }

    [Fact]
    public void A_setpoint_step_gives_no_derivative_kick()
    {
        var pid = Pid(kp: 0, ki: 0, kd: 5);
        pid.Update(At(0, 40), Forty);
        pid.Update(At(1, 40), Forty);

        var afterStep = pid.Update(At(2, 40), Temperature.FromDegreesCelsius(45));

        Assert.Equal(0, afterStep.DecimalFractions); // derivative acts on the measurement, which did not move
    }

    [Fact]
    public void The_derivative_brakes_a_rising_measurement_and_is_smoothed()
    {
        var pid = Pid(kp: 0, ki: 0, kd: 10);
        pid.Update(At(0, 30), Forty);
        pid.Update(At(1, 29), Forty); // falling 1 K/s: derivative pushes up, but smoothed over 4 s
        Assert.InRange(pid.RateKelvinPerSecond, -0.21, -0.19);
    }

    [Fact]
    public void Changing_gains_does_not_bump_the_integral_share()
    {
        var pid = Pid(kp: 0.4, ki: 0.002, kd: 0);
        for (var t = 0; t < 300; t++)
        {
            pid.Update(At(t, 39.9), Forty);
        }
        var integral = pid.IntegralShare;
        var before = pid.Update(At(300, 39.9), Forty);

        pid.SetGains(new PidGains(0.4, 0.02, 0));
        var after = pid.Update(At(301, 39.9), Forty);

        Assert.True(Math.Abs(after.DecimalFractions - before.DecimalFractions) < 0.01, $"{before} -> {after}");
        Assert.True(pid.IntegralShare >= integral);
    }

    [Fact]
    public void Time_comes_from_the_readings_timestamps_so_a_late_reading_integrates_its_real_interval()
    {
        var quick = Pid(kp: 0, ki: 0.001, kd: 0);
        var late = Pid(kp: 0, ki: 0.001, kd: 0);
        quick.Update(At(0, 39), Forty);
        late.Update(At(0, 39), Forty);

        quick.Update(At(1, 39), Forty);
        late.Update(At(10, 39), Forty);

        Assert.Equal(0.001, quick.IntegralShare.DecimalFractions, 9);
        Assert.Equal(0.010, late.IntegralShare.DecimalFractions, 9);
    }
}
