using System.Collections.Concurrent;
using Microsoft.Data.Sqlite;

namespace Grid.Silo.Storage;

/// <summary>
/// The one writer of a SQLite file in this process, committing writes in groups. Every commit costs an
/// fsync (synchronous=FULL, so that an acknowledged write survives a power loss), and SQLite admits one
/// writer at a time anyway: one commit per write spent most of the node's storage time in fsyncs and in
/// handing the file from writer to writer. Here a thread owns one connection; each write is a work
/// item, and the thread runs everything queued (up to <see cref="MaxBatch"/>) in one transaction and
/// one fsync, each item under its own savepoint so that an item that fails takes back only its own
/// statements. A write's task completes only after the COMMIT holding it has returned. Nothing waits
/// to gather a batch: a lone write commits at once, and the writes that arrive during a commit form
/// the next batch.
/// </summary>
public sealed class SqliteWriter : IDisposable
{
    private const int MaxBatch = 512;

    // A file nobody writes to is not held open: its thread ends and closes the connection, and the next write starts another.
    private static readonly TimeSpan IdleClose = TimeSpan.FromSeconds(5);

    private static readonly ConcurrentDictionary<string, SqliteWriter> Shared = new(StringComparer.Ordinal);
    private static readonly ConcurrentDictionary<string, SqliteWriter> ByConnectionString = new(StringComparer.Ordinal);

    private readonly string connectionString;
    private readonly string fileName;
    private readonly object gate = new();
    private readonly Queue<Write> queue = new();
    private Thread? thread;
    private bool disposed;
    private long commits;

    /// <summary>A writer of its own for the file; the node's stores use <see cref="For"/>, so that they all share one.</summary>
    public SqliteWriter(string connectionString)
    {
        // Not pooled: the connection is this writer's alone, with its own pragmas, and closing it closes the file.
        var builder = new SqliteConnectionStringBuilder(connectionString) { Pooling = false };
        this.connectionString = builder.ToString();
        fileName = Path.GetFileName(builder.DataSource);
    }

    /// <summary>The writer of the file named by the connection string, shared by the whole process (it lives as long as the process).</summary>
    public static SqliteWriter For(string connectionString) =>
        // Every write asks: the connection string is looked up as it is, the file's path worked out only the first time.
        ByConnectionString.GetOrAdd(connectionString, cs => Shared.GetOrAdd(SqliteConnections.Key(cs), _ => new SqliteWriter(cs)));

    /// <summary>Transactions committed so far: fewer than the writes when writes were grouped.</summary>
    public long Commits => Interlocked.Read(ref commits);

    /// <summary>
    /// Runs <paramref name="work"/> on the writer's connection inside the group's transaction, and completes
    /// once that transaction has committed. The work runs synchronously on the writer's thread: no async I/O,
    /// no transaction of its own, nothing slow, since every other write of the group waits for it.
    /// A write cancelled before it runs is skipped; once it runs it is no longer cancelled.
    /// </summary>
    public Task<T> WriteAsync<T>(Func<SqliteConnection, T> work, CancellationToken cancellationToken = default)
    {
        var write = new Write<T>(work, cancellationToken);
        lock (gate)
        {
            ObjectDisposedException.ThrowIf(disposed, this);
            queue.Enqueue(write);
            if (thread is null)
            {
                thread = new Thread(Run) { IsBackground = true, Name = $"SQLite writer {fileName}" };
                thread.Start();
            }
            else
            {
                Monitor.Pulse(gate);
            }
        }
        return write.Task;
    }

    public Task WriteAsync(Action<SqliteConnection> work, CancellationToken cancellationToken = default) =>
        WriteAsync(connection => { work(connection); return true; }, cancellationToken);

    /// <summary>Commits what is queued, then closes the connection; writes after this throw.</summary>
    public void Dispose()
    {
        Thread? running;
        lock (gate)
        {
            if (disposed) return;
            disposed = true;
            running = thread;
            Monitor.PulseAll(gate);
        }
        running?.Join();
    }

