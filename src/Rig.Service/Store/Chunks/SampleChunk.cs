using System.Text;
using Rig.Service.Recording;

namespace Rig.Service.Store.Chunks;

/// <summary>
/// A block of one test's samples packed column by column into one blob (format <see cref="FormatVersion"/>, described
/// in docs/telemetry.md "Sample chunks"). Integers (record index, time in ms, cycle, step) as deltas or deltas of
/// deltas, the step type from a small dictionary, step ends as one bit, doubles through <see cref="DoubleColumn"/>
/// (bit-exact), nullable columns behind a presence map. Timestamps keep the store's millisecond resolution.
/// </summary>
internal static class SampleChunk
{
    /// <summary>The first byte of every chunk; a reader refuses a format it does not know rather than guess.</summary>
    public const byte FormatVersion = 1;

    private const int AllAbsent = 0;
    private const int AllPresent = 1;
    private const int SomePresent = 2;

    public static byte[] Encode(IReadOnlyList<(long RecordIndex, TestSampleRecord Sample)> rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        if (rows.Count == 0)
        {
            throw new ArgumentException("A chunk holds at least one sample.", nameof(rows));
        }
        var n = rows.Count;
        var output = new BitWriter(n * 24);
        output.Write(FormatVersion, 8);
        output.WriteUnsigned((ulong)n);
        WriteIntegers(output, rows, r => r.RecordIndex, deltaOfDelta: true);
        WriteIntegers(output, rows, r => r.Sample.Timestamp.ToUnixTimeMilliseconds(), deltaOfDelta: true);
        WriteDoubles(output, rows, s => s.TestTimeSeconds);
        WriteDoubles(output, rows, s => s.StepTimeSeconds);
        WriteIntegers(output, rows, r => r.Sample.Cycle, deltaOfDelta: false);
        WriteIntegers(output, rows, r => r.Sample.StepIndex, deltaOfDelta: false);
        WriteStepTypes(output, rows);
        WriteDoubles(output, rows, s => s.VoltageVolts);
        WriteDoubles(output, rows, s => s.CurrentAmperes);
        var charge = WriteDoubles(output, rows, s => s.ChargeCapacityAmpHours);
        var discharge = WriteDoubles(output, rows, s => s.DischargeCapacityAmpHours);
        // A step's capacity moves as the cycle's charge or discharge does (predicted from their sum's step).
        WriteDoubles(output, rows, s => s.StepCapacityAmpHours, Moved(charge, discharge));
        var force = WriteNullable(output, rows, s => s.ForceNewtons, null);
        // Stack pressure is the force over the cell's area: predicted from the force when both are present together.
        WriteNullable(output, rows, s => s.StackPressurePascals, force);
        WriteNullable(output, rows, s => s.TemperatureCelsius, null);
        foreach (var row in rows)
        {
            output.WriteBit(row.Sample.StepEnd);
        }
        return output.ToArray();
    }

    public static List<(long RecordIndex, TestSampleRecord Sample)> Decode(ReadOnlySpan<byte> data, string testId, string channelId)
    {
        var input = new BitReader(data);
        var version = (int)input.Read(8);
        if (version != FormatVersion)
        {
            throw new InvalidDataException($"Sample chunk format {version} is not known to this version of the service (it reads format {FormatVersion}).");
        }
        var n = checked((int)input.ReadUnsigned());
        if (n is <= 0 or > 1_000_000)
        {
            throw new InvalidDataException($"Sample chunk corrupt (count {n}).");
        }
        var index = ReadIntegers(ref input, n, deltaOfDelta: true);
        var unixMs = ReadIntegers(ref input, n, deltaOfDelta: true);
        var testTime = ReadDoubles(ref input, n);
        var stepTime = ReadDoubles(ref input, n);
        var cycle = ReadIntegers(ref input, n, deltaOfDelta: false);
        var step = ReadIntegers(ref input, n, deltaOfDelta: false);
        var stepType = ReadStepTypes(ref input, n);
        var voltage = ReadDoubles(ref input, n);
        var current = ReadDoubles(ref input, n);
        var charge = ReadDoubles(ref input, n);
        var discharge = ReadDoubles(ref input, n);
        var stepCapacity = ReadDoubles(ref input, n, Moved(charge, discharge));
        var force = ReadNullable(ref input, n, null);
        var pressure = ReadNullable(ref input, n, force);
        var temperature = ReadNullable(ref input, n, null);
        var rows = new List<(long, TestSampleRecord)>(n);
        for (var i = 0; i < n; i++)
        {
            rows.Add((index[i], new TestSampleRecord(testId, channelId, DateTimeOffset.FromUnixTimeMilliseconds(unixMs[i]), testTime[i], stepTime[i],
                checked((int)cycle[i]), checked((int)step[i]), stepType[i], voltage[i], current[i], stepCapacity[i], charge[i], discharge[i],
                force[i], pressure[i], temperature[i], input.ReadBit())));
        }
        return rows;
    }

