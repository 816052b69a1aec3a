using System.Globalization;

namespace Rig.Drivers.Potentiostats.Scpi.Transports;

/// <summary>Which link to build, parsed from the channel's Address option.</summary>
public enum ScpiLinkKind
{
    Tcp,
    Serial,
    Usbtmc,
}

/// <summary>
/// An instrument address: "tcp://host:5025" (port defaults to 5025), "serial:///dev/ttyUSB0?baud=9600&amp;term=lf"
/// (baud defaults to 9600, term = lf | cr | crlf), "usbtmc:///dev/usbtmc0".
/// </summary>
public sealed record ScpiAddress(ScpiLinkKind Kind, string Target, int Port, int BaudRate, string Terminator)
{
    public const int DefaultBaudRate = 9600;

    /// <summary>Parses an address; the message of the <see cref="FormatException"/> says what is wrong with it.</summary>
    public static ScpiAddress Parse(string address)
    {
        ArgumentNullException.ThrowIfNull(address);
        if (!Uri.TryCreate(address.Trim(), UriKind.Absolute, out var uri))
        {
            throw new FormatException($"'{address}' is not an instrument address (tcp://host:5025, serial:///dev/ttyUSB0?baud=9600, usbtmc:///dev/usbtmc0)");
        }
        var query = ParseQuery(uri.Query);
        switch (uri.Scheme)
        {
            case "tcp":
                if (string.IsNullOrEmpty(uri.Host))
                {
                    throw new FormatException($"'{address}' names no host");
                }
                return new ScpiAddress(ScpiLinkKind.Tcp, uri.Host, uri.IsDefaultPort || uri.Port < 0 ? TcpScpiTransport.DefaultPort : uri.Port, 0, "\n");
            case "serial":
                var baud = query.TryGetValue("baud", out var baudText)
                    ? int.TryParse(baudText, NumberStyles.None, CultureInfo.InvariantCulture, out var b) && b > 0 ? b : throw new FormatException($"'{address}': baud '{baudText}' is not a positive integer")
                    : DefaultBaudRate;
                return new ScpiAddress(ScpiLinkKind.Serial, DevicePath(uri, address), 0, baud, ParseTerminator(query, address));
            case "usbtmc":
                return new ScpiAddress(ScpiLinkKind.Usbtmc, DevicePath(uri, address), 0, 0, "\n");
            default:
                throw new FormatException($"'{address}': unknown scheme '{uri.Scheme}' (use tcp, serial or usbtmc)");
        }
    }

    /// <summary>Builds the transport this address names.</summary>
    public IScpiTransport CreateTransport(TimeSpan readTimeout) => Kind switch
    {
        ScpiLinkKind.Tcp => new TcpScpiTransport(Target, Port, Terminator),
        ScpiLinkKind.Serial => new SerialScpiTransport(Target, BaudRate, Terminator, readTimeout),
        _ => new UsbtmcScpiTransport(Target),
    };

    private static string DevicePath(Uri uri, string address)
    {
        var path = Uri.UnescapeDataString(uri.AbsolutePath);
        if (path.Length < 2)
        {
            throw new FormatException($"'{address}' names no device path (e.g. serial:///dev/ttyUSB0)");
        }
        return path;
    }

    private static string ParseTerminator(Dictionary<string, string> query, string address) =>
        query.TryGetValue("term", out var term)
            ? term.ToLowerInvariant() switch
            {
                "lf" => "\n",
                "cr" => "\r",
                "crlf" => "\r\n",
                _ => throw new FormatException($"'{address}': term '{term}' must be lf, cr or crlf"),
            }
            : "\n";

    private static Dictionary<string, string> ParseQuery(string query)
    {
        var result = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var pair in query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var parts = pair.Split('=', 2);
            result[parts[0]] = parts.Length > 1 ? Uri.UnescapeDataString(parts[1]) : "";
        }
        return result;
    }
}
