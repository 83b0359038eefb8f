// "memory" starts the real node on a city (from city-load), activates households and members on
// demand through API reads, and reads GET/POST /api/ops/node around it: managed heap per activation
// against the size of the state it holds, and the node's resident set.
//
//   dotnet bench/Grid.Bench/bin/Release/net10.0/Grid.Bench.dll memory --data DIR --count 20000 [--full]
using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using Grid.Grains;
using Grid.Silo.Hosting;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace Grid.Bench;

public static class MemoryBench
{
    private const double TargetBytes = 4 * 1024;
    private const int InFlight = 16;

    public static async Task<int> Run(ArgReader options)
    {
        var count = Math.Max(1, options.Int("--count", 20_000));
        var full = options.Has("--full");
        var profile = options.Get("--profile", GridOptions.Embedded);
        var password = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(18));
        var scratch = Path.Combine(Path.GetTempPath(), $"grid-memory-{Guid.NewGuid():N}");
        string[] node;
        Func<string, int?, Task<List<(string Id, int Bytes)>>> stored;
        if (profile == GridOptions.Embedded)
        {
            if (options.Get("--data", "") is not { Length: > 0 } data || !File.Exists(new GridOptions { DataDirectory = data }.SqlitePath))
                return Fail("--data DIR must name a data directory holding a city (run city-load first).");
            node = BenchNode.Embedded(data);
            stored = (state, limit) => SqliteStates(new GridOptions { DataDirectory = data }.SqliteConnectionString, state, limit);
        }
        else if (profile == GridOptions.Postgres)
        {
            if (options.Get("--connection", "") is not { Length: > 0 } connection) return Fail("--connection is required for the postgres profile.");
            node = BenchNode.Postgres(connection, scratch);
            stored = (state, limit) => PostgresStates(connection, state, limit);
        }
        else return Fail("--profile must be embedded or postgres.");

        var households = await stored(GridStorage.Household, full ? null : count);
        var members = await stored(GridStorage.Member, full ? null : count);
        Console.WriteLine($"# memory: {households.Count:N0} households and {members.Count:N0} members activated on demand (GET /api/households/{{id}}, /api/members/{{id}}, {InFlight} in flight), {profile}");
        Console.WriteLine($"machine: {Machine.Describe()}; load average before: {Machine.LoadAverage()}");
        await using var grid = await BenchNode.Start(node, password);
        using var admin = await grid.Admin(password);
        try
        {
            // The node's start-up work (deriving jobs, the first deadline check) activates every community in
            // the background: measure from when the activations have settled.
            var idle = await Settled(admin);
            var watch = Stopwatch.StartNew();
            await Activate(admin, households.Select(h => $"/api/households/{h.Id}").Concat(members.Select(m => $"/api/members/{m.Id}")).ToList(), watch);
            var activated = watch.Elapsed;
            var after = await Collect(admin);

            long Added(Figures f) => f.ByType.GetValueOrDefault("household") + f.ByType.GetValueOrDefault("partymember");
            var activations = Added(after) - Added(idle);
            if (after.Activations - idle.Activations != activations)
                Console.WriteLine($"note: {after.Activations - idle.Activations - activations:N0} other activations came or went meanwhile; their memory is in the figures");
            var heap = after.ManagedHeapBytes - idle.ManagedHeapBytes;
            var stateBytes = households.Sum(h => (long)h.Bytes) + members.Sum(m => (long)m.Bytes);
            var states = households.Count + members.Count;
            var perActivation = (double)heap / activations;
            var beyondState = perActivation - (double)stateBytes / states;
            Console.WriteLine($"activated in {activated.TotalSeconds:F1} s ({states / activated.TotalSeconds:N0} reads/s); activations by grain type, before → after a full GC:");
            foreach (var type in after.ByType.Keys.Union(idle.ByType.Keys).Order(StringComparer.Ordinal))
                Console.WriteLine($"  {type,-20} {idle.ByType.GetValueOrDefault(type),10:N0} → {after.ByType.GetValueOrDefault(type),10:N0}");
            Console.WriteLine($"managed heap {Mib(idle.ManagedHeapBytes)} → {Mib(after.ManagedHeapBytes)}, working set {Mib(idle.WorkingSetBytes)} → {Mib(after.WorkingSetBytes)}");
            Console.WriteLine();
            Console.WriteLine("| profile | activations added | managed heap added | per activation | stored state (avg) | beyond its state | target | ratio | working set after |");
            Console.WriteLine("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
            Console.WriteLine($"| {profile} | {activations:N0} | {Mib(heap)} | {perActivation:N0} B | {(double)stateBytes / states:N0} B | **{beyondState:N0} B** | ≤ {TargetBytes:N0} B | {beyondState / TargetBytes:F2} | {Mib(after.WorkingSetBytes)} |");
        }
        finally
        {
            if (Directory.Exists(scratch)) Directory.Delete(scratch, recursive: true);
        }
        return 0;
    }

