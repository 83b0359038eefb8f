using Grid.Grains;
using Grid.Silo.Hosting;
using Grid.Silo.Storage.Postgres;
using Microsoft.Data.Sqlite;
using Npgsql;
using NpgsqlTypes;

namespace Grid.Silo.Storage;

/// <summary>Where a bulk load puts grain state rows: one transaction per batch.</summary>
public interface IGrainStateSink : IAsyncDisposable
{
    Task WriteAsync(IReadOnlyList<GrainStateRow> rows, CancellationToken cancellationToken = default);
}

/// <summary>
/// Bulk-inserts grain state rows into the embedded profile's SQLite file (schema applied first). Only
/// into storage without a directory: a load is for a new city, never on top of a running one.
/// </summary>
public sealed class SqliteGrainStateSink : IGrainStateSink
{
    private readonly SqliteConnection connection;

    private SqliteGrainStateSink(SqliteConnection connection) => this.connection = connection;

    public static async Task<SqliteGrainStateSink> OpenAsync(string connectionString, CancellationToken cancellationToken = default)
    {
        SqliteSchema.Apply(connectionString);
        var connection = new SqliteConnection(connectionString);
        await connection.OpenAsync(cancellationToken);
        await using (var check = connection.CreateCommand())
        {
            check.CommandText = "SELECT COUNT(*) FROM OrleansStorage WHERE ServiceId = $service AND GrainTypeString = $state";
            check.Parameters.AddWithValue("$service", GridOptions.ServiceId);
            check.Parameters.AddWithValue("$state", GridStorage.Directory);
            if (Convert.ToInt64(await check.ExecuteScalarAsync(cancellationToken)) > 0)
            {
                await connection.DisposeAsync();
                throw new InvalidOperationException($"{connection.DataSource} already holds a directory: load a city into empty storage.");
            }
        }
        // A failed load is started again from empty storage, so the load need not survive a power cut:
        // commits are not synced, which makes them several times faster.
        await using (var pragma = connection.CreateCommand())
        {
            pragma.CommandText = "PRAGMA synchronous=OFF;";
            await pragma.ExecuteNonQueryAsync(cancellationToken);
        }
        return new SqliteGrainStateSink(connection);
    }

