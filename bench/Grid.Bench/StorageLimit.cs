using System.Data.Common;
using System.Diagnostics;
using System.Globalization;
using Grid.Api.Security;
using Grid.Contracts;
using Grid.Grains.Issues;
using Grid.Silo.Hosting;
using Grid.Silo.Storage;
using Microsoft.Data.Sqlite;

namespace Grid.Bench;

/// <summary>
/// How close the node gets to its storage. First the lifecycles run against a node the tool
/// starts on a fresh SQLite file, and the writes they caused are counted in that file: grain
/// state writes (the versions added in OrleansStorage, per state name), ledger appends (the
/// versions added in Issues) and audit rows. Then, on another fresh file with the same scripts
/// and connection string, the same concurrency of writers runs the same statements with nothing
/// else around them: the provider's WriteToStorageKey text read from OrleansQuery (payloads of
/// the mean size measured) through the node's grain storage data source, the node's own ledger
/// and audit classes, mixed in the measured proportions; all of them commit through the file's
/// SqliteWriter, as in the node. Limit = raw writes/s ÷ writes per lifecycle.
/// </summary>
public static class StorageLimit
{
    private sealed record Row(string Type, long Version, long Bytes);

    private sealed record Snapshot(Dictionary<string, Row> Grains, long LedgerVersions, long AuditRows);

    public static async Task<int> Run(IEnumerable<string> args)
    {
        var o = Lifecycles.ParseOptions(args);
        if (o.Url is not null) throw new ArgumentException("storage-limit starts its own node: it counts writes in the node's own file.");
        if (o.Profile != "embedded") throw new ArgumentException("storage-limit measures the embedded profile (SQLite); see BENCHMARKS.md for PostgreSQL.");
        var data = Path.Combine(Path.GetTempPath(), "grid-bench", Guid.NewGuid().ToString("N"));
        var raw = Path.Combine(Path.GetTempPath(), "grid-bench", Guid.NewGuid().ToString("N"));
        var nodeDb = new GridOptions { DataDirectory = data }.SqliteConnectionString;
        var adminPassword = "bench-" + Guid.NewGuid().ToString("N");
        try
        {
            Snapshot? before = null;
            Lifecycles.Result result;
            await using (var node = await Lifecycles.StartNode(o, data, adminPassword))
            {
                result = await Lifecycles.Drive(node.Address, o, adminPassword, async () => before = await Take(nodeDb), node);
                // Writes a timer still holds (roll-ups) land within its interval; give them that before counting.
                await Task.Delay(TimeSpan.FromSeconds(2));
                var after = await Take(nodeDb);
                Lifecycles.Print(o, result);
                if (result.Errors > 0) return 1;

                var (perType, bytes) = Diff(before!, after);
                var grainWrites = perType.Values.Sum();
                var ledger = after.LedgerVersions - before!.LedgerVersions;
                var audit = after.AuditRows - before.AuditRows;
                double n = result.AllCompleted;
                var perLifecycle = (grainWrites + ledger + audit) / n;
                Console.WriteLine();
                Console.WriteLine($"writes counted in the node's file over {result.AllCompleted} completed lifecycles (warm-up included):");
                foreach (var (type, count) in perType.OrderByDescending(p => p.Value)) Console.WriteLine($"  grain state {type,-16} {count / n,6:F2} per lifecycle");
                Console.WriteLine($"  ledger appends             {ledger / n,6:F2} per lifecycle");
                Console.WriteLine($"  audit rows                 {audit / n,6:F2} per lifecycle");
                Console.WriteLine($"  total                      {perLifecycle,6:F2} per lifecycle; grain state payload {bytes / Math.Max(1, grainWrites)} bytes on average");

                var rawResult = await RawSqlite(raw, o.Concurrency, Math.Min(o.Seconds, 15), grainWrites, ledger, audit, (int)(bytes / Math.Max(1, grainWrites)));
                var limit = rawResult / perLifecycle;
                Console.WriteLine($"raw writes on a fresh file, concurrency {o.Concurrency}: {rawResult:F0}/s → limit {limit:F1} lifecycles/s");
                Console.WriteLine($"load average at the end: {Lifecycles.LoadAverage()}");
                Console.WriteLine();
                Console.WriteLine("| profile | concurrency | lifecycles/s | writes per lifecycle | raw writes/s | limit (lifecycles/s) | ratio |");
                Console.WriteLine($"| {o.Profile} | {o.Concurrency} | {result.PerSecond:F1} | {perLifecycle:F1} | {rawResult:F0} | {limit:F1} | {result.PerSecond / limit:P0} |");
            }
            return 0;
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            foreach (var dir in new[] { data, raw }) try { Directory.Delete(dir, recursive: true); } catch (IOException) { /* still held: left in temp */ }
        }
    }

    private static async Task<Snapshot> Take(string connectionString)
    {
        await using var connection = new SqliteConnection(connectionString);
        await connection.OpenAsync();
        var grains = new Dictionary<string, Row>();
        var select = connection.CreateCommand();
        select.CommandText = "SELECT GrainTypeString, GrainIdN0, GrainIdN1, GrainIdExtension, Version, COALESCE(length(PayloadBinary), 0) FROM OrleansStorage";
        await using (var reader = await select.ExecuteReaderAsync())
            while (await reader.ReadAsync())
                grains[$"{reader.GetString(0)}|{reader.GetInt64(1)}|{reader.GetInt64(2)}|{reader.GetString(3)}"] = new Row(reader.GetString(0), reader.GetInt64(4), reader.GetInt64(5));
        var counts = connection.CreateCommand();
        counts.CommandText = "SELECT (SELECT COALESCE(SUM(Version), 0) FROM Issues), (SELECT COUNT(*) FROM AuditLog)";
        await using var r = await counts.ExecuteReaderAsync();
        await r.ReadAsync();
        return new Snapshot(grains, r.GetInt64(0), r.GetInt64(1));
    }

