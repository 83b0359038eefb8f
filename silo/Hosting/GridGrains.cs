using Grid.Grains;
using Grid.Grains.Issues;
using Grid.Grains.Live;
using Grid.Silo.Storage;
using Grid.Silo.Storage.Postgres;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Grid.Silo.Hosting;

/// <summary>
/// What Grid's grains are built from, in one place for the node, the tests' in-process clusters and the
/// bench's silo. Grain classes are found by Orleans itself, so a new grain needs nothing here unless it
/// needs a new service.
/// </summary>
public static class GridGrains
{
    /// <summary>
    /// The services every grain may ask for, and where their state and the issue ledger live for
    /// <paramref name="profile"/>: <see cref="GridOptions.Embedded"/> on the SQLite file of
    /// <see cref="GridOptions.DataDirectory"/>, <see cref="GridOptions.Postgres"/> on the database of
    /// <see cref="PostgresOptions.ConnectionString"/>. Live events go to every node through the cluster's
    /// batchers; a host that has no nodes to reach (tests, bench) replaces <see cref="ILiveEvents"/> after
    /// this call, as it may replace <see cref="TimeProvider"/>.
    /// </summary>
    public static ISiloBuilder AddGridGrains(this ISiloBuilder silo, string profile)
    {
        var services = silo.Services;
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton<ILiveEvents, ClusterLiveEvents>();
        // Bound here, checked by the node (NodeSetup): tests set values outside what an operator may configure.
        services.AddOptions<IssueOptions>().BindConfiguration(IssueOptions.Section);
        services.AddOptions<LiveOptions>().BindConfiguration(LiveOptions.Section);
        switch (profile)
        {
            case GridOptions.Embedded:
                services.AddSingleton<IIssueLedger, SqliteIssueLedger>();
                silo.AddGridSqliteStorage();
                break;
            case GridOptions.Postgres:
                // One data source per host, shared with the node's photo store, audit trail and schema installer.
                services.TryAddSingleton(sp => NpgsqlDataSource.Create(sp.GetRequiredService<IOptions<PostgresOptions>>().Value.ConnectionString));
                services.AddSingleton<IIssueLedger, PostgresIssueLedger>();
                silo.AddGridPostgresStorage();
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(profile), profile, $"A storage profile is '{GridOptions.Embedded}' or '{GridOptions.Postgres}'.");
        }
        return silo;
    }
}
