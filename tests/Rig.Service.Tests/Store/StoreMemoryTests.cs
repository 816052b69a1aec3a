using Microsoft.Data.Sqlite;
using Rig.Service.Store;

namespace Rig.Service.Tests.Store;

/// <summary>
/// The store's SQLite memory settings (issue 19, a Pi's memory): each connection's page cache is capped and memory
/// mapping stays off, so the service's resident memory does not grow with the file (docs/benchmarks.md, "Memory, step 5").
/// </summary>
public sealed class StoreMemoryTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("rig-store-memory-").FullName;

    public void Dispose() => Directory.Delete(_directory, true);

    private static long Pragma(SqliteConnection connection, string name)
    {
        using var cmd = connection.CreateCommand();
        cmd.CommandText = $"PRAGMA {name}";
        return Convert.ToInt64(cmd.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
    }

    [Fact]
    public void Both_connections_cap_their_page_cache_and_map_nothing()
    {
        using var store = new RigStore(Path.Combine(_directory, "rig.db"));

        foreach (var connection in new[] { store.WriteConnection, store.ReadConnection })
        {
            // Negative = KiB; SQLite's default is -2000 (2,000 KiB per connection).
            Assert.Equal(-RigStore.CacheKibPerConnection, Pragma(connection, "cache_size"));
            Assert.Equal(0, Pragma(connection, "mmap_size"));
        }
        Assert.True(RigStore.CacheKibPerConnection < 2000, "the cap must be below SQLite's default to save anything");
    }
}
