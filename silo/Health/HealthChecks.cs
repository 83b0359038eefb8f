using Grid.Silo.Hosting;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using Orleans.Runtime;

namespace Grid.Silo.Health;

/// <summary>Ready when this node's silo is an active member of its cluster.</summary>
public sealed class SiloHealthCheck(ISiloStatusOracle oracle) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(oracle.CurrentStatus == SiloStatus.Active
            ? HealthCheckResult.Healthy("silo active")
            : HealthCheckResult.Unhealthy($"silo {oracle.CurrentStatus}"));
}

/// <summary>Ready when grain storage answers a query that reads the provider's own table.</summary>
public sealed class SqliteStorageHealthCheck(IOptions<GridOptions> options) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            await using var connection = new SqliteConnection(options.Value.SqliteConnectionString);
            await connection.OpenAsync(cancellationToken);
            await using var command = connection.CreateCommand();
            command.CommandText = "SELECT COUNT(*) FROM OrleansQuery";
            var queries = Convert.ToInt32(await command.ExecuteScalarAsync(cancellationToken));
            return queries >= 3 ? HealthCheckResult.Healthy("storage answers") : HealthCheckResult.Unhealthy("storage schema incomplete");
        }
        catch (Exception e) when (e is SqliteException or InvalidOperationException)
        {
            return HealthCheckResult.Unhealthy("storage does not answer", e);
        }
    }
}

/// <summary>Ready when PostgreSQL answers a query that reads the Orleans providers' own table.</summary>
public sealed class PostgresStorageHealthCheck(Npgsql.NpgsqlDataSource data) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(TimeSpan.FromSeconds(5));
            await using var command = data.CreateCommand("SELECT COUNT(*) FROM OrleansQuery");
            var queries = Convert.ToInt32(await command.ExecuteScalarAsync(timeout.Token));
            return queries >= 3 ? HealthCheckResult.Healthy("storage answers") : HealthCheckResult.Unhealthy("storage schema incomplete");
        }
        catch (Exception e) when (e is Npgsql.NpgsqlException or InvalidOperationException or OperationCanceledException)
        {
            return HealthCheckResult.Unhealthy("storage does not answer", e);
        }
    }
}
