using Grid.Contracts;
using Grid.Grains;
using Grid.Grains.Issues;
using Grid.Silo.Hosting;
using Grid.Silo.Storage;
using Grid.Silo.Storage.Postgres;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Npgsql;
using Orleans.TestingHost;

namespace Grid.Tests.Testing;

/// <summary>Where the grains of a test cluster persist: one of Grid's storage profiles, with its own schema scripts.</summary>
public abstract class TestStorage : IAsyncDisposable
{
    public abstract string Profile { get; }

    /// <summary>Grid's grains on a silo, their state and issue ledger in this storage.</summary>
    public void ConfigureSilo(ISiloBuilder silo)
    {
        ConfigureLocation(silo.Services);
        silo.AddGridGrains(Profile);
    }

    /// <summary>Where this storage is: the options its profile reads (a data directory, a connection string).</summary>
    protected abstract void ConfigureLocation(IServiceCollection services);

    public abstract IIssueLedger Ledger { get; }

    /// <summary>Grain state rows, optionally of one state name and one key extension (a key that is not a number).</summary>
    public abstract Task<long> CountStateRows(string? stateName = null, string? key = null);

    /// <summary>How many times states of this name were written: the sum of their stored versions.</summary>
    public abstract Task<long> StateWrites(string stateName);

    /// <summary>Puts a stored state row as an earlier release wrote it (its key columns as the provider set them).</summary>
    public abstract Task InsertStateRow(string serviceId, string stateName, long n0, long n1, string extension, byte[] payload);

    public abstract ValueTask DisposeAsync();

    public static TestStorage Sqlite(string dataDirectory) => new SqliteTestStorage(dataDirectory);

    public static async Task<TestStorage> Postgres(string purpose)
    {
        var connectionString = await TestPostgres.CreateDatabaseAsync(purpose);
        await PostgresSchema.ApplyAsync(connectionString);
        return new PostgresTestStorage(connectionString);
    }
}

public sealed class SqliteTestStorage : TestStorage
{
    public SqliteTestStorage(string dataDirectory)
    {
        DataDirectory = dataDirectory;
        SqliteSchema.Apply(ConnectionString);
        Ledger = new SqliteIssueLedger(Options.Create(new GridOptions { DataDirectory = dataDirectory }));
    }

    public string DataDirectory { get; }

    public string ConnectionString => new GridOptions { DataDirectory = DataDirectory }.SqliteConnectionString;

    public override string Profile => GridOptions.Embedded;

    public override IIssueLedger Ledger { get; }

    protected override void ConfigureLocation(IServiceCollection services)
    {
        var directory = DataDirectory;
        services.Configure<GridOptions>(o => o.DataDirectory = directory);
    }

    public override async Task<long> CountStateRows(string? stateName = null, string? key = null)
    {
        await using var connection = new SqliteConnection(ConnectionString);
        await connection.OpenAsync();
        var command = connection.CreateCommand();
        command.CommandText = """
            SELECT COUNT(*) FROM OrleansStorage
            WHERE ($name IS NULL OR GrainTypeString = $name) AND ($key IS NULL OR GrainIdExtension = $key)
            """;
        command.Parameters.AddWithValue("$name", (object?)stateName ?? DBNull.Value);
        command.Parameters.AddWithValue("$key", (object?)key ?? DBNull.Value);
        return (long)(await command.ExecuteScalarAsync())!;
    }

    public override async Task<long> StateWrites(string stateName)
    {
        await using var connection = new SqliteConnection(ConnectionString);
        await connection.OpenAsync();
        var command = connection.CreateCommand();
        command.CommandText = "SELECT COALESCE(SUM(Version), 0) FROM OrleansStorage WHERE GrainTypeString = $name";
        command.Parameters.AddWithValue("$name", stateName);
        return (long)(await command.ExecuteScalarAsync())!;
    }

    public override async Task InsertStateRow(string serviceId, string stateName, long n0, long n1, string extension, byte[] payload)
    {
        await using var connection = new SqliteConnection(ConnectionString);
        await connection.OpenAsync();
        var command = connection.CreateCommand();
        command.CommandText = """
            INSERT INTO OrleansStorage (ServiceId, GrainTypeString, GrainIdN0, GrainIdN1, GrainIdExtension, GrainIdHash, GrainTypeHash, PayloadBinary, Version, ModifiedUtc)
            VALUES ($service, $name, $n0, $n1, $key, 0, 0, $payload, 1, '2026-01-01T00:00:00.0000000Z')
            """;
        command.Parameters.AddWithValue("$service", serviceId);
        command.Parameters.AddWithValue("$name", stateName);
        command.Parameters.AddWithValue("$n0", n0);
        command.Parameters.AddWithValue("$n1", n1);
        command.Parameters.AddWithValue("$key", extension);
        command.Parameters.AddWithValue("$payload", payload);
        await command.ExecuteNonQueryAsync();
    }

    public override ValueTask DisposeAsync() => ValueTask.CompletedTask;
}

/// <param name="ownsDatabase">Drop the database when disposed; false for a second cluster on a database another storage owns.</param>
public sealed class PostgresTestStorage(string connectionString, bool ownsDatabase = true) : TestStorage
{
    private readonly NpgsqlDataSource data = NpgsqlDataSource.Create(connectionString);

