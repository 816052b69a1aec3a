using System.Globalization;

namespace Rig.Bench;

/// <summary>Resident memory of a process from /proc (what the kernel holds in RAM for it, shared pages included).</summary>
internal static class ProcessMemory
{
    /// <summary>VmRSS in KiB; 0 when the process is gone.</summary>
    public static long ResidentKiB(int pid)
    {
        try
        {
            var line = File.ReadLines($"/proc/{pid}/status").FirstOrDefault(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
            return line is null ? 0 : long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);
        }
        catch (IOException)
        {
            return 0;
        }
    }
}
