using Grid.Silo.Hosting;
using Grid.Silo.Storage;
using Microsoft.Data.Sqlite;

namespace Grid.Tests.Storage;

/// <summary>
/// The group commit of a SQLite file: on real files in temp directories. Where a test needs writes to
/// share a batch it holds the writer's thread in a first write until they are queued, so what it
/// counts does not depend on timing.
/// </summary>
[Trait("Tier", "Integration")]
public sealed class SqliteWriterTests : IDisposable
{
    private readonly string connectionString;
    private readonly SqliteWriter writer;

    public SqliteWriterTests()
    {
        connectionString = new GridOptions { DataDirectory = TestData.TempDirectory("writer") }.SqliteConnectionString;
        SqliteSchema.Apply(connectionString);
        using var connection = SqliteConnections.Open(connectionString);
        using var create = connection.CreateCommand();
        create.CommandText = "CREATE TABLE Rows (Seq INTEGER PRIMARY KEY AUTOINCREMENT, Caller INTEGER NOT NULL, N INTEGER NOT NULL)";
        create.ExecuteNonQuery();
        writer = new SqliteWriter(connectionString);
    }

    public void Dispose() => writer.Dispose();

    [Fact]
    public async Task Concurrent_writes_from_many_tasks_all_land_and_each_is_visible_to_a_new_connection_once_its_task_completes()
    {
        var writes = Enumerable.Range(0, 200).Select(n => Task.Run(async () =>
        {
            await writer.WriteAsync(c => Insert(c, caller: n, n: n));
            Assert.Equal(1, Count($"Caller = {n}"));
        }));
        await Task.WhenAll(writes);
        Assert.Equal(200, Count());
    }

    [Fact]
    public async Task Writes_queued_while_a_commit_runs_commit_together_in_far_fewer_commits_than_writes()
    {
        var (release, held) = HoldWriter();
        var writes = Enumerable.Range(0, 200).Select(n => writer.WriteAsync(c => Insert(c, caller: n, n: n))).ToList();
        release.Set();
        await held;
        await Task.WhenAll(writes);
        // The holding write's commit, then one for all 200 queued behind it.
        Assert.Equal(2, writer.Commits);
        Assert.Equal(201, Count());
    }

    [Fact]
    public async Task A_failing_write_faults_only_itself_its_rows_are_absent_and_the_rest_of_its_batch_commits()
    {
        var (release, held) = HoldWriter();
        var before = writer.WriteAsync(c => Insert(c, caller: 1, n: 1));
        var failure = new InvalidOperationException("this write fails after its insert");
        var failing = writer.WriteAsync(c =>
        {
            Insert(c, caller: 2, n: 2);
            throw failure;
        });
        var after = writer.WriteAsync(c => Insert(c, caller: 3, n: 3));
        release.Set();
        await held;

        await before;
        await after;
        Assert.Same(failure, await Assert.ThrowsAsync<InvalidOperationException>(() => failing));
        Assert.Equal(2, writer.Commits); // the three shared one commit
        Assert.Equal(1, Count("Caller = 1"));
        Assert.Equal(0, Count("Caller = 2"));
        Assert.Equal(1, Count("Caller = 3"));
    }

    [Fact]
    public async Task Writes_of_one_caller_are_applied_in_the_order_submitted()
    {
        var writes = new List<Task>();
        for (var n = 0; n < 300; n++)
        {
            var value = n;
            writes.Add(writer.WriteAsync(c => Insert(c, caller: 7, n: value)));
            if (n % 50 == 0) await writes[^1]; // some batches start with the queue empty, some not
        }
        await Task.WhenAll(writes);

        using var connection = SqliteConnections.Open(connectionString);
        using var select = connection.CreateCommand();
        select.CommandText = "SELECT N FROM Rows WHERE Caller = 7 ORDER BY Seq";
        var applied = new List<long>();
        using (var reader = select.ExecuteReader())
            while (reader.Read()) applied.Add(reader.GetInt64(0));
        Assert.Equal(Enumerable.Range(0, 300).Select(n => (long)n), applied);
    }

    [Fact]
    public async Task A_completed_write_survives_disposing_the_writer_which_closes_its_file()
    {
        await writer.WriteAsync(c => Insert(c, caller: 5, n: 5));
        writer.Dispose();
        SqliteConnection.ClearAllPools();

        if (OperatingSystem.IsLinux()) Assert.Equal(0, OpenHandlesOn(new SqliteConnectionStringBuilder(connectionString).DataSource));
        Assert.Equal(1, Count("Caller = 5"));
        await Assert.ThrowsAsync<ObjectDisposedException>(() => writer.WriteAsync(c => Insert(c, caller: 6, n: 6)));
    }

