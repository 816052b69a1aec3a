using MQTTnet;
using MQTTnet.Adapter;
using MQTTnet.Channel;
using MQTTnet.Diagnostics.Logger;
using MQTTnet.Formatter;
using MQTTnet.Implementations;

namespace Rig.Mqtt;

/// <summary>
/// MQTTnet's client adapter factory (its MqttClientAdapterFactory, TCP part) with the connection wrapped by
/// <c>wrap</c>: MQTTnet keeps connecting, TLS, credentials, the session, keep-alive, reconnects and packet framing; the
/// wrapper changes how the bytes reach the socket. The client makes one adapter per connection; <see cref="Current"/>
/// is the newest.
/// </summary>
public sealed class WrappingAdapterFactory<TChannel> : IMqttClientAdapterFactory where TChannel : class, IMqttChannel
{
    private readonly Func<IMqttChannel, TChannel> _wrap;
    private volatile TChannel? _current;

    public WrappingAdapterFactory(Func<IMqttChannel, TChannel> wrap)
    {
        ArgumentNullException.ThrowIfNull(wrap);
        _wrap = wrap;
    }

    /// <summary>The channel of the newest connection (null before the first).</summary>
    public TChannel? Current => _current;

    public IMqttChannelAdapter CreateClientAdapter(MqttClientOptions options, MqttPacketInspector packetInspector, IMqttNetLogger logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.ChannelOptions is not MqttClientTcpOptions)
        {
            throw new NotSupportedException("Only a TCP connection (with or without TLS) to the broker is supported here.");
        }
        var channel = _wrap(new MqttTcpChannel(options));
        var formatter = new MqttPacketFormatterAdapter(options.ProtocolVersion, new MqttBufferWriter(options.WriterBufferSize, options.WriterBufferSizeMax));
        _current = channel;
        // Fragmentation off: every packet of the client is one write of whole bytes, so whatever the wrapper does with
        // writes (batch them, put packets of its own between them) never splits a packet.
        return new MqttChannelAdapter(channel, formatter, logger) { AllowPacketFragmentation = false, PacketInspector = packetInspector };
    }
}
