using Rig.Service.Tests.Support;
using Rig.Service.Tests.Deploy;
using Xunit.Abstractions;

namespace Rig.Service.Tests.Dashboard;

/// <summary>The dashboard's own logic (dedupe, ordering, history, parameters, wording) under Node's test runner.</summary>
[Trait("Category", TestCategories.OutOfProcess)]
public sealed class DashboardUnitTests(ITestOutputHelper log)
{
    [Fact]
    public async Task The_dashboards_model_and_formatting_tests_pass_under_node()
    {
        var dashboard = Path.Combine(DeployScripts.RepositoryRoot, "dashboard");
        var (exit, output) = await DeployScripts.RunAsync("node", ["--test", "test/"], TimeSpan.FromMinutes(2), null, dashboard);
        log.WriteLine(output);
        Assert.True(exit == 0, output);
        Assert.Contains("# fail 0", output, StringComparison.Ordinal);
    }
}
