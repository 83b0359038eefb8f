using System.Data;
using System.Data.Common;
using Grid.Api.Security;
using Grid.Contracts;
using Grid.Grains.Issues;
using Grid.Silo.Hosting;
using Grid.Silo.Storage;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;

namespace Grid.Tests.Storage;

/// <summary>
/// The connections Orleans' grain storage gets on the embedded profile: the provider's own statements
/// (read from OrleansQuery) with parameters bound as the provider binds them, through the data source.
/// </summary>
[Trait("Tier", "Integration")]
public sealed class SqliteGrainStorageDataSourceTests
{
    private readonly GridOptions grid = new() { DataDirectory = TestData.TempDirectory("grain-storage") };
    private readonly SqliteGrainStorageDataSource storage;
    private readonly string writeQuery;
    private readonly string readQuery;

    public SqliteGrainStorageDataSourceTests()
    {
        SqliteSchema.Apply(grid.SqliteConnectionString);
        storage = new SqliteGrainStorageDataSource(grid.SqliteConnectionString);
        writeQuery = Query("WriteToStorageKey");
        readQuery = Query("ReadFromStorageKey");
    }

    [Fact]
    public async Task The_write_statement_answers_the_new_version_and_a_stale_or_blind_write_answers_a_conflict_and_changes_nothing()
    {
        var first = await Write(version: null, payload: [1]);
        Assert.Equal([1, 0, 0], first.Select(set => set.Rows.Count)); // one result set per statement, the insert's answering
        Assert.Equal(1L, first[0].Rows.Single()[0]);
        Assert.Equal("NewGrainStateVersion", first[0].Names.Single());

        var second = await Write(version: 1, payload: [2]);
        Assert.Equal([0, 1, 0], second.Select(set => set.Rows.Count));
        Assert.Equal(2L, second[1].Rows.Single()[0]);

        // The provider takes its own version answered back (or no answer at all) for a conflict.
        var stale = await Write(version: 1, payload: [3]);
        Assert.Equal(1L, stale.SelectMany(set => set.Rows).Single()[0]);
        var blind = await Write(version: null, payload: [4]);
        Assert.Empty(blind.SelectMany(set => set.Rows));

        var (payload, version) = await Read();
        Assert.Equal(new byte[] { 2 }, payload);
        Assert.Equal(2L, version);
    }

    [Fact]
    public async Task A_read_of_a_state_never_written_answers_no_row()
    {
        Assert.Null(await ReadRow());
    }

    [Fact]
    public async Task Grain_state_ledger_and_audit_writes_of_one_file_commit_together_through_its_writer()
    {
        var writer = SqliteWriter.For(grid.SqliteConnectionString);
        var release = new ManualResetEventSlim();
        var running = new ManualResetEventSlim();
        var held = writer.WriteAsync(_ => { running.Set(); release.Wait(); });
        running.Wait(TimeSpan.FromSeconds(30));
        var commitsBefore = writer.Commits;

        var category = DefaultCategories.All.First(c => c.ParentCode is not null);
        var cell = TestData.NewCommunityCode() + "001";
        var issue = IssueWorkflow.Report($"{cell}-2026-00001", new IssueReport { CellCode = cell, CategoryCode = category.Code, Title = "同批" }, category, "w", "w", DateTimeOffset.UtcNow);
        // Each of them queues its write before its first await (the grain write's query text is read beforehand).
        var writes = new List<Task>
        {
            Write(version: null, payload: [1]),
            new SqliteIssueLedger(Options.Create(grid)).Append([.. IssueEvent.Of(issue)], IssueSummary.Of(issue), issue.CommunityCode),
            new SqliteAuditLog(Options.Create(grid)).Record(new AuditEntry(DateTimeOffset.UtcNow, "w", "admin", "PUT", "/api/x", "/api/x", 200, "127.0.0.1", 1, "")),
        };
        Assert.DoesNotContain(writes, w => w.IsCompleted);
        release.Set();
        await held;
        await Task.WhenAll(writes);

        Assert.Equal(commitsBefore + 2, writer.Commits); // the holding write's, then one for all three
        var (payload, version) = await Read();
        Assert.Equal(new byte[] { 1 }, payload);
        Assert.Equal(1L, version);
    }

    private sealed record ResultSet(string[] Names, List<object[]> Rows);

    /// <summary>The provider's WriteToStorageKey, parameters as it adds them; every result set of the answer.</summary>
    private async Task<List<ResultSet>> Write(int? version, byte[] payload)
    {
        await using var connection = await storage.OpenConnectionAsync();
        await using var command = connection.CreateCommand();
        AddKey(command);
        Add(command, "GrainStateVersion", version, DbType.Int32);
        Add(command, "PayloadBinary", payload, DbType.Binary);
        command.CommandText = writeQuery;
        await using var reader = await command.ExecuteReaderAsync();
        var sets = new List<ResultSet>();
        do
        {
            var rows = new List<object[]>();
            while (await reader.ReadAsync())
            {
                var values = new object[reader.FieldCount];
                reader.GetValues(values);
                rows.Add(values);
            }
            sets.Add(new ResultSet(Enumerable.Range(0, reader.FieldCount).Select(reader.GetName).ToArray(), rows));
        } while (await reader.NextResultAsync());
        return sets;
    }

    private async Task<(byte[] Payload, long Version)> Read() => await ReadRow() ?? throw new InvalidOperationException("no row");

    private async Task<(byte[] Payload, long Version)?> ReadRow()
    {
        await using var connection = await storage.OpenConnectionAsync();
        await using var command = connection.CreateCommand();
        AddKey(command);
        command.CommandText = readQuery;
        await using var reader = await command.ExecuteReaderAsync();
        if (!await reader.ReadAsync()) return null;
        return ((byte[])reader.GetValue(reader.GetOrdinal("PayloadBinary")), Convert.ToInt64(reader.GetValue(reader.GetOrdinal("Version"))));
    }

    private static void AddKey(DbCommand command)
    {
        Add(command, "GrainIdHash", 0, DbType.Int32);
        Add(command, "GrainIdN0", 0L, DbType.Int64);
        Add(command, "GrainIdN1", 0L, DbType.Int64);
        Add(command, "GrainTypeHash", 0, DbType.Int32);
        Add(command, "GrainTypeString", "test", DbType.String);
        Add(command, "GrainIdExtensionString", "grain-storage", DbType.String);
        Add(command, "ServiceId", "grid", DbType.String);
    }

    private static void Add(DbCommand command, string name, object? value, DbType type)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = name;
        parameter.Value = value ?? DBNull.Value;
        parameter.DbType = type;
        parameter.Direction = ParameterDirection.Input;
        command.Parameters.Add(parameter);
    }

    private string Query(string key)
    {
        using var connection = SqliteConnections.Open(grid.SqliteConnectionString);
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT QueryText FROM OrleansQuery WHERE QueryKey = $key";
        command.Parameters.AddWithValue("$key", key);
        return (string)command.ExecuteScalar()!;
    }
}
