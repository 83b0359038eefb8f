using Microsoft.Data.Sqlite;

namespace Grid.Silo.Storage;

/// <summary>
/// Connections for reading the node's SQLite file (pooled; WAL lets them read while the file's
/// <see cref="SqliteWriter"/> commits). Writes do not open connections of their own: they go
/// through the writer.
/// </summary>
public static class SqliteConnections
{
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

    /// <summary>Names the file: connection strings that differ only in options name the same file.</summary>
    internal static string Key(string connectionString) => Path.GetFullPath(new SqliteConnectionStringBuilder(connectionString).DataSource);
}
