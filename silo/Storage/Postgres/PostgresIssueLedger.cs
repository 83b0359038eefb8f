using System.Text.Json;
using Grid.Contracts;
using Grid.Grains.Issues;
using Npgsql;
using NpgsqlTypes;

namespace Grid.Silo.Storage.Postgres;

/// <summary>The issue ledger and summary index in PostgreSQL (deploy/sql/postgres/0002).</summary>
public sealed class PostgresIssueLedger(NpgsqlDataSource data) : IIssueLedger
{
    private static readonly JsonSerializerOptions Json = SqliteIssueLedger.Json;

    private const string EventColumns = """
        e.issue_id, e.seq, e.community_code, e.cell_code, e.category_code, e.action, e.from_status, e.to_status,
        e.at_utc, e.actor, e.deadline_utc, e.assignee_kind, e.assignee_id, e.score, e.passed
        """;

    public async Task Append(IReadOnlyCollection<IssueEvent> events, IssueSummary summary, string communityCode)
    {
        await using var connection = await data.OpenConnectionAsync();
        await using var tx = await connection.BeginTransactionAsync();
        if (events.Count > 0)
        {
            var batch = new NpgsqlBatch(connection, tx);
            foreach (var e in events)
            {
                var insert = new NpgsqlBatchCommand("""
                    INSERT INTO issue_events (issue_id, seq, community_code, cell_code, category_code, action, from_status, to_status,
                                              at_utc, actor, deadline_utc, assignee_kind, assignee_id, score, passed)
                    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)
                    ON CONFLICT (issue_id, seq) DO NOTHING
                    """);
                insert.Parameters.Add(new NpgsqlParameter<string> { Value = e.IssueId });
                insert.Parameters.Add(new NpgsqlParameter<int> { Value = e.Seq });
                insert.Parameters.Add(new NpgsqlParameter<string> { Value = e.CommunityCode });
                insert.Parameters.Add(new NpgsqlParameter<string> { Value = e.CellCode });
                insert.Parameters.Add(new NpgsqlParameter<string> { Value = e.CategoryCode });
                insert.Parameters.Add(new NpgsqlParameter<string> { Value = e.Action.ToString() });
                insert.Parameters.Add(Text(e.FromStatus?.ToString()));
                insert.Parameters.Add(new NpgsqlParameter<string> { Value = e.ToStatus.ToString() });
                insert.Parameters.Add(new NpgsqlParameter<DateTime> { Value = e.AtUtc.UtcDateTime });
                insert.Parameters.Add(new NpgsqlParameter<string> { Value = e.Actor });
                insert.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.TimestampTz, Value = (object?)e.DeadlineUtc?.UtcDateTime ?? DBNull.Value });
                insert.Parameters.Add(Text(e.AssigneeKind?.ToString()));
                insert.Parameters.Add(Text(e.AssigneeId));
                insert.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Integer, Value = (object?)e.Score ?? DBNull.Value });
                insert.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Boolean, Value = (object?)e.Passed ?? DBNull.Value });
                batch.BatchCommands.Add(insert);
            }
            await batch.ExecuteNonQueryAsync();
        }

        await using (var upsert = new NpgsqlCommand("""
            INSERT INTO issues (issue_id, community_code, cell_code, status, version, updated_utc, summary)
            VALUES (@id, @community, @cell, @status, @version, @updated, @summary)
            ON CONFLICT (issue_id) DO UPDATE SET status = excluded.status, version = excluded.version,
                updated_utc = excluded.updated_utc, summary = excluded.summary
            WHERE excluded.version > issues.version
            """, connection, tx))
        {
            upsert.Parameters.AddWithValue("id", summary.Id);
            upsert.Parameters.AddWithValue("community", communityCode);
            upsert.Parameters.AddWithValue("cell", summary.CellCode);
            upsert.Parameters.AddWithValue("status", summary.Status.ToString());
            upsert.Parameters.AddWithValue("version", summary.Version);
            upsert.Parameters.AddWithValue("updated", summary.UpdatedUtc.UtcDateTime);
            upsert.Parameters.AddWithValue("summary", NpgsqlDbType.Jsonb, JsonSerializer.Serialize(summary, Json));
            await upsert.ExecuteNonQueryAsync();
        }
        await tx.CommitAsync();
    }

    private static NpgsqlParameter Text(string? value) => new() { NpgsqlDbType = NpgsqlDbType.Text, Value = (object?)value ?? DBNull.Value };

    public async Task<IReadOnlyList<IssueEvent>> EventsOfIssuesActiveBetween(string communityCode, DateTimeOffset fromUtc, DateTimeOffset toUtc)
    {
        await using var command = data.CreateCommand($"""
            SELECT {EventColumns}
            FROM issue_events e
            WHERE e.issue_id IN (SELECT DISTINCT issue_id FROM issue_events
                                 WHERE community_code = @community AND at_utc >= @from AND at_utc < @to)
            ORDER BY e.issue_id, e.seq
            """);
        command.Parameters.AddWithValue("community", communityCode);
        command.Parameters.AddWithValue("from", fromUtc.UtcDateTime);
        command.Parameters.AddWithValue("to", toUtc.UtcDateTime);
        var events = new List<IssueEvent>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            events.Add(new IssueEvent(
                reader.GetString(0), reader.GetInt32(1), reader.GetString(2), reader.GetString(3), reader.GetString(4),
                Enum.Parse<IssueAction>(reader.GetString(5)),
                reader.IsDBNull(6) ? null : Enum.Parse<IssueStatus>(reader.GetString(6)),
                Enum.Parse<IssueStatus>(reader.GetString(7)),
                reader.GetFieldValue<DateTimeOffset>(8), reader.GetString(9),
                reader.IsDBNull(10) ? null : reader.GetFieldValue<DateTimeOffset>(10),
                reader.IsDBNull(11) ? null : Enum.Parse<AssigneeKind>(reader.GetString(11)),
                reader.IsDBNull(12) ? null : reader.GetString(12),
                reader.IsDBNull(13) ? null : reader.GetInt32(13),
                reader.IsDBNull(14) ? null : reader.GetBoolean(14)));
        }
        return events;
    }

    public Task<IReadOnlyList<IssueSummary>> CellIssues(string cellCode, IssueStatus? status, int limit) =>
        Summaries("cell_code", cellCode, status, limit);

    public Task<IReadOnlyList<IssueSummary>> CommunityIssues(string communityCode, IssueStatus? status, int limit) =>
        Summaries("community_code", communityCode, status, limit);

    public async Task<IReadOnlyList<IssueSummary>> CommunityIssuesReportedBetween(string communityCode, DateTimeOffset fromUtc, DateTimeOffset toUtc,
        IReadOnlyCollection<IssueStatus>? statuses, IReadOnlyCollection<string>? categoryCodes, int limit)
    {
        // An issue's first event (seq 1) is its report; the (community_code, at_utc) index finds them.
        // Lists go in as arrays; a null array means no filter, an empty one matches nothing.
        await using var command = data.CreateCommand("""
            SELECT i.summary::text FROM issue_events e JOIN issues i ON i.issue_id = e.issue_id
            WHERE e.community_code = @community AND e.at_utc >= @from AND e.at_utc < @to AND e.seq = 1
              AND (@statuses::text[] IS NULL OR i.status = ANY (@statuses))
              AND (@categories::text[] IS NULL OR e.category_code = ANY (@categories))
            ORDER BY e.at_utc DESC, e.issue_id DESC LIMIT @limit
            """);
        command.Parameters.AddWithValue("community", communityCode);
        command.Parameters.AddWithValue("from", fromUtc.UtcDateTime);
        command.Parameters.AddWithValue("to", toUtc.UtcDateTime);
        command.Parameters.Add(new NpgsqlParameter("statuses", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = (object?)statuses?.Select(s => s.ToString()).ToArray() ?? DBNull.Value });
        command.Parameters.Add(new NpgsqlParameter("categories", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = (object?)categoryCodes?.ToArray() ?? DBNull.Value });
        command.Parameters.AddWithValue("limit", limit);
        return await ReadSummaries(command);
    }

    public Task<IReadOnlyList<IssueSummary>> CellIssuesUpdatedSince(string cellCode, DateTimeOffset sinceUtc) =>
        UpdatedSince("cell_code", cellCode, sinceUtc);

    public Task<IReadOnlyList<IssueSummary>> CommunityIssuesUpdatedSince(string communityCode, DateTimeOffset sinceUtc) =>
        UpdatedSince("community_code", communityCode, sinceUtc);

    private async Task<IReadOnlyList<IssueSummary>> UpdatedSince(string column, string value, DateTimeOffset sinceUtc)
    {
        // Every status named, so that the (code, status, updated_utc) index serves the time range.
        // The column name comes from the two callers above, never from a request.
        await using var command = data.CreateCommand($"""
            SELECT summary::text FROM issues
            WHERE {column} = @value AND status = ANY (@statuses) AND updated_utc >= @since
            """);
        command.Parameters.AddWithValue("value", value);
        command.Parameters.AddWithValue("statuses", Enum.GetNames<IssueStatus>());
        command.Parameters.AddWithValue("since", sinceUtc.UtcDateTime);
        return await ReadSummaries(command);
    }

    private async Task<IReadOnlyList<IssueSummary>> Summaries(string column, string value, IssueStatus? status, int limit)
    {
        // The column name comes from the two callers above, never from a request.
        await using var command = data.CreateCommand($"""
            SELECT summary::text FROM issues
            WHERE {column} = @value AND (@status::text IS NULL OR status = @status)
            ORDER BY updated_utc DESC LIMIT @limit
            """);
        command.Parameters.AddWithValue("value", value);
        command.Parameters.Add(Named("status", status?.ToString()));
        command.Parameters.AddWithValue("limit", limit);
        return await ReadSummaries(command);
    }

    private static NpgsqlParameter Named(string name, string? value) => new(name, NpgsqlDbType.Text) { Value = (object?)value ?? DBNull.Value };

    private static async Task<IReadOnlyList<IssueSummary>> ReadSummaries(NpgsqlCommand command)
    {
        var list = new List<IssueSummary>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync()) list.Add(JsonSerializer.Deserialize<IssueSummary>(reader.GetString(0), Json)!);
        return list;
    }
}
