using Grid.Api.Security;
using Grid.Silo.Hosting;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;

namespace Grid.Silo.Storage;

/// <summary>The audit trail in the node's SQLite file (deploy/sql/sqlite/0003), append-only by trigger.</summary>
public sealed class SqliteAuditLog(IOptions<GridOptions> options) : IAuditLog
{
    public Task Record(AuditEntry e) => SqliteWriter.For(options.Value.SqliteConnectionString).WriteAsync(connection =>
    {
        connection.Prepared("""
            INSERT INTO AuditLog (AtUtc, Username, Role, Method, Path, Route, Status, RemoteAddress, DurationMs, Detail)
            VALUES ($at, $user, $role, $method, $path, $route, $status, $remote, $duration, $detail)
            """)
            .With("$at", SqliteText.Utc(e.AtUtc)).With("$user", e.Username).With("$role", e.Role).With("$method", e.Method).With("$path", e.Path)
            .With("$route", e.Route).With("$status", e.Status).With("$remote", e.RemoteAddress).With("$duration", e.DurationMs).With("$detail", e.Detail)
            .ExecuteNonQuery();
    });

    public async Task<IReadOnlyList<AuditEntry>> Query(AuditQuery q)
    {
        await using var connection = await SqliteConnections.OpenAsync(options.Value.SqliteConnectionString);
        var command = connection.CreateCommand();
        command.CommandText = """
            SELECT AtUtc, Username, Role, Method, Path, Route, Status, RemoteAddress, DurationMs, Detail FROM AuditLog
            WHERE ($user IS NULL OR Username = $user) AND ($from IS NULL OR AtUtc >= $from) AND ($to IS NULL OR AtUtc < $to)
            ORDER BY Seq DESC LIMIT $limit
            """;
        command.Parameters.AddWithValue("$user", (object?)q.Username ?? DBNull.Value);
        command.Parameters.AddWithValue("$from", SqliteText.Utc(q.FromUtc));
        command.Parameters.AddWithValue("$to", SqliteText.Utc(q.ToUtc));
        command.Parameters.AddWithValue("$limit", q.Limit);
        var list = new List<AuditEntry>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
            list.Add(new AuditEntry(SqliteText.ParseUtc(reader.GetString(0)), reader.GetString(1), reader.GetString(2), reader.GetString(3),
                reader.GetString(4), reader.GetString(5), reader.GetInt32(6), reader.GetString(7), reader.GetInt32(8), reader.GetString(9)));
        return list;
    }
}
