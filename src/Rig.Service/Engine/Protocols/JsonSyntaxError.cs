using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Rig.Service.Engine.Protocols;

/// <summary>Where a JSON text stops being JSON, in the reader's words for a person: line, column, the key near it, what was expected.</summary>
/// <param name="Line">1-based line.</param>
/// <param name="Column">1-based column, in characters.</param>
/// <param name="Near">The key or element last read before the problem ("steps[2]", "safety.voltage"), or null at the top.</param>
/// <param name="Message">What is wrong and what was expected there, without the position.</param>
public sealed record JsonSyntaxProblem(int Line, int Column, string? Near, string Message)
{
    /// <summary>"line 3, column 14 (after steps[2])".</summary>
    public string Location => $"line {Line}, column {Column}" + (Near is null ? "" : $" (after {Near})");
}

/// <summary>
/// Turns a <see cref="JsonException"/> from parsing a user's file (a preset, a protocol in a command, a sidecar) into
/// the user's words. The runtime's own text ("'0x00' is an invalid start of a value. LineNumber: 0 |
/// BytePositionInLine: 0.") names reader internals; this re-reads the text with the same options, keeps the path of
/// keys read so far and says what was found and what could stand there.
/// </summary>
public static class JsonSyntaxError
{
    private const int MaxKeyChars = 40;
    private const int MaxNearChars = 80;

