using Grid.Silo.Hosting;
using Hangfire;
using Hangfire.PostgreSql;
using Hangfire.PostgreSql.Factories;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Grid.Silo.Storage.Postgres;

/// <summary>
/// Hangfire on PostgreSQL for the postgres profile: every node's Hangfire server shares one job
/// store (schema <c>hangfire</c> in Grid's database), so a recurring job is enqueued once per
/// trigger across the cluster (Hangfire's distributed locks) and runs on one node's worker.
/// The schema is Hangfire's own, installed with Grid's scripts (<see cref="PostgresSchema"/>, under
/// its advisory lock) by <c>migrate</c> or at start-up, never by the nodes' Hangfire servers.
/// </summary>
public static class PostgresScheduling
{
    public const string Schema = "hangfire";

    public static void AddGridPostgresScheduling(this IServiceCollection services) =>
        services.AddSingleton<JobStorage>(sp =>
        {
            var options = new PostgreSqlStorageOptions
            {
                SchemaName = Schema,
                PrepareSchemaIfNecessary = false,
                // Jobs are few (a handful per schedule); picking one up within a second costs little.
                QueuePollInterval = TimeSpan.FromSeconds(1),
                DistributedLockTimeout = TimeSpan.FromMinutes(1),
                // A job fetched by a node that then dies is picked up again by another node after this
                // long; running jobs keep their claim alive, so a long fan-out is not started twice.
                InvisibilityTimeout = TimeSpan.FromMinutes(5),
                UseSlidingInvisibilityTimeout = true,
            };
            var connectionString = sp.GetRequiredService<IOptions<PostgresOptions>>().Value.ConnectionString;
            return new PostgreSqlStorage(new NpgsqlConnectionFactory(connectionString, options), options);
        });

    /// <summary>Whether Hangfire's schema is there.</summary>
    public static async Task<bool> InstalledAsync(NpgsqlDataSource data, CancellationToken cancellationToken = default)
    {
        await using var command = data.CreateCommand($"SELECT to_regclass('{Schema}.schema') IS NOT NULL");
        return (bool)(await command.ExecuteScalarAsync(cancellationToken))!;
    }
}
