using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.SignalR.Client;

namespace Grid.Bench;

/// <summary>
/// End-to-end latency of the live dashboard: a committee reports issues through POST /api/issues
/// at a fixed rate (open loop: the schedule does not wait for answers), and every dashboard client
/// (the real .NET SignalR client over WebSockets, joined to the community) notes when the ticker
/// line of each issue arrives. Latency = arrival at a client − the API's answer to the report,
/// both read from one Stopwatch in this process, for every (issue, client) pair.
/// </summary>
public static partial class LiveLatency
{
    private const int MaxInFlight = 64;
    private static readonly TimeSpan WarmUp = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan Drain = TimeSpan.FromSeconds(15);

    private sealed record Report(string Id, long SentAt, long AnsweredAt, bool Measured);

    public static async Task<int> Run(BenchArgs a)
    {
        var data = Path.Combine(Path.GetTempPath(), "grid-bench", Guid.NewGuid().ToString("N"));
        var adminPassword = a.AdminPassword ?? "bench-" + Guid.NewGuid().ToString("N");
        await using var node = a.Url is null ? await BenchNode.Start(data, adminPassword) : null;
        var url = a.Url ?? node!.Address;
        Console.WriteLine($"load average at the start: {Machine.LoadAverage()}");
        Console.WriteLine($"node {url}{(node is null ? " (running)" : $" (started, data in {data})")}; {a.Clients} clients, {a.Rate} reports/s, {a.Seconds} s measured after {WarmUp.TotalSeconds} s warm-up, {a.Cells} cells");

        using var http = new HttpClient { BaseAddress = url, Timeout = TimeSpan.FromSeconds(60) };
        var community = "330503199" + Random.Shared.Next(100, 999).ToString(CultureInfo.InvariantCulture);
        var committee = $"bench-committee-{community}";
        var password = "bench-password-" + Guid.NewGuid().ToString("N")[..12];
        var admin = await Token(http, a.Url is null ? "bench" : "admin", adminPassword);
        await World(http, admin, community, a.Cells, committee, password);
        var token = await Token(http, committee, password);

        // The dashboard clients: each keeps the first arrival of every issue's ticker line.
        var clock = Stopwatch.StartNew();
        var arrivals = Enumerable.Range(0, a.Clients).Select(_ => new ConcurrentDictionary<string, long>()).ToArray();
        var skipped = 0;
        var hubs = new List<HubConnection>();
        try
        {
            for (var i = 0; i < a.Clients; i++)
            {
                var mine = arrivals[i];
                var hub = LiveLatency.DashboardClient(url, token);
                // Live messages come in batch frames, one per flush; the ticker lines are the "event" items.
                hub.On<JsonElement>("batch", items =>
                {
                    var at = clock.ElapsedTicks;
                    foreach (var item in items.EnumerateArray())
                    {
                        if (item.GetProperty("method").GetString() != "event") continue;
                        var m = item.GetProperty("message");
                        if (m.TryGetProperty("issueId", out var id) && id.GetString() is { } issue) mine.TryAdd(issue, at);
                        // A burst over the ticker cap arrives as one line saying how many were left out.
                        else if (m.GetProperty("kind").GetString() == "skipped" && Digits().Match(m.GetProperty("text").GetString() ?? "") is { Success: true } n)
                            Interlocked.Add(ref skipped, int.Parse(n.Value, CultureInfo.InvariantCulture));
                    }
                });
                hubs.Add(hub);
            }
            await Task.WhenAll(hubs.Select(async h => { await h.StartAsync(); await h.InvokeAsync("JoinCommunity", community); }));
            Console.WriteLine($"{hubs.Count} clients joined");

            // Open loop: report n is sent at n / rate, whatever the answers are doing (bounded in flight).
            var reports = new ConcurrentBag<Report>();
            var failures = 0;
            using var gate = new SemaphoreSlim(MaxInFlight);
            using var api = new HttpClient { BaseAddress = url, Timeout = TimeSpan.FromSeconds(60) };
            api.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
            var total = (int)Math.Ceiling(a.Rate * (WarmUp.TotalSeconds + a.Seconds));
            var warmUpCount = (int)Math.Ceiling(a.Rate * WarmUp.TotalSeconds);
            var start = clock.Elapsed;
            var sends = new List<Task>(total);
            for (var n = 0; n < total; n++)
            {
                var due = start + TimeSpan.FromSeconds(n / a.Rate);
                if (due - clock.Elapsed is { Ticks: > 0 } wait) await Task.Delay(wait);
                await gate.WaitAsync();
                var measured = n >= warmUpCount;
                var cell = community + (1 + n % a.Cells).ToString("D3", CultureInfo.InvariantCulture);
                var title = $"压测诉求 {n}";
                sends.Add(Task.Run(async () =>
                {
                    try
                    {
                        var sent = clock.ElapsedTicks;
                        var response = await api.PostAsJsonAsync("/api/issues", new { cellCode = cell, categoryCode = "10.01", title, description = "live-latency benchmark" });
                        var answered = clock.ElapsedTicks;
                        if (!response.IsSuccessStatusCode) { Interlocked.Increment(ref failures); return; }
                        var id = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
                        reports.Add(new Report(id, sent, answered, measured));
                    }
                    catch
                    {
                        Interlocked.Increment(ref failures);
                    }
                    finally
                    {
                        gate.Release();
                    }
                }));
            }
            await Task.WhenAll(sends);
            var sendSeconds = (clock.Elapsed - start).TotalSeconds;

            // Bounded wait for the last lines to arrive everywhere.
            var wanted = reports.Where(r => r.Measured).ToList();
            var drainUntil = clock.Elapsed + Drain;
            while (clock.Elapsed < drainUntil && !arrivals.All(c => wanted.All(r => c.ContainsKey(r.Id)))) await Task.Delay(100);

            var fromAnswer = new List<double>();
            var fromSend = new List<double>();
            var missing = 0;
            foreach (var r in wanted)
                foreach (var client in arrivals)
                {
                    if (!client.TryGetValue(r.Id, out var at)) { missing++; continue; }
                    fromAnswer.Add(Ms(at - r.AnsweredAt));
                    fromSend.Add(Ms(at - r.SentAt));
                }
            var apiTimes = wanted.Select(r => Ms(r.AnsweredAt - r.SentAt)).ToList();

            Console.WriteLine();
            Console.WriteLine($"reports: {reports.Count} answered ({wanted.Count} measured), {failures} failed, sent over {sendSeconds:F1} s ({reports.Count / sendSeconds:F1}/s)");
            Console.WriteLine($"deliveries measured: {fromAnswer.Count} of {wanted.Count * a.Clients} ({missing} missing; ticker lines left out by the cap in bursts, over all clients: {skipped})");
            Console.WriteLine($"load average (1, 5, 15 min) at the end: {Machine.LoadAverage()}; {Environment.ProcessorCount} cores");
            Console.WriteLine($"API answer (send → answer):         {Summary(apiTimes)}");
            Console.WriteLine($"answer → delivery at a client:      {Summary(fromAnswer)}");
            Console.WriteLine($"send → delivery at a client:        {Summary(fromSend)}");
            Console.WriteLine();
            Console.WriteLine("| clients | reports/s | deliveries | p50 | p99 | max | from send p50 / p99 | API answer p50 / p99 | missing |");
            Console.WriteLine($"| {a.Clients} | {a.Rate:0.#} | {fromAnswer.Count} | {P(fromAnswer, 0.50):F0} ms | {P(fromAnswer, 0.99):F0} ms | {fromAnswer.DefaultIfEmpty().Max():F0} ms | {P(fromSend, 0.50):F0} / {P(fromSend, 0.99):F0} ms | {P(apiTimes, 0.50):F0} / {P(apiTimes, 0.99):F0} ms | {missing} |");
            return failures == 0 && missing == 0 ? 0 : 1;
        }
        finally
        {
            await Task.WhenAll(hubs.Select(h => h.DisposeAsync().AsTask()));
            if (node is not null) try { Directory.Delete(data, recursive: true); } catch (IOException) { /* a file still held: leave it in temp */ }
        }
    }