    private sealed record Figures(long Activations, long ManagedHeapBytes, long WorkingSetBytes, Dictionary<string, long> ByType);

    private static async Task<Figures> Collect(HttpClient admin)
    {
        var response = await admin.PostAsync("/api/ops/node/gc", null);
        response.EnsureSuccessStatusCode();
        var m = await response.Content.ReadFromJsonAsync<JsonElement>();
        return new Figures(m.GetProperty("activations").GetInt64(), m.GetProperty("managedHeapBytes").GetInt64(), m.GetProperty("workingSetBytes").GetInt64(),
            m.GetProperty("activationsByGrainType").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetInt64()));
    }

    private static async Task<Figures> Settled(HttpClient admin)
    {
        var last = await Collect(admin);
        for (var deadline = DateTime.UtcNow.AddMinutes(3); DateTime.UtcNow < deadline;)
        {
            await Task.Delay(TimeSpan.FromSeconds(3));
            var now = await Collect(admin);
            if (now.Activations == last.Activations) return now;
            last = now;
        }
        return last;
    }

    private static async Task Activate(HttpClient admin, List<string> paths, Stopwatch watch)
    {
        var done = 0;
        var next = TimeSpan.FromSeconds(10);
        await Parallel.ForEachAsync(paths, new ParallelOptions { MaxDegreeOfParallelism = InFlight }, async (path, ct) =>
        {
            using var response = await admin.GetAsync(path, ct);
            if (!response.IsSuccessStatusCode) throw new InvalidOperationException($"GET {path}: {(int)response.StatusCode}");
            var n = Interlocked.Increment(ref done);
            if (watch.Elapsed < next) return;
            lock (paths)
            {
                if (watch.Elapsed < next) return;
                next = watch.Elapsed + TimeSpan.FromSeconds(10);
                var rate = n / watch.Elapsed.TotalSeconds;
                Console.WriteLine($"{watch.Elapsed.TotalSeconds,7:F1} s  {n,10:N0} / {paths.Count:N0} activated  {rate,7:N0} reads/s  ETA {TimeSpan.FromSeconds((paths.Count - n) / rate):mm\\:ss}");
            }
        });
    }

    private static string Mib(long bytes) => $"{bytes / 1048576.0:N0} MiB";

    private static async Task<List<(string, int)>> SqliteStates(string connectionString, string state, int? limit)
    {
        await using var connection = new SqliteConnection(connectionString);
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT GrainIdExtension, length(PayloadBinary) FROM OrleansStorage WHERE GrainTypeString = $state ORDER BY GrainIdExtension LIMIT $limit";
        command.Parameters.AddWithValue("$state", state);
        command.Parameters.AddWithValue("$limit", limit ?? -1);
        var rows = new List<(string, int)>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync()) rows.Add((reader.GetString(0), reader.GetInt32(1)));
        return rows;
    }

    private static async Task<List<(string, int)>> PostgresStates(string connectionString, string state, int? limit)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            "SELECT grain_id_extension, length(payload) FROM orleans_grain_state WHERE state_name = @state ORDER BY grain_id_extension LIMIT @limit", connection);
        command.Parameters.AddWithValue("state", state);
        command.Parameters.AddWithValue("limit", (object?)limit ?? DBNull.Value);
        var rows = new List<(string, int)>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync()) rows.Add((reader.GetString(0), reader.GetInt32(1)));
        return rows;
    }

    private static int Fail(string message)
    {
        Console.Error.WriteLine(message);
        return 2;
    }
}
