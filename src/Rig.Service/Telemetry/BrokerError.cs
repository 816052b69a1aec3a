using System.Net.Sockets;

namespace Rig.Service.Telemetry;

/// <summary>
/// Why a broker could not be reached, in words a person can act on. MQTTnet's own message names the endpoint as
/// .NET prints a DnsEndPoint ("Error while connecting with host 'Unspecified/127.0.0.1:1883'"); the socket error
/// underneath ("Connection refused", "Name or service not known") is the useful part, and the log line already
/// names the broker.
/// </summary>
public static class BrokerError
{
    public static string Describe(Exception error)
    {
        ArgumentNullException.ThrowIfNull(error);
        for (Exception? e = error; e is not null; e = e.InnerException)
        {
            if (e is SocketException socket)
            {
                return socket.Message;
            }
        }
        if (error is OperationCanceledException)
        {
            return "no answer in time";
        }
        var innermost = error;
        while (innermost.InnerException is { } inner)
        {
            innermost = inner;
        }
        return innermost.Message.Replace("Unspecified/", "", StringComparison.Ordinal);
    }
}
