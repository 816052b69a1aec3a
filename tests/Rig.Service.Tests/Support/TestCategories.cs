namespace Rig.Service.Tests.Support;

/// <summary>
/// Trait values for <c>[Trait("Category", ...)]</c>. Tests that start another process (mosquitto, the service
/// executable, bash, node, Chromium, PostgreSQL, systemd-analyze) are <see cref="OutOfProcess"/>, so a fast inner loop
/// can skip them: <c>dotnet test AnodeFreeRig.sln --filter "Category!=OutOfProcess"</c>. The README's test command
/// runs everything.
/// </summary>
internal static class TestCategories
{
    public const string OutOfProcess = "OutOfProcess";
}
