using Rig.Drivers.Potentiostats.Scpi.Transports;

namespace Rig.Drivers.Tests.Potentiostats;

public sealed class ScpiAddressTests
{
    [Theory]
    [InlineData("tcp://10.0.0.5:5025", ScpiLinkKind.Tcp, "10.0.0.5", 5025)]
    [InlineData("tcp://smu-2450.lab", ScpiLinkKind.Tcp, "smu-2450.lab", 5025)]
    [InlineData("tcp://127.0.0.1:15025", ScpiLinkKind.Tcp, "127.0.0.1", 15025)]
    public void Tcp_addresses_default_to_the_raw_scpi_port(string text, ScpiLinkKind kind, string host, int port)
    {
        var address = ScpiAddress.Parse(text);

        Assert.Equal((kind, host, port), (address.Kind, address.Target, address.Port));
    }

    [Fact]
    public void Serial_addresses_carry_the_device_baud_and_terminator()
    {
        var address = ScpiAddress.Parse("serial:///dev/ttyUSB0?baud=57600&term=crlf");

        Assert.Equal((ScpiLinkKind.Serial, "/dev/ttyUSB0", 57600, "\r\n"), (address.Kind, address.Target, address.BaudRate, address.Terminator));
        Assert.Equal(ScpiAddress.DefaultBaudRate, ScpiAddress.Parse("serial:///dev/ttyS0").BaudRate);
    }

    [Fact]
    public void Usbtmc_addresses_name_the_kernel_device()
    {
        var address = ScpiAddress.Parse("usbtmc:///dev/usbtmc0");

        Assert.Equal((ScpiLinkKind.Usbtmc, "/dev/usbtmc0"), (address.Kind, address.Target));
        Assert.IsType<UsbtmcScpiTransport>(address.CreateTransport(TimeSpan.FromSeconds(1)));
    }

    [Theory]
    [InlineData("gpib://18")]
    [InlineData("10.0.0.5:5025")]
    [InlineData("serial:///dev/ttyUSB0?baud=fast")]
    [InlineData("serial:///dev/ttyUSB0?term=semicolon")]
    [InlineData("usbtmc://")]
    public void Addresses_the_rig_cannot_open_are_refused_with_a_reason(string text)
    {
        var error = Assert.Throws<FormatException>(() => ScpiAddress.Parse(text));

        Assert.Contains("'", error.Message);
    }
}