    /// <summary>Writes per state name, and the payload bytes written (each write weighted by the row's final size).</summary>
    private static (Dictionary<string, long> PerType, long Bytes) Diff(Snapshot before, Snapshot after)
    {
        var perType = new Dictionary<string, long>();
        long bytes = 0;
        foreach (var (key, row) in after.Grains)
        {
            var writes = row.Version - (before.Grains.TryGetValue(key, out var old) ? old.Version : 0);
            if (writes <= 0) continue;
            perType[row.Type] = perType.GetValueOrDefault(row.Type) + writes;
            bytes += writes * row.Bytes;
        }
        return (perType, bytes);
    }

    /// <summary>Raw writes per second on a fresh file: the node's statements, in the measured mix, nothing else.</summary>
    internal static async Task<double> RawSqlite(string directory, int concurrency, int seconds, long grainWrites, long ledgerAppends, long auditRows, int payloadBytes)
    {
        var grid = new GridOptions { DataDirectory = directory };
        Directory.CreateDirectory(grid.FullDataDirectory);
        SqliteSchema.Apply(grid.SqliteConnectionString);
        string writeQuery;
        await using (var connection = new SqliteConnection(grid.SqliteConnectionString))
        {
            await connection.OpenAsync();
            var q = connection.CreateCommand();
            q.CommandText = "SELECT QueryText FROM OrleansQuery WHERE QueryKey = 'WriteToStorageKey'";
            writeQuery = (string)(await q.ExecuteScalarAsync())!;
        }
        var options = Microsoft.Extensions.Options.Options.Create(grid);
        var grainStorage = new SqliteGrainStorageDataSource(grid.SqliteConnectionString);
        var ledger = new SqliteIssueLedger(options);
        var audit = new SqliteAuditLog(options);
        var category = DefaultCategories.All.First(c => c.ParentCode is not null);
        var payload = new byte[Math.Max(1, payloadBytes)];
        Random.Shared.NextBytes(payload);
        var total = grainWrites + ledgerAppends + auditRows;

        var stop = Stopwatch.StartNew();
        var until = TimeSpan.FromSeconds(seconds);
        long writes = 0;
        var workers = Enumerable.Range(0, concurrency).Select(w => Task.Run(async () =>
        {
            var versions = new long?[64];
            for (long i = 0; stop.Elapsed < until; i++)
            {
                // Spread the kinds evenly in the measured proportions: position i of every `total` writes.
                var slot = (i * 7919 + w * 104729) % total;
                if (slot < grainWrites)
                {
                    var key = (int)(i % versions.Length);
                    versions[key] = await GrainWrite(grainStorage, writeQuery, w, key, versions[key], payload);
                }
                else if (slot < grainWrites + ledgerAppends)
                {
                    var cell = "330503197001001";
                    var issue = IssueWorkflow.Report($"{cell}-2026-{w:D3}{i:D7}", new IssueReport { CellCode = cell, CategoryCode = category.Code, Title = "raw", Description = "" },
                        category, "raw", "raw", DateTimeOffset.UtcNow);
                    await ledger.Append([.. IssueEvent.Of(issue)], IssueSummary.Of(issue), issue.CommunityCode);
                }
                else
                {
                    await audit.Record(new AuditEntry(DateTimeOffset.UtcNow, "raw", "grid_worker", "POST", "/api/issues/x/start", "/api/issues/{id}/{action}", 200, "127.0.0.1", 1, ""));
                }
                Interlocked.Increment(ref writes);
            }
        })).ToList();
        await Task.WhenAll(workers);
        return writes / stop.Elapsed.TotalSeconds;
    }

    private static async Task<long?> GrainWrite(DbDataSource grainStorage, string query, int n0, int n1, long? version, byte[] payload)
    {
        // Opened as the node's grain storage opens its connections: the write joins the file's group commit.
        await using var connection = await grainStorage.OpenConnectionAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = query;
        Add(command, "@ServiceId", "grid");
        Add(command, "@GrainTypeString", "raw");
        Add(command, "@GrainIdN0", n0);
        Add(command, "@GrainIdN1", n1);
        Add(command, "@GrainIdExtensionString", "");
        Add(command, "@GrainIdHash", 0);
        Add(command, "@GrainTypeHash", 0);
        Add(command, "@PayloadBinary", payload);
        Add(command, "@GrainStateVersion", version);
        await using var reader = await command.ExecuteReaderAsync();
        do
        {
            if (await reader.ReadAsync()) return Convert.ToInt64(reader.GetValue(0), CultureInfo.InvariantCulture);
        } while (await reader.NextResultAsync());
        throw new InvalidOperationException("The write statement answered no version: a conflict where none can be.");
    }

    private static void Add(DbCommand command, string name, object? value)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = name;
        parameter.Value = value ?? DBNull.Value;
        command.Parameters.Add(parameter);
    }
}