    [Fact]
    public async Task Disposing_the_writer_first_commits_what_is_queued()
    {
        var (release, held) = HoldWriter();
        var queued = Enumerable.Range(0, 20).Select(n => writer.WriteAsync(c => Insert(c, caller: 8, n: n))).ToList();
        var disposing = Task.Run(writer.Dispose);
        // Released only once the writer refuses new writes: disposed while the 20 are still queued.
        while (true)
        {
            try { _ = writer.WriteAsync(c => Insert(c, caller: 13, n: 0)); }
            catch (ObjectDisposedException) { break; }
            await Task.Delay(1);
        }
        release.Set();
        await disposing;
        await held;
        await Task.WhenAll(queued);
        Assert.Equal(20, Count("Caller = 8"));
    }

    [Fact]
    public async Task A_write_cancelled_before_it_runs_is_skipped()
    {
        var (release, held) = HoldWriter();
        using var cancel = new CancellationTokenSource();
        var cancelled = writer.WriteAsync(c => Insert(c, caller: 9, n: 9), cancel.Token);
        cancel.Cancel();
        release.Set();
        await held;
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cancelled);
        Assert.Equal(0, Count("Caller = 9"));
    }

    [Fact]
    public async Task A_write_waits_for_another_connections_write_lock_and_commits_once_it_is_released()
    {
        // Another connection holding the write lock stands for a second node on the same file.
        using var other = SqliteConnections.Open(connectionString);
        Execute(other, "BEGIN IMMEDIATE");
        var write = writer.WriteAsync(c => Insert(c, caller: 10, n: 10));
        await Task.Delay(TimeSpan.FromMilliseconds(300)); // only ever lets a write that skipped the lock go unnoticed
        Assert.False(write.IsCompleted, "the write committed while another connection held the write lock");
        Execute(other, "COMMIT");
        await write;
        Assert.Equal(1, Count("Caller = 10"));
    }

    [Fact]
    public async Task When_the_write_lock_stays_taken_past_the_timeout_the_whole_batch_faults_and_later_writes_commit()
    {
        var shortTimeout = new SqliteConnectionStringBuilder(connectionString) { DefaultTimeout = 1 }.ToString();
        using var impatient = new SqliteWriter(shortTimeout);
        using var other = SqliteConnections.Open(connectionString);
        Execute(other, "BEGIN IMMEDIATE");
        var writes = Enumerable.Range(0, 3).Select(n => impatient.WriteAsync(c => Insert(c, caller: 11, n: n))).ToList();
        foreach (var write in writes) await Assert.ThrowsAsync<SqliteException>(() => write);
        Execute(other, "COMMIT");

        await impatient.WriteAsync(c => Insert(c, caller: 12, n: 12));
        Assert.Equal(0, Count("Caller = 11"));
        Assert.Equal(1, Count("Caller = 12"));
    }

    /// <summary>A write that holds the writer's thread until released; its task completes after its commit.</summary>
    private (ManualResetEventSlim Release, Task Held) HoldWriter()
    {
        var release = new ManualResetEventSlim();
        var running = new ManualResetEventSlim();
        var held = writer.WriteAsync(c =>
        {
            running.Set();
            release.Wait();
            Insert(c, caller: -1, n: -1);
        });
        running.Wait(TimeSpan.FromSeconds(30));
        return (release, held);
    }

    private static void Insert(SqliteConnection connection, int caller, int n)
    {
        using var insert = connection.CreateCommand();
        insert.CommandText = "INSERT INTO Rows (Caller, N) VALUES ($caller, $n)";
        insert.Parameters.AddWithValue("$caller", caller);
        insert.Parameters.AddWithValue("$n", n);
        insert.ExecuteNonQuery();
    }

    private static void Execute(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    /// <summary>Rows as a new connection sees them.</summary>
    private long Count(string where = "1 = 1")
    {
        using var connection = SqliteConnections.Open(connectionString);
        using var count = connection.CreateCommand();
        count.CommandText = $"SELECT COUNT(*) FROM Rows WHERE {where}";
        return (long)count.ExecuteScalar()!;
    }

    private static int OpenHandlesOn(string path) =>
        new DirectoryInfo("/proc/self/fd").GetFileSystemInfos().Count(fd => fd.LinkTarget is { } target && target.StartsWith(Path.GetFullPath(path), StringComparison.Ordinal));
}
