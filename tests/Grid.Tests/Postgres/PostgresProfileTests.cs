using System.Net;
using Grid.Api.Issues;
using Grid.Grains.Issues;
using Grid.Silo.Storage.Postgres;
using Grid.Tests.Api;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Grid.Tests.Postgres;

/// <summary>The node on the postgres profile really keeps everything in PostgreSQL.</summary>
[Collection(PostgresGridHostCollection.Name)]
[Trait("Tier", "Integration")]
public sealed class PostgresProfileTests(PostgresGridHost host)
{
    [Fact]
    public async Task The_node_keeps_membership_grain_state_ledger_photos_audit_and_jobs_in_postgres_and_is_ready()
    {
        Assert.IsType<PostgresIssueLedger>(host.Services.GetRequiredService<IIssueLedger>());
        Assert.IsType<PostgresPhotoStore>(host.Services.GetRequiredService<IPhotoStore>());
        Assert.IsType<PostgresAuditLog>(host.Services.GetRequiredService<Grid.Api.Security.IAuditLog>());
        Assert.IsType<Hangfire.PostgreSql.PostgreSqlStorage>(host.Services.GetRequiredService<Hangfire.JobStorage>());
        Assert.Equal(HttpStatusCode.OK, (await host.CreateClient().GetAsync("/health/ready")).StatusCode);

        await using var data = NpgsqlDataSource.Create(host.ConnectionString);
        async Task<long> Count(string sql)
        {
            await using var command = data.CreateCommand(sql);
            return (long)(await command.ExecuteScalarAsync())!;
        }
        Assert.Equal(1, await Count("SELECT count(*) FROM orleans_membership WHERE status = 3"));
        Assert.True(await Count("SELECT count(*) FROM orleans_grain_state WHERE state_name = 'community'") >= 2);
        Assert.Equal(PostgresSchema.Scripts().Count(), await Count("SELECT count(*) FROM grid_schema_scripts"));
        Assert.Equal(1, await Count("SELECT count(*) FROM hangfire.server"));
    }
}

[Trait("Tier", "Integration")]
public sealed class PostgresSchemaTests
{
    [Fact]
    public async Task Nodes_migrating_at_once_apply_every_script_once_and_a_changed_script_stops_the_migration()
    {
        var connectionString = await TestPostgres.CreateDatabaseAsync("schema");
        try
        {
            var runs = await Task.WhenAll(Enumerable.Range(0, 3).Select(_ => Task.Run(() => PostgresSchema.ApplyAsync(connectionString))));
            var all = PostgresSchema.Scripts().Select(s => s.Name).ToList();
            Assert.Equal(all, runs.SelectMany(r => r).Order(StringComparer.Ordinal));
            Assert.Empty(await PostgresSchema.ApplyAsync(connectionString));

            await using (var data = NpgsqlDataSource.Create(connectionString))
            await using (var tamper = data.CreateCommand("UPDATE grid_schema_scripts SET sha256 = 'X' WHERE name = @name"))
            {
                tamper.Parameters.AddWithValue("name", all[0]);
                await tamper.ExecuteNonQueryAsync();
            }
            var refused = await Assert.ThrowsAsync<InvalidOperationException>(() => PostgresSchema.ApplyAsync(connectionString));
            Assert.Contains(all[0], refused.Message);
        }
        finally
        {
            await TestPostgres.DropDatabaseAsync(connectionString);
        }
    }
}
