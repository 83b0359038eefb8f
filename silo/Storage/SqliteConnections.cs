using System.Collections.Concurrent;
using System.Data.Common;
using Microsoft.Data.Sqlite;

namespace Grid.Silo.Storage;

/// <summary>
/// Writers to the node's SQLite file take turns here before they open their connection, instead of
/// meeting in SQLite. Microsoft.Data.Sqlite installs no busy handler: on SQLITE_BUSY it blocks its
/// thread for 150 ms and retries, so two writers that meet stall one of them for 150 ms although
/// the other commits in well under a millisecond. SQLite's own handler (PRAGMA busy_timeout) is
/// worse here, its waits grow to 100 ms and newcomers overtake the waiting. SQLite takes one writer
/// at a time anyway, so a queue in the process costs no throughput, and waiting in it is async:
/// no thread sleeps. A second process on the same file (two nodes on one machine) still meets
/// this one in SQLite, with the 150 ms retries.
/// </summary>
public static class SqliteConnections
{
    private static readonly ConcurrentDictionary<string, SemaphoreSlim> Turns = new(StringComparer.Ordinal);

    /// <summary>An open connection that holds the file's write turn until it is disposed.</summary>
    public static async Task<SqliteConnection> OpenForWriteAsync(string connectionString, CancellationToken cancellationToken = default)
    {
        var turn = Turns.GetOrAdd(Key(connectionString), _ => new SemaphoreSlim(1, 1));
        await turn.WaitAsync(cancellationToken);
        try
        {
            var connection = new TurnHoldingConnection(connectionString, turn);
            await connection.OpenAsync(cancellationToken);
            return connection;
        }
        catch
        {
            turn.Release();
            throw;
        }
    }

    public static async Task<SqliteConnection> OpenAsync(string connectionString, CancellationToken cancellationToken = default)
    {
        var connection = new SqliteConnection(connectionString);
        await connection.OpenAsync(cancellationToken);
        return connection;
    }

    public static SqliteConnection Open(string connectionString)
    {
        var connection = new SqliteConnection(connectionString);
        connection.Open();
        return connection;
    }

    // One queue per file: connection strings that differ only in options still share it.
    internal static string Key(string connectionString) => Path.GetFullPath(new SqliteConnectionStringBuilder(connectionString).DataSource);

    private sealed class TurnHoldingConnection(string connectionString, SemaphoreSlim turn) : SqliteConnection(connectionString)
    {
        private int released;

        protected override void Dispose(bool disposing)
        {
            try { base.Dispose(disposing); }
            finally { if (Interlocked.Exchange(ref released, 1) == 0) turn.Release(); }
        }
    }
}

/// <summary>
/// The data source Orleans' ADO.NET grain storage opens its connections from: every one of them
/// waits for the file's write turn (<see cref="SqliteConnections"/>). Reads take the turn too: the
/// provider's connection does not say what it is for, and reads happen only when a grain activates.
/// </summary>
public sealed class SqliteGrainStorageDataSource(string connectionString) : DbDataSource
{
    public override string ConnectionString => connectionString;

    protected override DbConnection CreateDbConnection() => new SqliteConnection(connectionString);

    protected override DbConnection OpenDbConnection() => SqliteConnections.OpenForWriteAsync(connectionString).GetAwaiter().GetResult();

    protected override async ValueTask<DbConnection> OpenDbConnectionAsync(CancellationToken cancellationToken = default) =>
        await SqliteConnections.OpenForWriteAsync(connectionString, cancellationToken);

    protected override DbCommand CreateDbCommand(string? commandText = null) => throw new NotSupportedException("Open a connection and create commands on it.");

    protected override DbBatch CreateDbBatch() => throw new NotSupportedException("Open a connection and create commands on it.");
}
