using MQTTnet;
using MQTTnet.Adapter;
using MQTTnet.Diagnostics.Logger;
using MQTTnet.Formatter;
using MQTTnet.Implementations;

namespace Rig.Archive.Ingest;

/// <summary>
/// MQTTnet's client adapter factory (its MqttClientAdapterFactory, TCP part) with the connection wrapped in an
/// <see cref="ArchiveChannel"/>: MQTTnet keeps connecting, TLS, credentials, the session, keep-alive, reconnects and
/// packet framing; the archive gets buffered reads and one write for a batch's PUBACKs. The client makes one adapter
/// per connection; <see cref="Current"/> is the newest.
/// </summary>
public sealed class ArchiveAdapterFactory : IMqttClientAdapterFactory
{
    private volatile ArchiveChannel? _current;

    /// <summary>The channel of the newest connection (null before the first).</summary>
    public ArchiveChannel? Current => _current;

    public IMqttChannelAdapter CreateClientAdapter(MqttClientOptions options, MqttPacketInspector packetInspector, IMqttNetLogger logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.ChannelOptions is not MqttClientTcpOptions)
        {
            throw new NotSupportedException("The archive connects to the lab broker over TCP (with or without TLS).");
        }
        var channel = new ArchiveChannel(new MqttTcpChannel(options));
        var formatter = new MqttPacketFormatterAdapter(options.ProtocolVersion, new MqttBufferWriter(options.WriterBufferSize, options.WriterBufferSizeMax));
        _current = channel;
        // Fragmentation off: every packet of the client is one write, so a batch of PUBACKs can never land inside one.
        return new MqttChannelAdapter(channel, formatter, logger) { AllowPacketFragmentation = false, PacketInspector = packetInspector };
    }
}
