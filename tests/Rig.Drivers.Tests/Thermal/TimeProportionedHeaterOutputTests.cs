using System.Device.Gpio;
using Microsoft.Extensions.Time.Testing;
using Rig.Drivers.Heaters.Gpio;
using UnitsNet;

namespace Rig.Drivers.Tests.Thermal;

public sealed class TimeProportionedHeaterOutputTests
{
    private const int Pin = 17;
    private static readonly TimeSpan Cycle = TimeSpan.FromSeconds(2);
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 1, 5, 8, 0, 0, TimeSpan.Zero));
    private readonly RecordingGpioDriver _driver;
    private readonly TimeProportionedHeaterOutput _output;

    public TimeProportionedHeaterOutputTests()
    {
        _driver = new RecordingGpioDriver(_time);
        _output = new TimeProportionedHeaterOutput(new GpioController(_driver), Pin, activeHigh: true, Cycle,
            deadManTimeout: TimeSpan.FromSeconds(3), minimumSwitchTime: TimeSpan.FromMilliseconds(20), _time, ownsController: true);
    }

    [Fact]
    public void The_line_opens_low_so_the_heater_never_glitches_on_at_start_up()
    {
        Assert.All(_driver.Writes, w => Assert.Equal(PinValue.Low, w.Level));
        Assert.Equal(PinValue.Low, _driver.Level(Pin));
    }

    [Fact]
    public void A_quarter_duty_is_on_for_a_quarter_of_each_cycle()
    {
        var onTime = TimeSpan.Zero;
        _output.SetDuty(Ratio.FromDecimalFractions(0.25));
        for (var step = 0; step < 80; step++) // two 2 s cycles in 50 ms steps, refreshed like a 1 s control loop
        {
            if (_driver.Level(Pin) == PinValue.High)
            {
                onTime += TimeSpan.FromMilliseconds(50);
            }
            _time.Advance(TimeSpan.FromMilliseconds(50));
            if (step % 20 == 19)
            {
                _output.SetDuty(Ratio.FromDecimalFractions(0.25));
            }
        }
        Assert.Equal(TimeSpan.FromSeconds(1), onTime); // two cycles x 0.5 s
    }

    [Fact]
    public void Without_a_refresh_the_dead_man_turns_the_line_off_and_keeps_it_off()
    {
        _output.SetDuty(Ratio.FromDecimalFractions(1.0));
        Assert.Equal(PinValue.High, _driver.Level(Pin));

        _time.Advance(TimeSpan.FromSeconds(4)); // next cycle start after the 3 s dead-man time: off

        Assert.Equal(PinValue.Low, _driver.Level(Pin));
        Assert.True(_output.DeadManTripped);
        Assert.Equal(0, _output.Duty.DecimalFractions);
        _time.Advance(TimeSpan.FromSeconds(10));
        Assert.Equal(PinValue.Low, _driver.Level(Pin));
    }

    [Fact]
    public void Refreshing_in_time_keeps_a_full_duty_on()
    {
        _output.SetDuty(Ratio.FromDecimalFractions(1.0));
        for (var i = 0; i < 10; i++)
        {
            _time.Advance(TimeSpan.FromSeconds(1));
            _output.SetDuty(Ratio.FromDecimalFractions(1.0));
            Assert.Equal(PinValue.High, _driver.Level(Pin));
        }
        Assert.False(_output.DeadManTripped);
    }

    [Fact]
    public void Turn_off_drops_the_line_at_once_mid_cycle()
    {
        _output.SetDuty(Ratio.FromDecimalFractions(0.9));
        _time.Advance(TimeSpan.FromMilliseconds(300));

        _output.TurnOff();

        Assert.Equal(PinValue.Low, _driver.Level(Pin));
        _time.Advance(TimeSpan.FromSeconds(5));
        Assert.Equal(PinValue.Low, _driver.Level(Pin));
    }

    [Fact]
    public void An_on_time_shorter_than_the_ssr_can_switch_stays_off()
    {
        _output.SetDuty(Ratio.FromDecimalFractions(0.005)); // 10 ms of a 2 s cycle, under the 20 ms minimum

        Assert.Equal(PinValue.Low, _driver.Level(Pin));
    }

    [Fact]
    public void Duty_outside_zero_to_one_is_refused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => _output.SetDuty(Ratio.FromDecimalFractions(1.5)));
    }
}