    private static void WriteIntegers(BitWriter output, IReadOnlyList<(long RecordIndex, TestSampleRecord Sample)> rows, Func<(long RecordIndex, TestSampleRecord Sample), long> value, bool deltaOfDelta)
    {
        var previous = value(rows[0]);
        output.WriteSigned(previous);
        long previousDelta = 0;
        for (var i = 1; i < rows.Count; i++)
        {
            var current = value(rows[i]);
            var delta = unchecked(current - previous);
            output.WriteSigned(deltaOfDelta ? unchecked(delta - previousDelta) : delta);
            previous = current;
            previousDelta = delta;
        }
    }

    private static long[] ReadIntegers(ref BitReader input, int n, bool deltaOfDelta)
    {
        var values = new long[n];
        values[0] = input.ReadSigned();
        long previousDelta = 0;
        for (var i = 1; i < n; i++)
        {
            var coded = input.ReadSigned();
            var delta = deltaOfDelta ? unchecked(coded + previousDelta) : coded;
            values[i] = unchecked(values[i - 1] + delta);
            previousDelta = delta;
        }
        return values;
    }

    /// <summary>charge + discharge per row: the step capacity's reference (one of the two moves while the other holds).</summary>
    private static double[] Moved(double[] charge, double[] discharge)
    {
        var sum = new double[charge.Length];
        for (var i = 0; i < sum.Length; i++)
        {
            sum[i] = charge[i] + discharge[i];
        }
        return sum;
    }