    public string ConnectionString { get; } = connectionString;

    public override string Profile => GridOptions.Postgres;

    public override IIssueLedger Ledger => new PostgresIssueLedger(data);

    protected override void ConfigureLocation(IServiceCollection services)
    {
        var connection = ConnectionString;
        services.Configure<PostgresOptions>(o => o.ConnectionString = connection);
    }

    public override async Task<long> CountStateRows(string? stateName = null, string? key = null)
    {
        await using var command = data.CreateCommand("""
            SELECT COUNT(*) FROM orleans_grain_state
            WHERE (@name::text IS NULL OR state_name = @name) AND (@key::text IS NULL OR grain_id_extension = @key)
            """);
        command.Parameters.Add(new NpgsqlParameter("name", NpgsqlTypes.NpgsqlDbType.Text) { Value = (object?)stateName ?? DBNull.Value });
        command.Parameters.Add(new NpgsqlParameter("key", NpgsqlTypes.NpgsqlDbType.Text) { Value = (object?)key ?? DBNull.Value });
        return (long)(await command.ExecuteScalarAsync())!;
    }

    public override async Task<long> StateWrites(string stateName)
    {
        await using var command = data.CreateCommand("SELECT COALESCE(SUM(version), 0)::bigint FROM orleans_grain_state WHERE state_name = @name");
        command.Parameters.AddWithValue("name", stateName);
        return (long)(await command.ExecuteScalarAsync())!;
    }

    public override async Task InsertStateRow(string serviceId, string stateName, long n0, long n1, string extension, byte[] payload)
    {
        await using var command = data.CreateCommand("""
            INSERT INTO orleans_grain_state (service_id, state_name, grain_id_n0, grain_id_n1, grain_id_extension, grain_id_hash, grain_type_hash, payload, version)
            VALUES (@service, @name, @n0, @n1, @key, 0, 0, @payload, 1)
            """);
        command.Parameters.AddWithValue("service", serviceId);
        command.Parameters.AddWithValue("name", stateName);
        command.Parameters.AddWithValue("n0", n0);
        command.Parameters.AddWithValue("n1", n1);
        command.Parameters.AddWithValue("key", extension);
        command.Parameters.AddWithValue("payload", payload);
        await command.ExecuteNonQueryAsync();
    }

    public override async ValueTask DisposeAsync()
    {
        await data.DisposeAsync();
        if (ownsDatabase) await TestPostgres.DropDatabaseAsync(ConnectionString);
    }
}

/// <summary>An in-process Orleans cluster whose grains persist through one of Grid's storage profiles, with Grid's own schema.</summary>
public sealed class GridCluster : IAsyncDisposable
{
    private GridCluster(TestStorage storage, InProcessTestCluster cluster)
    {
        Storage = storage;
        Cluster = cluster;
    }

    public TestStorage Storage { get; }

    public InProcessTestCluster Cluster { get; }

    public IGrainFactory Grains => Cluster.Client;

    public IServiceProvider SiloServices => Cluster.Silos[0].ServiceProvider;

    /// <summary>Starts a cluster of <paramref name="silos"/> silos (one by default) on <paramref name="storage"/> (disposed with the cluster).</summary>
    /// <param name="serviceId">Two clusters with one service id on one storage read and write the same grain states, as a node restarted on its data does.</param>
    public static async Task<GridCluster> StartAsync(TestStorage storage, TimeProvider? clock = null, ILiveEvents? live = null, int silos = 1,
        string? serviceId = null, Action<IssueOptions>? issues = null)
    {
        var builder = new InProcessTestClusterBuilder((short)silos);
        if (serviceId is not null) builder.Options.ServiceId = serviceId;
        builder.ConfigureSilo((_, silo) =>
        {
            storage.ConfigureSilo(silo);
            // The test's clock, and its recorder in place of the live fan-out: a test cluster has no nodes to send to.
            silo.Services.RemoveAll<TimeProvider>().AddSingleton(clock ?? TimeProvider.System);
            silo.Services.RemoveAll<ILiveEvents>().AddSingleton(live ?? new RecordingLiveEvents());
            silo.Services.AddOptions<IssueOptions>().Configure(o => issues?.Invoke(o));
        });
        var cluster = builder.Build();
        await cluster.DeployAsync();
        return new GridCluster(storage, cluster);
    }

    /// <summary>A one-silo cluster on a SQLite file in <paramref name="dataDirectory"/>, creating it if new.</summary>
    public static Task<GridCluster> StartSqliteAsync(string dataDirectory, TimeProvider? clock = null, ILiveEvents? live = null, int silos = 1) =>
        StartAsync(TestStorage.Sqlite(dataDirectory), clock, live, silos);

    public async ValueTask DisposeAsync()
    {
        await Cluster.StopAllSilosAsync();
        await Cluster.DisposeAsync();
        await Storage.DisposeAsync();
    }
}

/// <summary>Keeps every live event a grain published, for assertions.</summary>
public sealed class RecordingLiveEvents : ILiveEvents
{
    private readonly List<LiveEvent> events = [];

    public IReadOnlyList<LiveEvent> Events { get { lock (events) return [.. events]; } }

    public void Publish(LiveEvent e) { lock (events) events.Add(e); }
}
