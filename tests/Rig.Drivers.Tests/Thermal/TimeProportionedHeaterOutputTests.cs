using System.Device.Gpio;
using CsCheck;
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

        _time.Advance(TimeSpan.FromSeconds(3)); // the dead-man time: off then, not at the next cycle start

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

    [Theory]
    [InlineData(0.0, 0.6, true)]  // off for the whole cycle: used to wait for the next 2 s cycle to turn on
    [InlineData(1.0, 0.2, false)] // on for the whole cycle: used to stay on to the end of it
    [InlineData(0.9, 0.1, false)] // a shorter on-time already over: off now
    public void A_new_duty_applies_at_once_within_the_running_cycle(double from, double to, bool onAfter)
    {
        _output.SetDuty(Ratio.FromDecimalFractions(from));
        _time.Advance(TimeSpan.FromMilliseconds(500));

        _output.SetDuty(Ratio.FromDecimalFractions(to));

        Assert.Equal(onAfter ? PinValue.High : PinValue.Low, _driver.Level(Pin));
    }

    [Fact]
    public void Cycles_keep_their_length_when_the_duty_changes_in_the_off_phase()
    {
        _output.SetDuty(Ratio.FromDecimalFractions(0.25));
        _time.Advance(TimeSpan.FromMilliseconds(1000)); // off phase of the first cycle
        _output.SetDuty(Ratio.FromDecimalFractions(0.1));
        _time.Advance(TimeSpan.FromMilliseconds(1000));
        _output.SetDuty(Ratio.FromDecimalFractions(0.1));
        _time.Advance(TimeSpan.FromMilliseconds(1000));
        _output.SetDuty(Ratio.FromDecimalFractions(0.1));
        _time.Advance(TimeSpan.FromMilliseconds(1000));

        var rising = _driver.Writes.Where(w => w.Level == PinValue.High).Select(w => w.At - _driver.Writes[0].At).ToList();
        Assert.Equal([TimeSpan.Zero, TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(4)], rising);
    }

    [Fact]
    public void The_dead_man_cuts_the_line_at_its_time_out_wherever_in_the_cycle_it_falls()
    {
        _output.SetDuty(Ratio.FromDecimalFractions(0.9));
        _time.Advance(TimeSpan.FromMilliseconds(700));
        _output.SetDuty(Ratio.FromDecimalFractions(1.0)); // last refresh, 0.7 s into a cycle

        _time.Advance(TimeSpan.FromMilliseconds(2990));
        Assert.Equal(PinValue.High, _driver.Level(Pin));
        _time.Advance(TimeSpan.FromMilliseconds(10));

        Assert.Equal(PinValue.Low, _driver.Level(Pin)); // 3 s after the refresh, mid-cycle (the old check waited for 4 s)
        Assert.True(_output.DeadManTripped);
    }

    /// <summary>
    /// The invariant behind the slow PWM: at every moment the line is on exactly when the time since the cycle
    /// start (cycles every 2 s from the first SetDuty) is under the current duty x cycle, whatever the duty sequence
    /// and the refresh times, apart from the SSR's minimum switch time around each edge.
    /// </summary>
    [Fact]
    public void The_line_follows_the_current_duty_at_every_moment_of_fixed_length_cycles()
    {
        Gen.Select(Gen.Int[1, 150], Gen.Int[0, 20]).Array[1, 40].Sample(steps =>
        {
            var time = new FakeTimeProvider(new DateTimeOffset(2026, 1, 5, 8, 0, 0, TimeSpan.Zero));
            var driver = new RecordingGpioDriver(time);
            using var output = new TimeProportionedHeaterOutput(new GpioController(driver), Pin, activeHigh: true, Cycle,
                TimeSpan.FromSeconds(3), TimeSpan.FromMilliseconds(20), time, ownsController: true);
            var start = time.GetUtcNow();
            foreach (var (delay10ms, duty20ths) in steps)
            {
                var duty = duty20ths / 20.0;
                output.SetDuty(Ratio.FromDecimalFractions(duty));
                for (var t = 0; t < delay10ms; t++) // the next refresh comes 10 ms .. 1.5 s later, sampled every 10 ms
                {
                    var intoCycle = (time.GetUtcNow() - start).TotalMilliseconds % Cycle.TotalMilliseconds;
                    var onMs = duty * Cycle.TotalMilliseconds;
                    if (Math.Abs(intoCycle - onMs) > 20 && intoCycle > 20 && duty is > 0.01 and < 0.99)
                    {
                        var expected = intoCycle < onMs ? PinValue.High : PinValue.Low;
                        if (driver.Level(Pin) != expected)
                        {
                            throw new InvalidOperationException($"at {intoCycle} ms into a cycle with duty {duty} the line was {driver.Level(Pin)}");
                        }
                    }
                    time.Advance(TimeSpan.FromMilliseconds(10));
                }
            }
        }, iter: 200);
    }

    [Fact]
    public void Duty_outside_zero_to_one_is_refused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => _output.SetDuty(Ratio.FromDecimalFractions(1.5)));
    }
}