    public static JsonSyntaxProblem Describe(string text, JsonException exception, JsonDocumentOptions options)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(exception);
        var bytes = Encoding.UTF8.GetBytes(text);
        var maxDepth = options.MaxDepth > 0 ? options.MaxDepth : 64;
        var reader = new Utf8JsonReader(bytes, new JsonReaderOptions
        {
            AllowTrailingCommas = options.AllowTrailingCommas,
            CommentHandling = options.CommentHandling,
            MaxDepth = maxDepth,
        });
        var frames = new List<Frame>();
        var last = JsonTokenType.None;
        long consumed = 0;
        JsonException? failure = null;
        try
        {
            while (reader.Read())
            {
                Track(ref reader, frames);
                last = reader.TokenType;
                consumed = reader.BytesConsumed;
            }
        }
        catch (JsonException ex)
        {
            failure = ex;
        }
        // The same options read it without complaint (should not happen): the caller's exception still has a line.
        failure ??= exception;
        var offset = Offset(bytes, failure.LineNumber ?? 0, failure.BytePositionInLine ?? 0);
        var line = (int)(failure.LineNumber ?? 0) + 1;
        var column = Column(bytes, offset);
        var near = Near(frames);
        var found = Found(bytes, offset);
        string message;
        if (bytes.All(b => b is (byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n'))
        {
            message = "the text is empty; expected a JSON object";
        }
        else if (frames.Count >= maxDepth && offset < bytes.Length && bytes[offset] is (byte)'{' or (byte)'[')
        {
            message = $"nested deeper than {maxDepth} levels of objects and arrays";
        }
        else if (frames.Count == 0 && last != JsonTokenType.None)
        {
            message = $"{found} after the end of the JSON value; nothing may follow it";
        }
        else
        {
            message = $"{found}; expected {Expected(bytes, offset, consumed, frames, last)}";
        }
        return new JsonSyntaxProblem(line, column, near, message);
    }

    private static void Track(ref Utf8JsonReader reader, List<Frame> frames)
    {
        var token = reader.TokenType;
        if (token is JsonTokenType.EndObject or JsonTokenType.EndArray)
        {
            if (frames.Count > 0)
            {
                frames.RemoveAt(frames.Count - 1);
            }
            return;
        }
        if (token == JsonTokenType.PropertyName)
        {
            var name = reader.GetString() ?? "";
            frames[^1].Key = name.Length > MaxKeyChars ? name[..MaxKeyChars] + "…" : name;
            return;
        }
        if (token == JsonTokenType.Comment)
        {
            return;
        }
        // A value: counts as an element of the array it is in.
        if (frames.Count > 0 && frames[^1].IsArray)
        {
            frames[^1].Count++;
        }
        if (token is JsonTokenType.StartObject or JsonTokenType.StartArray)
        {
            frames.Add(new Frame(token == JsonTokenType.StartArray));
        }
    }

    private static string? Near(List<Frame> frames)
    {
        var path = new StringBuilder();
        foreach (var frame in frames)
        {
            if (frame.IsArray && frame.Count > 0)
            {
                path.Append(CultureInfo.InvariantCulture, $"[{frame.Count - 1}]");
            }
            else if (!frame.IsArray && frame.Key is { } key)
            {
                path.Append(path.Length > 0 ? "." : "").Append(key);
            }
            else
            {
                break;
            }
        }
        // Deep nesting must not make the message as long as the file: the innermost part is the useful one.
        return path.Length == 0 ? null : path.Length > MaxNearChars ? "…" + path.ToString(path.Length - MaxNearChars, MaxNearChars) : path.ToString();
    }

    private static string Expected(byte[] bytes, int offset, long consumed, List<Frame> frames, JsonTokenType last)
    {
        const string value = "a value (a quoted string, a number, true, false, null, an object or an array)";
        if (frames.Count == 0)
        {
            return "a JSON object starting with '{'";
        }
        var inArray = frames[^1].IsArray;
        var at = PreviousIndex(bytes, offset);
        var previous = at >= 0 ? (char)bytes[at] : '\0';
        if (last == JsonTokenType.PropertyName)
        {
            return value;
        }
        if (!inArray && previous == '"' && at >= consumed)
        {
            // A string the reader had not yet taken as a token: a key with no ':' after it.
            return "':' after the key";
        }
        if (previous == ',' || last == JsonTokenType.StartObject || last == JsonTokenType.StartArray)
        {
            return inArray ? $"{value} or ']'" : "a key in double quotes" + (last == JsonTokenType.StartObject ? " or '}'" : "");
        }
        return inArray ? "',' or ']'" : "',' or '}'";
    }

    private static string Found(byte[] bytes, int offset)
    {
        if (offset >= bytes.Length)
        {
            return "the text ends too early (an unclosed string, object or array)";
        }
        if (System.Text.Rune.DecodeFromUtf8(bytes.AsSpan(offset), out var rune, out _) != System.Buffers.OperationStatus.Done
            || rune.Value == 0xFFFD)
        {
            return "a byte that is not UTF-8 text (a binary file, or text in another encoding)";
        }
        if (rune.Value is '\t' or '\n' or '\r')
        {
            // Whitespace is fine between tokens, so the reader stopped on it inside a quoted string.
            var (name, escape) = rune.Value switch { '\t' => ("a tab", "\\t"), '\n' => ("a line break", "\\n"), _ => ("a carriage return", "\\r") };
            return $"{name} (U+{rune.Value:X4}) inside a quoted string, where JSON does not allow it (write it as {escape})";
        }
        if (System.Text.Rune.IsControl(rune))
        {
            return $"a control character (U+{rune.Value:X4}), not text (a binary file?)";
        }
        return $"'{rune}' is not allowed here";
    }

    // The absolute byte offset of a 0-based line and byte in that line.
    private static int Offset(byte[] bytes, long line, long byteInLine)
    {
        var at = 0;
        for (var l = 0L; l < line && at < bytes.Length; at++)
        {
            if (bytes[at] == '\n')
            {
                l++;
            }
        }
        return (int)Math.Min(bytes.Length, at + byteInLine);
    }

    private static int Column(byte[] bytes, int offset)
    {
        var start = offset;
        while (start > 0 && bytes[start - 1] != '\n')
        {
            start--;
        }
        return Encoding.UTF8.GetCharCount(bytes, start, offset - start) + 1;
    }

    private static int PreviousIndex(byte[] bytes, int offset)
    {
        var at = Math.Min(offset, bytes.Length) - 1;
        while (at >= 0 && bytes[at] is (byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n')
        {
            at--;
        }
        return at;
    }

    private sealed class Frame(bool isArray)
    {
        public bool IsArray { get; } = isArray;
        public int Count { get; set; }
        public string? Key { get; set; }
    }
}
