using Grid.Silo.Hosting;
using Microsoft.Extensions.Options;

namespace Grid.Silo.Storage.Postgres;

/// <summary>
/// Brings the database's schema up to date before the silo (registered after this) starts,
/// unless Grid:Postgres:MigrateOnStart is false; then it only checks that nothing is pending.
/// </summary>
public sealed class PostgresSchemaInstaller(IOptions<PostgresOptions> options, Npgsql.NpgsqlDataSource data, ILogger<PostgresSchemaInstaller> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (options.Value.MigrateOnStart)
        {
            var applied = await PostgresSchema.ApplyAsync(options.Value.ConnectionString, cancellationToken);
            if (applied.Count > 0) logger.LogInformation("Applied schema scripts {Scripts}", applied);
            return;
        }
        IReadOnlyList<string> pending;
        try
        {
            pending = await PostgresSchema.PendingAsync(data, cancellationToken);
        }
        catch (Npgsql.PostgresException e) when (e.SqlState == Npgsql.PostgresErrorCodes.UndefinedTable)
        {
            pending = [.. PostgresSchema.Scripts().Select(s => s.Name)];
        }
        if (!await PostgresScheduling.InstalledAsync(data, cancellationToken)) pending = [.. pending, $"Hangfire's schema '{PostgresScheduling.Schema}'"];
        if (pending.Count > 0)
            throw new InvalidOperationException(
                $"The database lacks {string.Join(", ", pending)} and Grid:Postgres:MigrateOnStart is false: run `dotnet Grid.Silo.dll migrate` first.");
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
