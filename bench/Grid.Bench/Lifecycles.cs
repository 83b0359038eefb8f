using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;

namespace Grid.Bench;

/// <summary>
/// Issue lifecycles over HTTP against a node: a grid worker reports in their own cell (with an
/// Idempotency-Key), the committee accepts, the grid worker dispatches to themselves, starts and
/// resolves, the committee verifies (passed). Accept and start are steps the state machine
/// requires between report, dispatch, resolve and verify. Every step sends If-Match with the
/// version the previous answer carried. Closed loop: C workers each run one lifecycle after another,
/// spread over every cell of every community, so the load is spread as in a city.
/// </summary>
public static class Lifecycles
{
    public static readonly string[] Steps = ["report", "accept", "dispatch", "start", "resolve", "verify"];

    public sealed record Options(Uri? Url, string? AdminPassword, string AdminUser, int Seconds, int Concurrency, int Communities, int Cells,
        string Profile, string? PostgresConnection, string? DataDirectory, int WarmUpSeconds, int PingSeconds);

    public sealed record Result(int Lifecycles, int AllCompleted, double Seconds, int Errors, Dictionary<string, List<double>> StepMs, string LoadAverage,
        double NodeCpuMsPerLifecycle, double BenchCpuMsPerLifecycle, GrainCallFigures Calls)
    {
        public double PerSecond => Lifecycles / Seconds;
    }

    /// <summary>Grain calls the node served while the lifecycles ran (GET /api/ops/node before and after), per lifecycle and per second.</summary>
    public sealed record GrainCallFigures(long Calls, double LoadSeconds, int Lifecycles, IReadOnlyList<(string GrainType, long Calls)> ByGrainType)
    {
        public double PerSecond => Calls / LoadSeconds;
        public double PerLifecycle => Lifecycles == 0 ? double.NaN : (double)Calls / Lifecycles;
    }

    public static Options ParseOptions(IEnumerable<string> args)
    {
        var r = new ArgReader([.. args]);
        var url = r.Has("--url") ? new Uri(r.Get("--url", "")) : null;
        if (url is not null && !url.IsLoopback) throw new ArgumentException("--url must be a loopback address: this tool loads only the local machine.");
        var profile = r.Get("--profile", "embedded");
        if (profile is not ("embedded" or "postgres")) throw new ArgumentException("--profile is embedded or postgres.");
        return new Options(url, r.Has("--admin-password") ? r.Get("--admin-password", "") : null, r.Get("--admin-user", url is null ? "bench" : "admin"),
            Math.Clamp(r.Int("--seconds", 20), 1, 600), Math.Clamp(r.Int("--concurrency", 32), 1, 2000),
            Math.Clamp(r.Int("--communities", 4), 1, 50), Math.Clamp(r.Int("--cells", 10), 1, 200),
            profile, r.Has("--postgres") ? r.Get("--postgres", "") : Environment.GetEnvironmentVariable("GRID_BENCH_POSTGRES"),
            r.Has("--data") ? r.Get("--data", "") : null, Math.Clamp(r.Int("--warm-up", 5), 0, 60), Math.Clamp(r.Int("--ping-seconds", 10), 0, 60));
    }

    public static async Task<int> Run(IEnumerable<string> args)
    {
        var o = ParseOptions(args);
        var data = o.DataDirectory ?? Path.Combine(Path.GetTempPath(), "grid-bench", Guid.NewGuid().ToString("N"));
        var adminPassword = o.AdminPassword ?? "bench-" + Guid.NewGuid().ToString("N");
        Result result;
        await using (var node = o.Url is null ? await StartNode(o, data, adminPassword) : null)
            result = await Drive(node?.Address ?? o.Url!, o, adminPassword, node: node);
        if (o.Url is null && o.DataDirectory is null) try { Directory.Delete(data, recursive: true); } catch (IOException) { /* still held: left in temp */ }
        Print(o, result);
        if (o.PingSeconds > 0) await PrintPingCeiling(o, result);
        return result.Errors == 0 ? 0 : 1;
    }

    /// <summary>
    /// The node with the limits lifted that a single load generator would otherwise hit: every
    /// grid worker reports far more than 30 a minute, and every user signs in from 127.0.0.1.
    /// </summary>
    public static async Task<BenchNode> StartNode(Options o, string data, string adminPassword)
    {
        var extra = new List<string> { "--Grid:RateLimits:TokenPerMinute=100000" };
        if (o.Profile == "postgres")
        {
            if (o.PostgresConnection is null) throw new ArgumentException("--profile postgres needs --postgres <Npgsql connection string> (or GRID_BENCH_POSTGRES).");
            extra.AddRange(["--Grid:Profile=postgres", $"--ConnectionStrings:Grid={o.PostgresConnection}",
                $"--Grid:Auth:SigningKey={Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(48))}"]);
        }
        Console.WriteLine("node started by the bench with Grid:RateLimits:ReportsPerMinute=100000 and Grid:RateLimits:TokenPerMinute=100000 (defaults 30 and 20)");
        return await BenchNode.Start(data, adminPassword, [.. extra]);
    }