    public async Task WriteAsync(IReadOnlyList<GrainStateRow> rows, CancellationToken cancellationToken = default)
    {
        await using var tx = connection.BeginTransaction();
        await using var insert = connection.CreateCommand();
        insert.Transaction = tx;
        insert.CommandText = """
            INSERT INTO OrleansStorage (ServiceId, GrainTypeString, GrainIdN0, GrainIdN1, GrainIdExtension, GrainIdHash, GrainTypeHash, PayloadBinary, Version, ModifiedUtc)
            VALUES ($service, $state, $n0, $n1, $key, $idHash, $typeHash, $payload, 1, $modified)
            """;
        insert.Parameters.AddWithValue("$service", GridOptions.ServiceId);
        var state = insert.Parameters.Add("$state", SqliteType.Text);
        var n0 = insert.Parameters.Add("$n0", SqliteType.Integer);
        var n1 = insert.Parameters.Add("$n1", SqliteType.Integer);
        var key = insert.Parameters.Add("$key", SqliteType.Text);
        var idHash = insert.Parameters.Add("$idHash", SqliteType.Integer);
        var typeHash = insert.Parameters.Add("$typeHash", SqliteType.Integer);
        var payload = insert.Parameters.Add("$payload", SqliteType.Blob);
        // The format the storage scripts write (strftime('%Y-%m-%dT%H:%M:%fZ')).
        insert.Parameters.AddWithValue("$modified", DateTime.UtcNow.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", System.Globalization.CultureInfo.InvariantCulture));
        insert.Prepare();
        foreach (var row in rows)
        {
            (state.Value, n0.Value, n1.Value, key.Value) = (row.StateName, row.Key.N0, row.Key.N1, row.Key.Extension);
            (idHash.Value, typeHash.Value, payload.Value) = (row.Key.GrainIdHash, row.Key.GrainTypeHash, row.Payload);
            await insert.ExecuteNonQueryAsync(cancellationToken);
        }
        await tx.CommitAsync(cancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        await using (var checkpoint = connection.CreateCommand())
        {
            // Leaves the rows in the database file itself, so the node's first start does not replay a large log.
            checkpoint.CommandText = "PRAGMA wal_checkpoint(TRUNCATE);";
            await checkpoint.ExecuteNonQueryAsync();
        }
        await connection.DisposeAsync();
    }
}

/// <summary>Bulk-copies grain state rows into the postgres profile's database (schema migrated first), likewise only into one without a directory.</summary>
public sealed class PostgresGrainStateSink : IGrainStateSink
{
    private readonly NpgsqlConnection connection;

    private PostgresGrainStateSink(NpgsqlConnection connection) => this.connection = connection;

    public static async Task<PostgresGrainStateSink> OpenAsync(string connectionString, CancellationToken cancellationToken = default)
    {
        await PostgresSchema.ApplyAsync(connectionString, cancellationToken);
        var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(cancellationToken);
        await using (var check = new NpgsqlCommand("SELECT COUNT(*) FROM orleans_grain_state WHERE service_id = @service AND state_name = @state", connection))
        {
            check.Parameters.AddWithValue("service", GridOptions.ServiceId);
            check.Parameters.AddWithValue("state", GridStorage.Directory);
            if (Convert.ToInt64(await check.ExecuteScalarAsync(cancellationToken)) > 0)
            {
                await connection.DisposeAsync();
                throw new InvalidOperationException($"Database {connection.Database} already holds a directory: load a city into empty storage.");
            }
        }
        return new PostgresGrainStateSink(connection);
    }

    public async Task WriteAsync(IReadOnlyList<GrainStateRow> rows, CancellationToken cancellationToken = default)
    {
        await using var tx = await connection.BeginTransactionAsync(cancellationToken);
        await using (var copy = await connection.BeginBinaryImportAsync("""
            COPY orleans_grain_state (service_id, state_name, grain_id_n0, grain_id_n1, grain_id_extension, grain_id_hash, grain_type_hash, payload, version, modified_utc)
            FROM STDIN (FORMAT BINARY)
            """, cancellationToken))
        {
            var now = DateTime.UtcNow;
            foreach (var row in rows)
            {
                await copy.StartRowAsync(cancellationToken);
                await copy.WriteAsync(GridOptions.ServiceId, NpgsqlDbType.Text, cancellationToken);
                await copy.WriteAsync(row.StateName, NpgsqlDbType.Text, cancellationToken);
                await copy.WriteAsync(row.Key.N0, NpgsqlDbType.Bigint, cancellationToken);
                await copy.WriteAsync(row.Key.N1, NpgsqlDbType.Bigint, cancellationToken);
                await copy.WriteAsync(row.Key.Extension, NpgsqlDbType.Text, cancellationToken);
                await copy.WriteAsync(row.Key.GrainIdHash, NpgsqlDbType.Integer, cancellationToken);
                await copy.WriteAsync(row.Key.GrainTypeHash, NpgsqlDbType.Integer, cancellationToken);
                await copy.WriteAsync(row.Payload, NpgsqlDbType.Bytea, cancellationToken);
                await copy.WriteAsync(1, NpgsqlDbType.Integer, cancellationToken);
                await copy.WriteAsync(now, NpgsqlDbType.TimestampTz, cancellationToken);
            }
            await copy.CompleteAsync(cancellationToken);
        }
        await tx.CommitAsync(cancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        // Fresh statistics, so the node's first queries are planned for a table of this size.
        await using (var analyze = new NpgsqlCommand("ANALYZE orleans_grain_state", connection)) await analyze.ExecuteNonQueryAsync();
        await connection.DisposeAsync();
    }
}
