using Rig.Service.Tests.Support;
namespace Rig.Service.Tests.Deploy;

[Collection("Deploy")]
[Trait("Category", TestCategories.OutOfProcess)]
public class MosquittoAclTests
{
    [Fact]
    public async Task Shipped_mosquitto_configuration_refuses_anonymous_dashboards_commanding_rigs_writing_other_rigs_or_their_own_commands_and_client_id_takeover_and_bridges_across_a_cut()
    {
        DeployScripts.RequireTool("mosquitto", "mosquitto");
        DeployScripts.RequireTool("mosquitto_pub", "mosquitto-clients");
        DeployScripts.RequireTool("openssl", "openssl");

        var (exitCode, output) = await DeployScripts.RunAsync(Path.Combine(DeployScripts.RepositoryRoot, "deploy/test/acl-test.sh"), [], TimeSpan.FromSeconds(120));

        Assert.True(exitCode == 0, output);
        Assert.Contains("PASS: anonymous client refused", output);
        Assert.Contains("PASS: dashboard cannot publish commands", output);
        Assert.Contains("PASS: rig cannot write another rig's tree", output);
        Assert.Contains("PASS: operator command reached the rig", output);
        Assert.Contains("PASS: message published during a cut arrives after it", output);
        Assert.Contains("PASS: client ids without the anodefreerig- prefix are refused on the lab broker", output);
        Assert.Contains("PASS: no account can disconnect the rig's bridge or service by client id", output);
        Assert.Contains("PASS: bridge and service still carry commands after the attempts", output);
        Assert.Contains("PASS: a rig cannot publish into its own commands or outside its tree (lab and rig broker)", output);
        Assert.Contains("PASS: a rig publishes replies under replies and reply/…, and zone states", output);
        Assert.DoesNotContain("FAIL", output);
    }
}