    internal sealed record Cell(string Code, string Community, HttpClient Worker, string WorkerName, HttpClient Committee);

    /// <param name="beforeLoad">Runs once the directory is in place, just before the first lifecycle.</param>
    /// <param name="node">The node when the bench started it: its CPU time is read around the load.</param>
    public static async Task<Result> Drive(Uri url, Options o, string adminPassword, Func<Task>? beforeLoad = null, BenchNode? node = null)
    {
        Console.WriteLine($"machine: {Machine.Describe()}; load average at the start: {LoadAverage()}");
        Console.WriteLine($"node {url}; profile {o.Profile}; {o.Communities} communities × {o.Cells} cells; concurrency {o.Concurrency}; {o.WarmUpSeconds} s warm-up, {o.Seconds} s measured");
        using var http = new HttpClient { BaseAddress = url, Timeout = TimeSpan.FromSeconds(60) };
        var admin = await Token(http, o.AdminUser, adminPassword);
        var cells = await World(url, http, admin, o.Communities, o.Cells);

        if (beforeLoad is not null) await beforeLoad();
        var callsBefore = await NodeGrainCalls(http, admin);
        var nodeCpu = node?.CpuTime;
        var benchCpu = Process.GetCurrentProcess().TotalProcessorTime;
        var clock = Stopwatch.StartNew();
        var measureFrom = TimeSpan.FromSeconds(o.WarmUpSeconds);
        var measureTo = measureFrom + TimeSpan.FromSeconds(o.Seconds);
        var stepMs = Steps.ToDictionary(s => s, _ => new ConcurrentBag<double>());
        var done = 0;
        var all = 0;
        var errors = 0;
        var errorSamples = new ConcurrentQueue<string>();
        var run = Guid.NewGuid().ToString("N")[..8];
        var workers = Enumerable.Range(0, o.Concurrency).Select(w => Task.Run(async () =>
        {
            for (var n = 0; clock.Elapsed < measureTo; n++)
            {
                var cell = cells[(w + n * o.Concurrency) % cells.Count];
                var started = clock.Elapsed;
                var measured = started >= measureFrom;
                try
                {
                    var times = await OneLifecycle(cell, $"{run}-{w}-{n}");
                    Interlocked.Increment(ref all);
                    // A lifecycle counts in the window it completed in, whole.
                    if (!measured || clock.Elapsed > measureTo) continue;
                    Interlocked.Increment(ref done);
                    for (var i = 0; i < Steps.Length; i++) stepMs[Steps[i]].Add(times[i]);
                }
                catch (Exception e)
                {
                    Interlocked.Increment(ref errors);
                    if (errorSamples.Count < 5) errorSamples.Enqueue(e.Message);
                }
            }
        })).ToList();
        await Task.WhenAll(workers);
        var loadSeconds = clock.Elapsed.TotalSeconds;
        var callsAfter = await NodeGrainCalls(http, admin);
        var perLifecycle = (TimeSpan t) => all == 0 ? double.NaN : t.TotalMilliseconds / all;
        var nodeCpuMs = node is null ? double.NaN : perLifecycle(node.CpuTime - nodeCpu!.Value);
        var benchCpuMs = perLifecycle(Process.GetCurrentProcess().TotalProcessorTime - benchCpu);
        foreach (var e in errorSamples) Console.WriteLine($"error: {e}");
        var byType = callsAfter.Select(p => (p.Key, p.Value - callsBefore.GetValueOrDefault(p.Key))).Where(p => p.Item2 > 0).OrderByDescending(p => p.Item2).ToList();
        var calls = new GrainCallFigures(byType.Sum(p => p.Item2), loadSeconds, all, byType);
        return new Result(done, all, o.Seconds, errors, stepMs.ToDictionary(p => p.Key, p => p.Value.ToList()), LoadAverage(), nodeCpuMs, benchCpuMs, calls);
    }

    /// <summary>The grain calls this node has served since it started, per grain type.</summary>
    private static async Task<Dictionary<string, long>> NodeGrainCalls(HttpClient http, string adminToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/ops/node");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", adminToken);
        using var response = await http.SendAsync(request);
        if (!response.IsSuccessStatusCode) throw new InvalidOperationException($"GET /api/ops/node: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        return body.GetProperty("grainCallsByGrainType").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetInt64());
    }

