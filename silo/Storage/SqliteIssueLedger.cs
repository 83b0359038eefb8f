using System.Text.Json;
using System.Text.Json.Serialization;
using Grid.Contracts;
using Grid.Grains.Issues;
using Grid.Silo.Hosting;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;

namespace Grid.Silo.Storage;

/// <summary>The issue ledger and summary index in the node's SQLite file (deploy/sql/sqlite/0002).</summary>
public sealed class SqliteIssueLedger(IOptions<GridOptions> options) : IIssueLedger
{
    internal static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { Converters = { new JsonStringEnumConverter() } };

    private SqliteConnection Open()
    {
        return SqliteConnections.Open(options.Value.SqliteConnectionString);
    }

    private static readonly string[] EventColumns =
        ["$id", "$seq", "$community", "$cell", "$category", "$action", "$from", "$to", "$at", "$actor", "$deadline", "$kind", "$assignee", "$score", "$passed"];

    /// <summary>The events and the summary in one write of the file's <see cref="SqliteWriter"/>: they commit together or not at all.</summary>
    public Task Append(IReadOnlyCollection<IssueEvent> events, IssueSummary summary, string communityCode)
    {
        var rows = events.Select(e => new object[]
        {
            e.IssueId, e.Seq, e.CommunityCode, e.CellCode, e.CategoryCode, e.Action.ToString(), (object?)e.FromStatus?.ToString() ?? DBNull.Value,
            e.ToStatus.ToString(), SqliteText.Utc(e.AtUtc), e.Actor, SqliteText.Utc(e.DeadlineUtc), (object?)e.AssigneeKind?.ToString() ?? DBNull.Value,
            (object?)e.AssigneeId ?? DBNull.Value, (object?)e.Score ?? DBNull.Value, e.Passed is { } p ? (p ? 1 : 0) : DBNull.Value,
        }).ToList();
        var summaryJson = JsonSerializer.Serialize(summary, Json);
        return SqliteWriter.For(options.Value.SqliteConnectionString).WriteAsync(connection =>
        {
            var insert = connection.Prepared("""
                INSERT OR IGNORE INTO IssueEvents (IssueId, Seq, CommunityCode, CellCode, CategoryCode, Action, FromStatus, ToStatus,
                                                   AtUtc, Actor, DeadlineUtc, AssigneeKind, AssigneeId, Score, Passed)
                VALUES ($id, $seq, $community, $cell, $category, $action, $from, $to, $at, $actor, $deadline, $kind, $assignee, $score, $passed)
                """);
            foreach (var values in rows)
            {
                for (var i = 0; i < values.Length; i++) insert.With(EventColumns[i], values[i]);
                insert.ExecuteNonQuery();
            }

            connection.Prepared("""
                INSERT INTO Issues (IssueId, CommunityCode, CellCode, Status, Version, UpdatedUtc, Summary)
                VALUES ($id, $community, $cell, $status, $version, $updated, $summary)
                ON CONFLICT (IssueId) DO UPDATE SET Status = excluded.Status, Version = excluded.Version,
                    UpdatedUtc = excluded.UpdatedUtc, Summary = excluded.Summary
                WHERE excluded.Version > Issues.Version
                """)
                .With("$id", summary.Id).With("$community", communityCode).With("$cell", summary.CellCode).With("$status", summary.Status.ToString())
                .With("$version", summary.Version).With("$updated", SqliteText.Utc(summary.UpdatedUtc)).With("$summary", summaryJson)
                .ExecuteNonQuery();
        });
    }

