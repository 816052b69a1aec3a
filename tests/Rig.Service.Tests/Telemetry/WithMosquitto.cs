namespace Rig.Service.Tests.Telemetry;

/// <summary>
/// A real mosquitto on a free port and a scratch folder for each test of the class that derives from this one, both gone
/// after the test.
/// </summary>
public abstract class WithMosquitto(string folderPrefix) : IAsyncLifetime
{
    protected string Folder { get; } = Directory.CreateTempSubdirectory(folderPrefix).FullName;

    protected MosquittoBroker Broker { get; private set; } = null!;

    public async Task InitializeAsync() => Broker = await MosquittoBroker.StartAsync();

    public async Task DisposeAsync()
    {
        await Broker.DisposeAsync();
        Directory.Delete(Folder, true);
    }
}