    private static double[] WriteDoubles(BitWriter output, IReadOnlyList<(long RecordIndex, TestSampleRecord Sample)> rows, Func<TestSampleRecord, double> value, double[]? reference = null)
    {
        var values = new double[rows.Count];
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = value(rows[i].Sample);
        }
        DoubleColumn.Write(output, values, reference);
        return values;
    }

    private static double[] ReadDoubles(ref BitReader input, int n, double[]? reference = null)
    {
        var values = new double[n];
        DoubleColumn.Read(ref input, values, reference);
        return values;
    }

    /// <summary>
    /// A nullable column: presence, then its present values. <paramref name="reference"/> (another nullable column of
    /// the chunk) is offered to the double codec only where both are present on exactly the same rows.
    /// </summary>
    private static double?[] WriteNullable(BitWriter output, IReadOnlyList<(long RecordIndex, TestSampleRecord Sample)> rows, Func<TestSampleRecord, double?> value, double?[]? reference)
    {
        var column = new double?[rows.Count];
        var present = new List<double>(rows.Count);
        for (var i = 0; i < rows.Count; i++)
        {
            column[i] = value(rows[i].Sample);
            if (column[i] is { } v)
            {
                present.Add(v);
            }
        }
        var presence = present.Count == 0 ? AllAbsent : present.Count == rows.Count ? AllPresent : SomePresent;
        output.Write((ulong)presence, 2);
        if (presence == SomePresent)
        {
            foreach (var row in rows)
            {
                output.WriteBit(value(row.Sample).HasValue);
            }
        }
        DoubleColumn.Write(output, present.ToArray(), Aligned(column, reference));
        return column;
    }

    /// <summary>The reference's values on the rows where the column has one, if the two are present on the same rows; else empty.</summary>
    private static double[] Aligned(double?[] column, double?[]? reference)
    {
        if (reference is null)
        {
            return [];
        }
        var aligned = new List<double>(column.Length);
        for (var i = 0; i < column.Length; i++)
        {
            if (column[i].HasValue != reference[i].HasValue)
            {
                return [];
            }
            if (reference[i] is { } r)
            {
                aligned.Add(r);
            }
        }
        return [.. aligned];
    }

    private static double?[] ReadNullable(ref BitReader input, int n, double?[]? reference)
    {
        var presence = (int)input.Read(2);
        var has = new bool[n];
        var count = 0;
        for (var i = 0; i < n; i++)
        {
            has[i] = presence switch
            {
                AllAbsent => false,
                AllPresent => true,
                SomePresent => input.ReadBit(),
                _ => throw new InvalidDataException("Sample chunk corrupt (presence)."),
            };
            count += has[i] ? 1 : 0;
        }
        var values = new double[count];
        var result = new double?[n];
        var presentOnly = new double?[n];
        for (var i = 0; i < n; i++)
        {
            presentOnly[i] = has[i] ? 0 : null;
        }
        DoubleColumn.Read(ref input, values, Aligned(presentOnly, reference));
        for (int i = 0, j = 0; i < n; i++)
        {
            result[i] = has[i] ? values[j++] : null;
        }
        return result;
    }

    /// <summary>A dictionary of the chunk's step types (8 bits of count, each as UTF-8 with its length), then per row '0' = same as before or '1' + its index.</summary>
    private static void WriteStepTypes(BitWriter output, IReadOnlyList<(long RecordIndex, TestSampleRecord Sample)> rows)
    {
        var names = new List<string>();
        foreach (var row in rows)
        {
            if (!names.Contains(row.Sample.StepType, StringComparer.Ordinal))
            {
                names.Add(row.Sample.StepType);
            }
        }
        output.WriteUnsigned((ulong)names.Count);
        foreach (var name in names)
        {
            var bytes = Encoding.UTF8.GetBytes(name);
            output.WriteUnsigned((ulong)bytes.Length);
            foreach (var b in bytes)
            {
                output.Write(b, 8);
            }
        }
        var width = IndexWidth(names.Count);
        string? previous = null;
        foreach (var row in rows)
        {
            if (previous is not null && string.Equals(previous, row.Sample.StepType, StringComparison.Ordinal))
            {
                output.WriteBit(false);
                continue;
            }
            output.WriteBit(true);
            output.Write((ulong)names.IndexOf(row.Sample.StepType), width);
            previous = row.Sample.StepType;
        }
    }

    private static string[] ReadStepTypes(ref BitReader input, int n)
    {
        var count = checked((int)input.ReadUnsigned());
        if (count is <= 0 or > 1_000_000)
        {
            throw new InvalidDataException("Sample chunk corrupt (step types).");
        }
        var names = new string[count];
        for (var i = 0; i < count; i++)
        {
            var bytes = new byte[checked((int)input.ReadUnsigned())];
            for (var b = 0; b < bytes.Length; b++)
            {
                bytes[b] = (byte)input.Read(8);
            }
            names[i] = Encoding.UTF8.GetString(bytes);
        }
        var width = IndexWidth(count);
        var values = new string[n];
        string? previous = null;
        for (var i = 0; i < n; i++)
        {
            if (!input.ReadBit())
            {
                values[i] = previous ?? throw new InvalidDataException("Sample chunk corrupt (step type).");
                continue;
            }
            var at = (int)input.Read(width);
            previous = values[i] = at < count ? names[at] : throw new InvalidDataException("Sample chunk corrupt (step type index).");
        }
        return values;
    }

    private static int IndexWidth(int count) => Math.Max(1, 32 - System.Numerics.BitOperations.LeadingZeroCount((uint)(count - 1)));
}