    public async Task<IReadOnlyList<IssueEvent>> EventsOfIssuesActiveBetween(string communityCode, DateTimeOffset fromUtc, DateTimeOffset toUtc)
    {
        await using var connection = Open();
        var command = connection.CreateCommand();
        command.CommandText = """
            SELECT e.IssueId, e.Seq, e.CommunityCode, e.CellCode, e.CategoryCode, e.Action, e.FromStatus, e.ToStatus,
                   e.AtUtc, e.Actor, e.DeadlineUtc, e.AssigneeKind, e.AssigneeId, e.Score, e.Passed
            FROM IssueEvents e
            WHERE e.IssueId IN (SELECT DISTINCT IssueId FROM IssueEvents
                                WHERE CommunityCode = $community AND AtUtc >= $from AND AtUtc < $to)
            ORDER BY e.IssueId, e.Seq
            """;
        command.Parameters.AddWithValue("$community", communityCode);
        command.Parameters.AddWithValue("$from", SqliteText.Utc(fromUtc));
        command.Parameters.AddWithValue("$to", SqliteText.Utc(toUtc));
        var events = new List<IssueEvent>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            events.Add(new IssueEvent(
                reader.GetString(0), reader.GetInt32(1), reader.GetString(2), reader.GetString(3), reader.GetString(4),
                Enum.Parse<IssueAction>(reader.GetString(5)),
                reader.IsDBNull(6) ? null : Enum.Parse<IssueStatus>(reader.GetString(6)),
                Enum.Parse<IssueStatus>(reader.GetString(7)),
                SqliteText.ParseUtc(reader.GetString(8)), reader.GetString(9),
                reader.IsDBNull(10) ? null : SqliteText.ParseUtc(reader.GetString(10)),
                reader.IsDBNull(11) ? null : Enum.Parse<AssigneeKind>(reader.GetString(11)),
                reader.IsDBNull(12) ? null : reader.GetString(12),
                reader.IsDBNull(13) ? null : reader.GetInt32(13),
                reader.IsDBNull(14) ? null : reader.GetInt32(14) == 1));
        }
        return events;
    }

    public Task<IReadOnlyList<IssueSummary>> CellIssues(string cellCode, IssueStatus? status, int limit) =>
        Summaries("CellCode", cellCode, status, limit);

    public Task<IReadOnlyList<IssueSummary>> CommunityIssues(string communityCode, IssueStatus? status, int limit) =>
        Summaries("CommunityCode", communityCode, status, limit);

    public Task<IReadOnlyList<IssueSummary>> CellIssuesUpdatedSince(string cellCode, DateTimeOffset sinceUtc) =>
        UpdatedSince("CellCode", cellCode, sinceUtc);

    public Task<IReadOnlyList<IssueSummary>> CommunityIssuesUpdatedSince(string communityCode, DateTimeOffset sinceUtc) =>
        UpdatedSince("CommunityCode", communityCode, sinceUtc);

    private async Task<IReadOnlyList<IssueSummary>> UpdatedSince(string column, string value, DateTimeOffset sinceUtc)
    {
        await using var connection = Open();
        var command = connection.CreateCommand();
        // Every status named, so that the (code, Status, UpdatedUtc) index serves the time range.
        // The column name comes from the two callers above, never from a request.
        command.CommandText = $"""
            SELECT Summary FROM Issues
            WHERE {column} = $value AND Status IN ({In(command, "$s", Enum.GetNames<IssueStatus>())}) AND UpdatedUtc >= $since
            """;
        command.Parameters.AddWithValue("$value", value);
        command.Parameters.AddWithValue("$since", SqliteText.Utc(sinceUtc));
        var list = new List<IssueSummary>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync()) list.Add(JsonSerializer.Deserialize<IssueSummary>(reader.GetString(0), Json)!);
        return list;
    }

    public async Task<IReadOnlyList<IssueSummary>> CommunityIssuesReportedBetween(string communityCode, DateTimeOffset fromUtc, DateTimeOffset toUtc,
        IReadOnlyCollection<IssueStatus>? statuses, IReadOnlyCollection<string>? categoryCodes, int limit)
    {
        await using var connection = Open();
        var command = connection.CreateCommand();
        // An issue's first event (Seq 1) is its report, so its time is when the issue was reported;
        // the (CommunityCode, AtUtc) index finds them. Only parameter names are put into the text.
        var statusFilter = statuses is null ? "" : $"AND i.Status IN ({In(command, "$s", statuses.Select(s => s.ToString()))})";
        var categoryFilter = categoryCodes is null ? "" : $"AND e.CategoryCode IN ({In(command, "$c", categoryCodes)})";
        command.CommandText = $"""
            SELECT i.Summary FROM IssueEvents e JOIN Issues i ON i.IssueId = e.IssueId
            WHERE e.CommunityCode = $community AND e.AtUtc >= $from AND e.AtUtc < $to AND e.Seq = 1
                  {statusFilter} {categoryFilter}
            ORDER BY e.AtUtc DESC, e.IssueId DESC LIMIT $limit
            """;
        command.Parameters.AddWithValue("$community", communityCode);
        command.Parameters.AddWithValue("$from", SqliteText.Utc(fromUtc));
        command.Parameters.AddWithValue("$to", SqliteText.Utc(toUtc));
        command.Parameters.AddWithValue("$limit", limit);
        var list = new List<IssueSummary>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync()) list.Add(JsonSerializer.Deserialize<IssueSummary>(reader.GetString(0), Json)!);
        return list;
    }

    /// <summary>One parameter per value, named for an IN list; an empty list matches nothing.</summary>
    private static string In(SqliteCommand command, string prefix, IEnumerable<string> values)
    {
        var names = new List<string>();
        foreach (var value in values)
        {
            var name = $"{prefix}{names.Count}";
            command.Parameters.AddWithValue(name, value);
            names.Add(name);
        }
        return names.Count == 0 ? "NULL" : string.Join(", ", names);
    }

    private async Task<IReadOnlyList<IssueSummary>> Summaries(string column, string value, IssueStatus? status, int limit)
    {
        await using var connection = Open();
        var command = connection.CreateCommand();
        // The column name comes from the two callers above, never from a request.
        command.CommandText = $"""
            SELECT Summary FROM Issues
            WHERE {column} = $value AND ($status IS NULL OR Status = $status)
            ORDER BY UpdatedUtc DESC LIMIT $limit
            """;
        command.Parameters.AddWithValue("$value", value);
        command.Parameters.AddWithValue("$status", (object?)status?.ToString() ?? DBNull.Value);
        command.Parameters.AddWithValue("$limit", limit);
        var list = new List<IssueSummary>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync()) list.Add(JsonSerializer.Deserialize<IssueSummary>(reader.GetString(0), Json)!);
        return list;
    }
}
