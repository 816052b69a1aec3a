using Microsoft.Extensions.Hosting;
using Rig.Archive.Storage;

namespace Rig.Archive;

/// <summary>Brings the schema up to date before anything subscribes (first hosted service to start).</summary>
public sealed class ArchiveStartup : IHostedService
{
    private readonly ArchiveDatabase _database;

    public ArchiveStartup(ArchiveDatabase database) => _database = database;

    public Task StartAsync(CancellationToken cancellationToken) => _database.MigrateAsync(cancellationToken);

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
