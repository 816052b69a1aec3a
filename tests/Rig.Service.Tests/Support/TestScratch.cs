namespace Rig.Service.Tests.Support;

/// <summary>
/// Scratch state directories for in-process test rigs: one folder per test process under the temp directory, removed
/// when the process exits (a test rig has no Dispose, and thousands of rigs per run used to stay in /tmp for ever).
/// </summary>
internal static class TestScratch
{
    private static readonly string Root = CreateRoot();

    /// <summary>A fresh, not yet created directory path for one rig's state.</summary>
    public static string NewStateDirectory() => Path.Combine(Root, Guid.NewGuid().ToString("N"));

    private static string CreateRoot()
    {
        var root = Path.Combine(Path.GetTempPath(), "afr-testrig", Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture));
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            try
            {
                Directory.Delete(root, recursive: true);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                // Best effort: a folder left behind is litter, not a failure of the run.
            }
        };
        return root;
    }
}