    /// <summary>Told of each step once answered: its issue, the status it reached, when it was sent and answered (Stopwatch timestamps).</summary>
    internal delegate void StepAnswered(string IssueId, string Status, long SentAt, long AnsweredAt);

    /// <summary>The six steps, one after another, each with If-Match from the answer before; the milliseconds each step took.</summary>
    internal static async Task<double[]> OneLifecycle(Cell cell, string key, string description = "lifecycles benchmark", StepAnswered? answered = null)
    {
        var times = new double[Steps.Length];
        var report = new HttpRequestMessage(HttpMethod.Post, "/api/issues")
        {
            Content = JsonContent.Create(new { cellCode = cell.Code, categoryCode = "10.01", title = "压测诉求", description }),
        };
        report.Headers.Add("Idempotency-Key", key);
        var (id, version) = await Send(0, cell.Worker, report, HttpStatusCode.Created);

        async Task Step(int index, HttpClient as_, string action, object body)
        {
            var request = new HttpRequestMessage(HttpMethod.Post, $"/api/issues/{id}/{action}") { Content = JsonContent.Create(body) };
            request.Headers.IfMatch.Add(new EntityTagHeaderValue($"\"{version}\""));
            (_, version) = await Send(index, as_, request, HttpStatusCode.OK);
        }

        async Task<(string Id, int Version)> Send(int index, HttpClient client, HttpRequestMessage request, HttpStatusCode expected)
        {
            var sent = Stopwatch.GetTimestamp();
            using var response = await client.SendAsync(request);
            var at = Stopwatch.GetTimestamp();
            times[index] = Stopwatch.GetElapsedTime(sent, at).TotalMilliseconds;
            if (response.StatusCode != expected)
                throw new InvalidOperationException($"{request.Method} {request.RequestUri}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
            var answer = await response.Content.ReadFromJsonAsync<JsonElement>();
            var issueId = answer.GetProperty("id").GetString()!;
            answered?.Invoke(issueId, answer.GetProperty("status").GetString()!, sent, at);
            return (issueId, answer.GetProperty("version").GetInt32());
        }

        await Step(1, cell.Committee, "accept", new { });
        await Step(2, cell.Worker, "dispatch", new { assignee = new { kind = "grid_worker", id = cell.WorkerName } });
        await Step(3, cell.Worker, "start", new { });
        await Step(4, cell.Worker, "resolve", new { note = "已处置" });
        await Step(5, cell.Committee, "verify", new { passed = true });
        return times;
    }

    /// <summary>Communities with square cells, a committee per community and a grid worker per cell, through the API.</summary>
    internal static async Task<List<Cell>> World(Uri url, HttpClient http, string adminToken, int communities, int cellsPer)
    {
        async Task Put(HttpMethod method, string path, object body)
        {
            var request = new HttpRequestMessage(method, path) { Content = JsonContent.Create(body) };
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", adminToken);
            using var response = await http.SendAsync(request);
            if (!response.IsSuccessStatusCode) throw new InvalidOperationException($"{method} {path}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        }

        HttpClient As(string token)
        {
            var c = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 1000 }) { BaseAddress = url, Timeout = TimeSpan.FromSeconds(60) };
            c.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
            return c;
        }

        var password = "bench-password-" + Guid.NewGuid().ToString("N")[..12];
        var suffix = Random.Shared.Next(100, 999 - communities);
        var cells = new List<Cell>();
        for (var c = 0; c < communities; c++)
        {
            var community = "330503198" + (suffix + c).ToString(CultureInfo.InvariantCulture);
            double lng0 = 120.40 + 0.02 * c, lat0 = 30.70;
            await Put(HttpMethod.Put, $"/api/communities/{community}", new { name = $"压测社区{c + 1}", township = "练市镇", centre = new { lng = lng0 + 0.02, lat = lat0 + 0.01 } });
            await Put(HttpMethod.Post, "/api/import/cells", new
            {
                type = "FeatureCollection",
                features = Enumerable.Range(1, cellsPer).Select(n =>
                {
                    double lng = lng0 + 0.004 * (n % 10), lat = lat0 + 0.004 * (n / 10);
                    return new
                    {
                        type = "Feature",
                        properties = new { code = community + n.ToString("D3", CultureInfo.InvariantCulture), name = $"压测网格{n}" },
                        geometry = new { type = "Polygon", coordinates = new[] { new[] { new[] { lng, lat }, new[] { lng + 0.003, lat }, new[] { lng + 0.003, lat + 0.003 }, new[] { lng, lat + 0.003 }, new[] { lng, lat } } } },
                    };
                }),
            });
            var committeeName = $"bench-committee-{community}";
            await Put(HttpMethod.Put, $"/api/users/{committeeName}", new { displayName = "压测指挥中心", role = "committee", communityCode = community, password });
            var committee = As(await Token(http, committeeName, password));
            for (var n = 1; n <= cellsPer; n++)
            {
                var code = community + n.ToString("D3", CultureInfo.InvariantCulture);
                var worker = $"bench-w{code[^6..]}";
                await Put(HttpMethod.Put, $"/api/users/{worker}", new { displayName = $"网格员{n}", role = "grid_worker", communityCode = community, cellCodes = new[] { code }, password });
                cells.Add(new Cell(code, community, As(await Token(http, worker, password)), worker, committee));
            }
        }
        return cells;
    }

    internal static async Task<string> Token(HttpClient http, string username, string password)
    {
        using var response = await http.PostAsJsonAsync("/api/auth/token", new { username, password });
        if (!response.IsSuccessStatusCode) throw new InvalidOperationException($"sign-in as {username}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("access_token").GetString()!;
    }

    public static void Print(Options o, Result r)
    {
        Console.WriteLine();
        Console.WriteLine($"lifecycles: {r.Lifecycles} in {r.Seconds} s = {r.PerSecond:F1}/s ({r.PerSecond * Steps.Length:F0} requests/s); errors {r.Errors}");
        foreach (var step in Steps) Console.WriteLine($"  {step,-9} p50 {P(r.StepMs[step], 0.5),7:F1} ms   p99 {P(r.StepMs[step], 0.99),7:F1} ms");
        Console.WriteLine($"load average (1, 5, 15 min) at the end: {r.LoadAverage}; {Environment.ProcessorCount} cores");
        Console.WriteLine($"CPU per lifecycle: node {r.NodeCpuMsPerLifecycle:F1} ms, this load generator {r.BenchCpuMsPerLifecycle:F1} ms " +
            $"(at most {Environment.ProcessorCount * 1000 / (r.NodeCpuMsPerLifecycle + r.BenchCpuMsPerLifecycle):F0} lifecycles/s if both had every core to themselves)");
        Console.WriteLine($"grain calls served by the node on the request path: {r.Calls.Calls:N0} in {r.Calls.LoadSeconds:F1} s = {r.Calls.PerSecond:N0}/s, " +
            $"{r.Calls.PerLifecycle:F1} per lifecycle (warm-up included); by grain type: " +
            string.Join(", ", r.Calls.ByGrainType.Take(8).Select(t => $"{t.GrainType} {t.Calls / (double)Math.Max(1, r.Calls.Lifecycles):F1}")));
        Console.WriteLine();
        Console.WriteLine("| profile | concurrency | lifecycles/s | " + string.Join(" | ", Steps.Select(s => $"{s} p50 / p99")) + " | errors | load avg |");
        Console.WriteLine($"| {o.Profile} | {o.Concurrency} | {r.PerSecond:F1} | " + string.Join(" | ", Steps.Select(s => $"{P(r.StepMs[s], 0.5):F0} / {P(r.StepMs[s], 0.99):F0} ms")) + $" | {r.Errors} | {r.LoadAverage} |");
    }

    /// <summary>
    /// The limit for the grain calls, in the same run once the node has stopped: a bare Orleans ping grain in a silo of this
    /// process, on the same cores, at a few concurrencies; the best row is the ceiling.
    /// </summary>
    private static async Task PrintPingCeiling(Options o, Result r)
    {
        var rows = await GrainCalls.Ceiling(o.PingSeconds, [64, 512]);
        var best = rows.MaxBy(row => row.PerSecond)!;
        Console.WriteLine();
        Console.WriteLine($"bare ping grain ceiling (in-process silo, {o.PingSeconds} s per row): " + string.Join(", ", rows.Select(row => $"{row.PerSecond:N0}/s at {row.Concurrency}")));
        Console.WriteLine("| profile | concurrency | lifecycles/s | grain calls per lifecycle | grain calls/s on the request path | bare ping calls/s | ratio |");
        Console.WriteLine($"| {o.Profile} | {o.Concurrency} | {r.PerSecond:F1} | {r.Calls.PerLifecycle:F1} | {r.Calls.PerSecond:N0} | {best.PerSecond:N0} | {r.Calls.PerSecond / best.PerSecond:P1} |");
    }

    public static double P(List<double> values, double q)
    {
        if (values.Count == 0) return double.NaN;
        var sorted = values.Order().ToList();
        return sorted[Math.Clamp((int)Math.Ceiling(q * sorted.Count) - 1, 0, sorted.Count - 1)];
    }

    public static string LoadAverage() => Machine.LoadAverage();
}
