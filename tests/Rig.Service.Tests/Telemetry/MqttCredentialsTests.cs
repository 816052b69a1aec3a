using Rig.Service.Tests.Support;
namespace Rig.Service.Tests.Telemetry;

/// <summary>A mosquitto that requires a login (allow_anonymous false, password_file); the password comes from a file.</summary>
[Trait("Category", TestCategories.OutOfProcess)]
public sealed class MqttCredentialsTests : IAsyncLifetime
{
    private readonly string _directory = Directory.CreateTempSubdirectory("rig-login-").FullName;
    private MosquittoBroker _broker = null!;

    public async Task InitializeAsync() => _broker = await MosquittoBroker.StartAsync(("rig-t", "s3cret-from-file"));

    public async Task DisposeAsync()
    {
        await _broker.DisposeAsync();
        Directory.Delete(_directory, true);
    }

    [Theory]
    [InlineData("s3cret-from-file\n", true)]
    [InlineData("wrong\n", false)]
    public async Task The_service_logs_in_with_the_password_from_its_file_and_only_with_the_right_one(string fileContent, bool accepted)
    {
        var passwordFile = Path.Combine(_directory, "mqtt-password");
        await File.WriteAllTextAsync(passwordFile, fileContent);
        await using var rig = new TelemetryHarness(_broker.Port, Path.Combine(_directory, "rig.db"));
        rig.Mqtt.Username = "rig-t";
        rig.Mqtt.PasswordFile = passwordFile;
        await using var watcher = await TestSubscriber.ConnectAsync(_broker.Port, $"{rig.Topics.Root}/status", login: ("rig-t", "s3cret-from-file"));

        if (accepted)
        {
            await rig.StartAsync();
            await watcher.WaitForAsync(r => r.Any(m => m.Text == "online"), TimeSpan.FromSeconds(10));
        }
        else
        {
            await Assert.ThrowsAsync<TaskCanceledException>(rig.StartAsync);
            Assert.False(rig.Connection.IsConnected);
            Assert.Empty(watcher.Received);
        }
    }
}
