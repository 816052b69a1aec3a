using System.Security.Cryptography;
using Rig.Service.Store;
using Rig.Service.Tests.Support;

namespace Rig.Service.Tests.Hostile;

/// <summary>Issue 22: a store file that is corrupt at start is refused naming the file, and never modified.</summary>
public sealed class StoreIntegrityTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "rig-integrity-" + Guid.NewGuid().ToString("N"));

    public StoreIntegrityTests() => Directory.CreateDirectory(_directory);

    private string StorePath => Path.Combine(_directory, "rig.db");

    public void Dispose()
    {
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }

    [Fact]
    public void A_file_that_is_not_a_database_is_refused_and_left_as_it_was()
    {
        File.WriteAllBytes(StorePath, [.. Enumerable.Range(0, 8192).Select(i => (byte)(i * 7))]);
        var before = Hash(StorePath);

        var error = Assert.Throws<StoreDamagedException>(() => StoreIntegrity.Check(StorePath));

        Assert.Contains(StorePath, error.Message, StringComparison.Ordinal);
        Assert.Contains("not modified", error.Message, StringComparison.Ordinal);
        Assert.Equal(before, Hash(StorePath));
        Assert.Equal([StorePath], Directory.GetFiles(_directory));
    }

    [Fact]
    public void A_store_with_a_damaged_page_is_found_by_the_check_and_left_as_it_was()
    {
        using (var store = new RigStore(StorePath))
        {
            store.Compact(); // everything in the main file, no WAL
        }
        var bytes = File.ReadAllBytes(StorePath);
        var pageSize = bytes[16] << 8 | bytes[17];
        Assert.True(bytes.Length >= 3 * pageSize, $"{bytes.Length} bytes");
        // Page 2 onwards are b-tree pages of the schema's tables: scribble over one's header.
        for (var i = pageSize; i < pageSize + 64; i++)
        {
            bytes[i] = 0xA5;
        }
        File.WriteAllBytes(StorePath, bytes);
        var before = Hash(StorePath);

        var error = Assert.Throws<StoreDamagedException>(() => StoreIntegrity.Check(StorePath));

        Assert.Contains(StorePath, error.Message, StringComparison.Ordinal);
        Assert.Equal(before, Hash(StorePath));
    }

    [Fact]
    public void A_healthy_store_and_a_missing_one_pass()
    {
        StoreIntegrity.Check(StorePath);
        using (new RigStore(StorePath))
        {
        }

        StoreIntegrity.Check(StorePath);
    }

    [Fact]
    [Trait("Category", TestCategories.OutOfProcess)]
    public async Task The_service_refuses_a_damaged_store_with_exit_code_65_naming_the_file()
    {
        var stateDirectory = Path.Combine(_directory, "state");
        Directory.CreateDirectory(stateDirectory);
        var path = Path.Combine(stateDirectory, new StoreOptions().FileName);
        await File.WriteAllTextAsync(path, "this is not a database, it is a shopping list: milk, eggs, NaN");
        var before = Hash(path);

        await using var service = ServiceProcess.Start(new Dictionary<string, string>
        {
            ["Rig__StateDirectory"] = stateDirectory,
            ["Mqtt__Broker"] = "127.0.0.1",
            ["Mqtt__Port"] = "1",
        });
        await service.WaitForExitAsync(TimeSpan.FromSeconds(60));

        Assert.Equal(65, service.ExitCode);
        Assert.Contains("The store is damaged", service.Output, StringComparison.Ordinal);
        Assert.Contains(path, service.Output, StringComparison.Ordinal);
        Assert.Equal(before, Hash(path));
    }

    private static string Hash(string path) => Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(path)));
}