    private void Run()
    {
        WriterConnection? connection = null;
        try
        {
            while (TakeBatch() is { } batch)
            {
                try
                {
                    connection ??= new WriterConnection(connectionString);
                    Commit(connection, batch);
                }
                catch (Exception e)
                {
                    // Nothing of the batch is committed (closing the connection rolls back what is open).
                    foreach (var write in batch) write.Fail(e);
                    connection?.Dispose();
                    connection = null;
                }
            }
        }
        finally
        {
            connection?.Dispose();
        }
    }

    /// <summary>What is queued, up to a batch; null once the writer has been idle for <see cref="IdleClose"/> or is disposed and drained.</summary>
    private List<Write>? TakeBatch()
    {
        lock (gate)
        {
            while (queue.Count == 0)
            {
                if (disposed || (!Monitor.Wait(gate, IdleClose) && queue.Count == 0))
                {
                    thread = null;
                    return null;
                }
            }
            var batch = new List<Write>(Math.Min(queue.Count, MaxBatch));
            while (batch.Count < MaxBatch && queue.TryDequeue(out var write)) batch.Add(write);
            return batch;
        }
    }

    private void Commit(WriterConnection connection, List<Write> batch)
    {
        connection.Begin.ExecuteNonQuery();
        foreach (var write in batch)
        {
            if (write.CancelIfRequested()) continue;
            connection.Savepoint.ExecuteNonQuery();
            Exception? failure = null;
            try { write.Run(connection.Sqlite); }
            catch (Exception e) { failure = e; }
            if (failure is not null) connection.RollbackToSavepoint.ExecuteNonQuery();
            connection.Release.ExecuteNonQuery();
            if (failure is not null) write.Fail(failure);
        }
        connection.Commit.ExecuteNonQuery();
        Interlocked.Increment(ref commits);
        foreach (var write in batch) write.Complete();
    }

    /// <summary>The writer's connection and its transaction statements, prepared once.</summary>
    private sealed class WriterConnection : IDisposable
    {
        public WriterConnection(string connectionString)
        {
            Sqlite = new SqliteConnection(connectionString);
            Sqlite.Open();
            using (var pragmas = Sqlite.CreateCommand())
            {
                // FULL: a write is acknowledged only once its commit is synced. busy_timeout: only another
                // process (a second node on the same file) can hold the write lock, SQLite waits for it.
                pragmas.CommandText = $"PRAGMA synchronous=FULL; PRAGMA busy_timeout={Sqlite.DefaultTimeout * 1000};";
                pragmas.ExecuteNonQuery();
            }
            // Plain statements rather than a SqliteTransaction: the work items' commands then need no Transaction set.
            Begin = Command("BEGIN IMMEDIATE");
            Savepoint = Command("SAVEPOINT w");
            RollbackToSavepoint = Command("ROLLBACK TO w");
            Release = Command("RELEASE w");
            Commit = Command("COMMIT");
        }

        public SqliteConnection Sqlite { get; }
        public SqliteCommand Begin { get; }
        public SqliteCommand Savepoint { get; }
        public SqliteCommand RollbackToSavepoint { get; }
        public SqliteCommand Release { get; }
        public SqliteCommand Commit { get; }

        private SqliteCommand Command(string text)
        {
            var command = Sqlite.CreateCommand();
            command.CommandText = text;
            return command;
        }

        public void Dispose() => Sqlite.Dispose();
    }

    private abstract class Write
    {
        public abstract void Run(SqliteConnection connection);

        /// <summary>Completes the write as committed; one that already failed or was cancelled stays so.</summary>
        public abstract void Complete();

        public abstract void Fail(Exception exception);

        public abstract bool CancelIfRequested();
    }

    private sealed class Write<T>(Func<SqliteConnection, T> work, CancellationToken cancellationToken) : Write
    {
        // Asynchronous continuations: no caller's code runs on the writer's thread.
        private readonly TaskCompletionSource<T> completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private T result = default!;

        public Task<T> Task => completion.Task;

        public override void Run(SqliteConnection connection) => result = work(connection);

        public override void Complete() => completion.TrySetResult(result);

        public override void Fail(Exception exception) => completion.TrySetException(exception);

        public override bool CancelIfRequested() => cancellationToken.IsCancellationRequested && completion.TrySetCanceled(cancellationToken);
    }
}
