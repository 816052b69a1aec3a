using System.Device.Pwm;
using Microsoft.Extensions.Time.Testing;
using Rig.Drivers.Heaters.Pwm;
using UnitsNet;

namespace Rig.Drivers.Tests.Thermal;

public sealed class PwmHeaterOutputTests
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 1, 5, 8, 0, 0, TimeSpan.Zero));
    private readonly FakePwmChannel _channel = new();

    [Fact]
    public void The_duty_goes_to_the_channel_and_the_dead_man_stops_it_when_not_refreshed()
    {
        using var output = new PwmHeaterOutput(_channel, "pwmchip0/pwm0", TimeSpan.FromSeconds(3), _time, ownsChannel: false);

        output.SetDuty(Ratio.FromDecimalFractions(0.4));
        Assert.True(_channel.Running);
        Assert.Equal(0.4, _channel.DutyCycle);
        _time.Advance(TimeSpan.FromSeconds(2));
        output.SetDuty(Ratio.FromDecimalFractions(0.4));
        _time.Advance(TimeSpan.FromSeconds(2.9));
        Assert.True(_channel.Running);

        _time.Advance(TimeSpan.FromSeconds(0.2));

        Assert.False(_channel.Running);
        Assert.Equal(0, _channel.DutyCycle);
        Assert.True(output.DeadManTripped);
    }

    [Fact]
    public void Turn_off_zeroes_and_stops_the_channel()
    {
        using var output = new PwmHeaterOutput(_channel, "pwmchip0/pwm0", TimeSpan.FromSeconds(3), _time, ownsChannel: false);
        output.SetDuty(Ratio.FromDecimalFractions(1));

        output.TurnOff();

        Assert.False(_channel.Running);
        Assert.Equal(0, _channel.DutyCycle);
        Assert.False(output.DeadManTripped);
    }

    private sealed class FakePwmChannel : PwmChannel
    {
        public bool Running { get; private set; }

        public override int Frequency { get; set; } = 100;

        public override double DutyCycle { get; set; }

        public override void Start() => Running = true;

        public override void Stop() => Running = false;
    }
}
