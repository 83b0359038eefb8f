using Grid.Silo.Hosting;
using Microsoft.Extensions.Options;

namespace Grid.Silo.Storage;

/// <summary>Brings the SQLite file's schema up to date before the silo (registered after this) starts.</summary>
public sealed class SqliteSchemaInstaller(IOptions<GridOptions> options, ILogger<SqliteSchemaInstaller> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(options.Value.FullDataDirectory);
        var applied = SqliteSchema.Apply(options.Value.SqliteConnectionString);
        if (applied.Count > 0) logger.LogInformation("Applied schema scripts {Scripts} to {Database}", applied, options.Value.SqlitePath);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