    /// <summary>A dashboard as the browser connects: the command hub over WebSockets, signed in with the token.</summary>
    public static HubConnection DashboardClient(Uri url, string token) => new HubConnectionBuilder()
        .WithUrl(new Uri(url, "/hubs/command"), o =>
        {
            o.Transports = HttpTransportType.WebSockets;
            o.SkipNegotiation = true;
            o.AccessTokenProvider = () => Task.FromResult<string?>(token);
        })
        .Build();

    [System.Text.RegularExpressions.GeneratedRegex(@"\d+")]
    private static partial System.Text.RegularExpressions.Regex Digits();

    private static double Ms(long ticks) => ticks * 1000.0 / Stopwatch.Frequency;

    private static double P(List<double> values, double q)
    {
        if (values.Count == 0) return double.NaN;
        var sorted = values.Order().ToList();
        return sorted[Math.Clamp((int)Math.Ceiling(q * sorted.Count) - 1, 0, sorted.Count - 1)];
    }

    private static string Summary(List<double> v) =>
        v.Count == 0 ? "no data" : $"p50 {P(v, 0.5):F1} ms, p90 {P(v, 0.9):F1} ms, p99 {P(v, 0.99):F1} ms, max {v.Max():F1} ms (n = {v.Count})";

    private static async Task<string> Token(HttpClient http, string username, string password)
    {
        var response = await http.PostAsJsonAsync("/api/auth/token", new { username, password });
        if (!response.IsSuccessStatusCode) throw new InvalidOperationException($"sign-in as {username}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("access_token").GetString()!;
    }

    /// <summary>A community with a row of square cells and its committee, through the API.</summary>
    private static async Task World(HttpClient http, string adminToken, string community, int cells, string committee, string password)
    {
        async Task Send(HttpMethod method, string path, object body)
        {
            var request = new HttpRequestMessage(method, path) { Content = JsonContent.Create(body) };
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", adminToken);
            var response = await http.SendAsync(request);
            if (!response.IsSuccessStatusCode) throw new InvalidOperationException($"{method} {path}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        }

        await Send(HttpMethod.Put, $"/api/communities/{community}", new { name = "压测社区", township = "练市镇", centre = new { lng = 120.43, lat = 30.71 } });
        await Send(HttpMethod.Post, "/api/import/cells", new
        {
            type = "FeatureCollection",
            features = Enumerable.Range(1, cells).Select(n =>
            {
                double lng = 120.40 + 0.004 * (n % 20), lat = 30.70 + 0.004 * (n / 20);
                return new
                {
                    type = "Feature",
                    properties = new { code = community + n.ToString("D3", CultureInfo.InvariantCulture), name = $"压测网格{n}" },
                    geometry = new { type = "Polygon", coordinates = new[] { new[] { new[] { lng, lat }, new[] { lng + 0.003, lat }, new[] { lng + 0.003, lat + 0.003 }, new[] { lng, lat + 0.003 }, new[] { lng, lat } } } },
                };
            }),
        });
        await Send(HttpMethod.Put, $"/api/users/{committee}", new { displayName = "压测指挥中心", role = "committee", communityCode = community, password });
    }
}
