using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.SignalR.Client;

namespace Grid.Bench;

/// <summary>
/// live-latency --source lifecycles: the live events come from whole issue lifecycles, as on a busy
/// command dashboard, rather than from reports alone. Every step of a lifecycle (report, accept,
/// dispatch, start, resolve, verify) puts one ticker line on the dashboard, so --rate R events a
/// second is R ÷ 6 lifecycles a second, started in an open loop (lifecycle n at 6n ÷ R s, whatever
/// the answers are doing; each runs its steps one after another, at most 256 at once). Every client
/// joins the one community; latency = arrival of the step's ticker line (its issue and the status it
/// reached) at a client − the API's answer to that step, for every (step, client) pair.
/// </summary>
public static class LiveLatencyLifecycles
{
    private const int MaxInFlight = 256;
    private const int RecordEvery = 10;
    private static readonly TimeSpan WarmUp = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan Drain = TimeSpan.FromSeconds(15);

    private sealed record Answer(string Key, long SentAt, long AnsweredAt, bool Measured);

    public static async Task<int> Run(BenchArgs a)
    {
        if (a.Url is not null) throw new ArgumentException("--source lifecycles starts its own node (it raises the ticker cap and the sign-in limit).");
        var data = Path.Combine(Path.GetTempPath(), "grid-bench", Guid.NewGuid().ToString("N"));
        var adminPassword = "bench-" + Guid.NewGuid().ToString("N");
        // Every line is to be measured: a burst above the cap per flush would come as one 略过 line instead.
        string[] settings = [$"--Grid:Live:TickerCap={a.TickerCap}", "--Grid:RateLimits:TokenPerMinute=100000",
            .. a.FlushMs is { } flush ? [$"--Grid:Live:FlushInterval={TimeSpan.FromMilliseconds(flush):c}"] : Array.Empty<string>()];
        Console.WriteLine($"node started by the bench with {string.Join(" ", settings)} (TickerCap default 50, TokenPerMinute 20)");
        await using var node = await BenchNode.Start(data, adminPassword, settings);
        var url = node.Address;
        Console.WriteLine($"machine: {Machine.Describe()}; load average at the start: {Machine.LoadAverage()}");
        Console.WriteLine($"node {url}; {a.Clients} clients; {a.Rate} events/s = {a.Rate / 6:F1} lifecycles/s; {a.Seconds} s measured after {WarmUp.TotalSeconds} s warm-up; {a.Cells} cells");

        using var http = new HttpClient { BaseAddress = url, Timeout = TimeSpan.FromSeconds(60) };
        var admin = await Lifecycles.Token(http, "bench", adminPassword);
        var cells = await Lifecycles.World(url, http, admin, 1, a.Cells);
        var community = cells[0].Community;
        var token = cells[0].Committee.DefaultRequestHeaders.Authorization!.Parameter!;

        var clock = Stopwatch.StartNew();
        // Every client receives and parses every batch; one in RecordEvery also keeps each line's arrival time. Keeping them
        // all (three million keys a run) made this tool's own collector pause it for seconds, which showed as latency.
        var recording = Enumerable.Range(0, a.Clients).Where(i => i % RecordEvery == 0).ToHashSet();
        var arrivals = Enumerable.Range(0, a.Clients).Select(i => recording.Contains(i) ? new ConcurrentDictionary<string, long>() : null).ToArray();
        var received = new long[a.Clients];
        var hubs = new List<HubConnection>();
        try
        {
            for (var i = 0; i < a.Clients; i++)
            {
                var mine = arrivals[i];
                var client = i;
                var hub = LiveLatency.DashboardClient(url, token);
                hub.On<JsonElement>("batch", items =>
                {
                    var at = Stopwatch.GetTimestamp(); // as the steps' answers are stamped (Lifecycles.OneLifecycle)
                    foreach (var item in items.EnumerateArray())
                    {
                        if (item.GetProperty("method").GetString() != "event") continue;
                        var m = item.GetProperty("message");
                        if (!m.TryGetProperty("issueId", out var id) || !m.TryGetProperty("status", out var status)) continue;
                        Interlocked.Increment(ref received[client]);
                        mine?.TryAdd($"{id.GetString()}|{status.GetString()}", at);
                    }
                });
                hubs.Add(hub);
            }
            await Task.WhenAll(hubs.Select(async h => { await h.StartAsync(); await h.InvokeAsync("JoinCommunity", community); }));
            Console.WriteLine($"{hubs.Count} clients joined");

            var nodeBefore = await NodeFigures(http, admin);
            var benchGc = (GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2), GC.GetTotalPauseDuration());
            var benchCpu = Process.GetCurrentProcess().TotalProcessorTime;
            var nodeCpu = node.CpuTime;
            var answers = new ConcurrentBag<Answer>();
            var failures = 0;
            var failureSamples = new ConcurrentQueue<string>();
            using var gate = new SemaphoreSlim(MaxInFlight);
            var lifecycleRate = a.Rate / Lifecycles.Steps.Length;
            var total = (int)Math.Ceiling(lifecycleRate * (WarmUp.TotalSeconds + a.Seconds));
            var measureFrom = clock.Elapsed + WarmUp;
            var measureTo = measureFrom + TimeSpan.FromSeconds(a.Seconds);
            var start = clock.Elapsed;
            var runs = new List<Task>(total);
            var run = Guid.NewGuid().ToString("N")[..8];
            for (var n = 0; n < total; n++)
            {
                var due = start + TimeSpan.FromSeconds(n / lifecycleRate);
                if (due - clock.Elapsed is { Ticks: > 0 } wait) await Task.Delay(wait);
                await gate.WaitAsync();
                var cell = cells[n % cells.Count];
                var key = $"{run}-{n}";
                runs.Add(Task.Run(async () =>
                {
                    try
                    {
                        await Lifecycles.OneLifecycle(cell, key, "live-latency benchmark", (issue, status, sent, answered) =>
                            answers.Add(new Answer($"{issue}|{status}", sent, answered, clock.Elapsed >= measureFrom && clock.Elapsed < measureTo)));
                    }
                    catch (Exception e)
                    {
                        Interlocked.Increment(ref failures);
                        if (failureSamples.Count < 5) failureSamples.Enqueue(e.Message);
                    }
                    finally
                    {
                        gate.Release();
                    }
                }));
            }
            await Task.WhenAll(runs);
            var sendSeconds = (clock.Elapsed - start).TotalSeconds;
            var nodeAfter = await NodeFigures(http, admin);
            var benchCpuUsed = (Process.GetCurrentProcess().TotalProcessorTime - benchCpu).TotalSeconds / sendSeconds;
            var nodeCpuUsed = (node.CpuTime - nodeCpu).TotalSeconds / sendSeconds;
            foreach (var e in failureSamples) Console.WriteLine($"error: {e}");

            var wanted = answers.Where(r => r.Measured).ToList();
            var drainUntil = clock.Elapsed + Drain;
            while (clock.Elapsed < drainUntil && received.Any(n => Interlocked.Read(ref n) < answers.Count)) await Task.Delay(100);

            var fromAnswer = new List<double>(wanted.Count * recording.Count);
            var missing = 0;
            foreach (var r in wanted)
                foreach (var client in arrivals.OfType<ConcurrentDictionary<string, long>>())
                {
                    if (!client.TryGetValue(r.Key, out var at)) { missing++; continue; }
                    fromAnswer.Add(Ms(at - r.AnsweredAt));
                }
            // Every client, recording or not, must have had every step's line (warm-up included).
            var undelivered = received.Sum(n => Math.Max(0, answers.Count - n));
            var apiTimes = wanted.Select(r => Ms(r.AnsweredAt - r.SentAt)).ToList();
            var measuredRate = wanted.Count / (double)a.Seconds;

            Console.WriteLine();
            Console.WriteLine($"steps answered: {answers.Count} over {sendSeconds:F1} s ({answers.Count / sendSeconds:F1} events/s); measured {wanted.Count} = {measuredRate:F1} events/s; {failures} lifecycles failed");
            Console.WriteLine($"deliveries: {received.Sum():N0} lines to {a.Clients} clients ({answers.Count * (long)a.Clients:N0} expected, {undelivered:N0} missing) = " +
                $"{received.Sum() / sendSeconds:N0}/s; latency measured at {recording.Count} of them (every {RecordEvery}th): {fromAnswer.Count:N0} of {wanted.Count * recording.Count:N0} ({missing} missing)");
            Console.WriteLine($"load average (1, 5, 15 min) at the end: {Machine.LoadAverage()}; {Environment.ProcessorCount} cores");
            Console.WriteLine($"cores used while sending: node {nodeCpuUsed:F2}, this tool (load and {a.Clients} clients) {benchCpuUsed:F2}; " +
                $"full collections: node {nodeAfter.Gen2 - nodeBefore.Gen2}, this tool {GC.CollectionCount(2) - benchGc.Item3} " +
                $"(gen0/gen1 here {GC.CollectionCount(0) - benchGc.Item1}/{GC.CollectionCount(1) - benchGc.Item2}, paused {(GC.GetTotalPauseDuration() - benchGc.Item4).TotalMilliseconds:F0} ms)");
            Console.WriteLine($"API answer (send → answer):     {Summary(apiTimes)}");
            Console.WriteLine($"answer → delivery at a client:  {Summary(fromAnswer)}");
            Console.WriteLine();
            Console.WriteLine("| source | flush window | clients | events/s asked | events/s answered | deliveries | p50 | p90 | p99 | max | API answer p50 / p99 | missing |");
            Console.WriteLine($"| lifecycles | {(a.FlushMs is { } f ? $"{f} ms" : "node default")} | {a.Clients} | {a.Rate:0.#} | {measuredRate:F0} | {fromAnswer.Count:N0} | {P(fromAnswer, 0.50):F0} ms | {P(fromAnswer, 0.90):F0} ms | {P(fromAnswer, 0.99):F0} ms | {fromAnswer.DefaultIfEmpty().Max():F0} ms | {P(apiTimes, 0.50):F0} / {P(apiTimes, 0.99):F0} ms | {missing + undelivered} |");
            return failures == 0 && missing == 0 && undelivered == 0 ? 0 : 1;
        }
        finally
        {
            await Task.WhenAll(hubs.Select(h => h.DisposeAsync().AsTask()));
            try { Directory.Delete(data, recursive: true); } catch (IOException) { /* a file still held: leave it in temp */ }
        }
    }

    private static async Task<(int Gen2, long HeapBytes)> NodeFigures(HttpClient http, string adminToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/ops/node");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", adminToken);
        using var response = await http.SendAsync(request);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        return (body.GetProperty("gen2Collections").GetInt32(), body.GetProperty("managedHeapBytes").GetInt64());
    }

    private static double Ms(long ticks) => ticks * 1000.0 / Stopwatch.Frequency;

    private static double P(List<double> values, double q) => Lifecycles.P(values, q);

    private static string Summary(List<double> v) =>
        v.Count == 0 ? "no data" : $"p50 {P(v, 0.5):F1} ms, p90 {P(v, 0.9):F1} ms, p99 {P(v, 0.99):F1} ms, max {v.Max():F1} ms (n = {v.Count})";
}
