using Grid.Api.Security;
using Grid.Contracts;
using Grid.Grains;
using Grid.Grains.Issues;
using Grid.Silo.Hosting;
using Grid.Silo.Storage;
using Grid.Tests.Grains;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;

namespace Grid.Tests.Storage;

/// <summary>
/// Writers to the node's SQLite file take turns in the process (SqliteConnections) rather than meet in
/// SQLite, where Microsoft.Data.Sqlite answers SQLITE_BUSY with a 150 ms sleep. Each test holds the
/// file's turn and shows that a writer of each kind waits for it, then finishes once it is released.
/// </summary>
public sealed class SqliteWriteTurnTests
{
    // Long enough for an unqueued SQLite write to finish many times over; it only ever makes a missing turn pass unnoticed, never a present one fail.
    private static readonly TimeSpan Settle = TimeSpan.FromMilliseconds(500);

    [Fact]
    public async Task Grain_storage_connections_wait_for_the_files_write_turn()
    {
        await using var cluster = await GridCluster.StartSqliteAsync(TestData.TempDirectory("turn-grains"));
        var storage = (SqliteTestStorage)cluster.Storage;
        var community = TestData.NewCommunityCode();

        Task define;
        await using (await SqliteConnections.OpenForWriteAsync(storage.ConnectionString))
        {
            define = cluster.Grains.GetGrain<ICommunityGrain>(community).Define(TestData.Community(community));
            await Task.Delay(Settle);
            Assert.False(define.IsCompleted, "the grain wrote while another writer held the file");
        }
        await define;
        Assert.Equal(1, await storage.StateWrites(GridStorage.Community));
    }

    [Fact]
    public async Task Ledger_and_audit_writes_wait_for_the_files_write_turn_and_then_all_land()
    {
        var directory = TestData.TempDirectory("turn-stores");
        var grid = new GridOptions { DataDirectory = directory };
        SqliteSchema.Apply(grid.SqliteConnectionString);
        var ledger = new SqliteIssueLedger(Options.Create(grid));
        var audit = new SqliteAuditLog(Options.Create(grid));
        var category = DefaultCategories.All.First(c => c.ParentCode is not null);
        var cell = TestData.NewCommunityCode() + "001";

        var writes = new List<Task>();
        await using (await SqliteConnections.OpenForWriteAsync(grid.SqliteConnectionString))
        {
            for (var n = 0; n < 20; n++)
            {
                var issue = IssueWorkflow.Report($"{cell}-2026-{n + 1:D5}", new IssueReport { CellCode = cell, CategoryCode = category.Code, Title = "排队" }, category, "w", "w", DateTimeOffset.UtcNow);
                writes.Add(Task.Run(() => ledger.Append([.. IssueEvent.Of(issue)], IssueSummary.Of(issue), issue.CommunityCode)));
                writes.Add(Task.Run(() => audit.Record(new AuditEntry(DateTimeOffset.UtcNow, "w", "grid_worker", "POST", "/api/issues", "/api/issues", 201, "127.0.0.1", 1, ""))));
            }
            await Task.Delay(Settle);
            Assert.DoesNotContain(writes, w => w.IsCompleted);
        }
        await Task.WhenAll(writes);

        await using var connection = new SqliteConnection(grid.SqliteConnectionString);
        await connection.OpenAsync();
        var count = connection.CreateCommand();
        count.CommandText = "SELECT (SELECT COUNT(*) FROM Issues WHERE CellCode = $cell), (SELECT COUNT(*) FROM AuditLog)";
        count.Parameters.AddWithValue("$cell", cell);
        await using var reader = await count.ExecuteReaderAsync();
        await reader.ReadAsync();
        Assert.Equal(20, reader.GetInt64(0));
        Assert.Equal(20, reader.GetInt64(1));
    }

    [Fact]
    public async Task Each_file_has_its_own_turn()
    {
        var one = new GridOptions { DataDirectory = TestData.TempDirectory("turn-one") };
        var other = new GridOptions { DataDirectory = TestData.TempDirectory("turn-other") };
        SqliteSchema.Apply(one.SqliteConnectionString);
        SqliteSchema.Apply(other.SqliteConnectionString);

        await using (await SqliteConnections.OpenForWriteAsync(one.SqliteConnectionString))
        {
            // Would wait forever behind the held turn if the two files shared one.
            await new SqliteAuditLog(Options.Create(other)).Record(new AuditEntry(DateTimeOffset.UtcNow, "w", "admin", "PUT", "/api/x", "/api/x", 200, "127.0.0.1", 1, ""))
                .WaitAsync(TimeSpan.FromSeconds(30));
        }
    }
}
