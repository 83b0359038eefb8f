using Grid.Api.Security;
using Npgsql;
using NpgsqlTypes;

namespace Grid.Silo.Storage.Postgres;

/// <summary>The audit trail in PostgreSQL (deploy/sql/postgres/0003), append-only by trigger.</summary>
public sealed class PostgresAuditLog(NpgsqlDataSource data) : IAuditLog
{
    public async Task Record(AuditEntry e)
    {
        await using var command = data.CreateCommand("""
            INSERT INTO audit_log (at_utc, username, role, method, path, route, status, remote_address, duration_ms, detail)
            VALUES (@at, @user, @role, @method, @path, @route, @status, @remote, @duration, @detail)
            """);
        command.Parameters.AddWithValue("at", e.AtUtc.UtcDateTime);
        command.Parameters.AddWithValue("user", e.Username);
        command.Parameters.AddWithValue("role", e.Role);
        command.Parameters.AddWithValue("method", e.Method);
        command.Parameters.AddWithValue("path", e.Path);
        command.Parameters.AddWithValue("route", e.Route);
        command.Parameters.AddWithValue("status", e.Status);
        command.Parameters.AddWithValue("remote", e.RemoteAddress);
        command.Parameters.AddWithValue("duration", e.DurationMs);
        command.Parameters.AddWithValue("detail", e.Detail);
        await command.ExecuteNonQueryAsync();
    }

    public async Task<IReadOnlyList<AuditEntry>> Query(AuditQuery q)
    {
        await using var command = data.CreateCommand("""
            SELECT at_utc, username, role, method, path, route, status, remote_address, duration_ms, detail FROM audit_log
            WHERE (@user::text IS NULL OR username = @user) AND (@from::timestamptz IS NULL OR at_utc >= @from)
              AND (@to::timestamptz IS NULL OR at_utc < @to)
            ORDER BY seq DESC LIMIT @limit
            """);
        command.Parameters.Add(new NpgsqlParameter("user", NpgsqlDbType.Text) { Value = (object?)q.Username ?? DBNull.Value });
        command.Parameters.Add(new NpgsqlParameter("from", NpgsqlDbType.TimestampTz) { Value = (object?)q.FromUtc?.UtcDateTime ?? DBNull.Value });
        command.Parameters.Add(new NpgsqlParameter("to", NpgsqlDbType.TimestampTz) { Value = (object?)q.ToUtc?.UtcDateTime ?? DBNull.Value });
        command.Parameters.AddWithValue("limit", q.Limit);
        var list = new List<AuditEntry>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
            list.Add(new AuditEntry(reader.GetFieldValue<DateTimeOffset>(0), reader.GetString(1), reader.GetString(2), reader.GetString(3),
                reader.GetString(4), reader.GetString(5), reader.GetInt32(6), reader.GetString(7), reader.GetInt32(8), reader.GetString(9)));
        return list;
    }
}
