using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using Grid.Tests.Live;
using Grid.Tests.Process;
using Microsoft.AspNetCore.SignalR.Client;
using Npgsql;
using Xunit.Abstractions;

namespace Grid.Tests.Postgres;

/// <summary>
/// Three real node processes on the postgres profile form one cluster on one machine. One is
/// killed with SIGKILL under a steady write load: writes go on through the other two once the
/// cluster has noticed, no acknowledged write is lost, and a SignalR client of a survivor keeps
/// receiving the events of grains on every node. A reminder job that fires after the kill reaches
/// every member once (Hangfire's job store shared in PostgreSQL).
/// </summary>
[Trait("Tier", "EndToEnd")]
public sealed class PostgresClusterTests(ITestOutputHelper output)
{
    private const string Password = "cluster-test-password";

    private sealed record Ack(string Id, string Address);

    [Fact]
    public async Task Three_nodes_one_killed_with_SIGKILL_under_write_load_lose_no_acknowledged_write_and_keep_serving_events()
    {
        var connectionString = await TestPostgres.CreateDatabaseAsync("cluster");
        // Reminders also go to an SMS gateway stand-in, which counts every POST: a reminder sent twice would show.
        await using var gateway = new WebhookReceiver();
        var key = Convert.ToBase64String(RandomNumberGenerator.GetBytes(48));
        string[] settings =
        [
            "--Grid:Profile=postgres", $"--ConnectionStrings:Grid={connectionString}", $"--Grid:Auth:SigningKey={key}",
            "--Grid:Seed:Demo=false", "--Grid:Admin:Username=root", $"--Grid:Admin:Password={Password}", "--Grid:AdvertisedAddress=127.0.0.1",
            "--Grid:RateLimits:ReportsPerMinute=10000", "--Grid:RateLimits:TokenPerMinute=10000",
            // Nodes register for live events (and batchers re-read the node list) every 2 s instead of 5 s.
            "--Grid:Live:NodeRefreshInterval=00:00:02",
            "--Grid:Activities:Webhook:Enabled=true", $"--Grid:Activities:Webhook:Url={gateway.Url}",
        ];
        var siloPorts = new[] { TestData.FreeTcpPort(), TestData.FreeTcpPort(), TestData.FreeTcpPort() };
        var nodes = await Task.WhenAll(siloPorts.Select((port, i) =>
            NodeProcess.StartAsync(TestData.TempDirectory($"cluster-node{i}"), TestData.FreeTcpPort(), port, settings)));
        await using var data = NpgsqlDataSource.Create(connectionString);
        HubConnection? hub = null;
        try
        {
            await WaitFor(async () => await ActiveSilos(data) == 3, TimeSpan.FromSeconds(60), "three active silos in the membership table");
            var token = await SignIn(nodes[0].Address);
            var http = nodes.Select(n => Client(n.Address, token)).ToArray();

            // A community and a cell, made through one node, seen through another.
            var community = TestData.NewCommunityCode();
            var cell = community + "001";
            (await http[0].PutAsJsonAsync($"/api/communities/{community}", new { name = "集群社区", centre = new { lng = 120.43, lat = 30.71 } })).EnsureSuccessStatusCode();
            (await http[1].PostAsJsonAsync("/api/import/cells", new
            {
                type = "FeatureCollection",
                features = new[] { new { type = "Feature", properties = new { code = cell, name = "集群一格" },
                    geometry = new { type = "Polygon", coordinates = new[] { TestData.Square().Select(p => new[] { p.Lng, p.Lat }).ToArray() } } } },
            })).EnsureSuccessStatusCode();
            Assert.Equal(HttpStatusCode.OK, (await http[2].GetAsync($"/api/cells/{cell}")).StatusCode);

            // Members, and a daily activity whose reminder fires a minute or two from now: after the kill, once, on
            // whichever node's Hangfire worker takes it (the job store is shared in PostgreSQL).
            const int members = 6;
            for (var i = 0; i < members; i++)
                (await http[i % 3].PostAsJsonAsync("/api/members", new
                {
                    name = $"集群党员{i}", phone = $"1390000{i:D4}", communityCode = community, branch = "第一党支部", cellCode = cell,
                })).EnsureSuccessStatusCode();
            var cst = TimeSpan.FromHours(8);
            var soon = DateTimeOffset.UtcNow.AddSeconds(65).ToOffset(cst);
            var reminderAt = new DateTimeOffset(soon.Year, soon.Month, soon.Day, soon.Hour, soon.Minute, 0, cst).AddMinutes(1);
            var activityStart = reminderAt.AddMinutes(2);
            var schedule = await http[2].PutAsJsonAsync($"/api/communities/{community}/schedules/cluster-drill", new
            {
                title = "集群演练", kind = "other", cron = $"{activityStart.Minute} {activityStart.Hour} * * *", durationMinutes = 60,
                reminderLeadMinutes = new[] { 2 },
            });
            Assert.True(schedule.StatusCode == HttpStatusCode.Created, await schedule.Content.ReadAsStringAsync());

            // A dashboard connected to node 1, which survives.
            var events = new ConcurrentQueue<(DateTime At, string? IssueId)>();
            hub = new HubConnectionBuilder()
                .WithUrl(new Uri(nodes[1].Address, "/hubs/command"), o => o.AccessTokenProvider = () => Task.FromResult<string?>(token))
                .Build();
            hub.OnLive("event", e => events.Enqueue((DateTime.UtcNow, e.TryGetProperty("issueId", out var id) ? id.GetString() : null)));
            await hub.StartAsync();
            await hub.InvokeAsync("JoinCommunity", community);

            // The load: three writers, each creating households one after another through the live nodes,
            // retrying a write (the same address: idempotent) until it is acknowledged or a minute has passed.
            var victim = 2;
            var alive = new[] { 0, 1, 2 }.ToList();
            var acks = new ConcurrentBag<Ack>();
            var failures = 0;
            var abandoned = 0;
            var maxAckLatency = TimeSpan.Zero;
            using var stop = new CancellationTokenSource();
            async Task Writer(int writer)
            {
                for (var n = 0; !stop.IsCancellationRequested; n++)
                {
                    var address = $"压力楼{writer}幢{n}室";
                    var started = Stopwatch.StartNew();
                    var acked = false;
                    for (var attempt = 0; !acked && started.Elapsed < TimeSpan.FromSeconds(60); attempt++)
                    {
                        int[] targets;
                        lock (alive) targets = [.. alive];
                        var target = targets[(writer + n + attempt) % targets.Length];
                        try
                        {
                            using var response = await http[target].PostAsJsonAsync("/api/households", new { cellCode = cell, address });
                            if (response.StatusCode is HttpStatusCode.Created or HttpStatusCode.OK)
                            {
                                var body = await response.Content.ReadFromJsonAsync<JsonElement>();
                                acks.Add(new Ack(body.GetProperty("id").GetString()!, address));
                                acked = true;
                                lock (acks) if (started.Elapsed > maxAckLatency) maxAckLatency = started.Elapsed;
                            }
                            else
                            {
                                Interlocked.Increment(ref failures);
                            }
                        }
                        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
                        {
                            Interlocked.Increment(ref failures);
                        }
                        if (!acked) await Task.Delay(200);
                    }
                    if (!acked) Interlocked.Increment(ref abandoned);
                }
            }
            var writers = Enumerable.Range(0, 3).Select(w => Task.Run(() => Writer(w))).ToArray();

            await Task.Delay(TimeSpan.FromSeconds(5));
            var beforeKill = acks.Count;
            Assert.True(beforeKill > 0, "no write was acknowledged before the kill");
            lock (alive) alive.Remove(victim);
            var killedAt = DateTime.UtcNow;
            nodes[victim].Kill();
            var clock = Stopwatch.StartNew();

            // The cluster notices: the killed silo is declared dead in the membership table.
            await WaitFor(async () => await SiloStatus(data, siloPorts[victim]) == 6, TimeSpan.FromSeconds(120), "the killed silo declared dead");
            var noticed = clock.Elapsed;
            var atNotice = acks.Count;

            // Writes continue through the two survivors after that, and events from grains on any node keep
            // reaching node 1's dashboard (the cluster fan-out): issues reported through both survivors.
            // Live events are a view: if the node registry lived on the killed silo, events published before the
            // nodes have registered again with its new activation (one refresh interval) reach no dashboard;
            // a dashboard's snapshot on (re)join covers that. Once registered, every event must arrive.
            await Task.Delay(TimeSpan.FromSeconds(5));
            var reported = new List<string>();
            var afterNotice = DateTime.UtcNow;
            for (var i = 0; i < 12; i++)
            {
                var through = http[i % 2];
                var issue = await through.PostAsJsonAsync("/api/issues", new { cellCode = cell, categoryCode = "10.01", title = $"集群诉求{i}" });
                Assert.True(issue.StatusCode == HttpStatusCode.Created, $"report through node {i % 2}: {(int)issue.StatusCode} {await issue.Content.ReadAsStringAsync()}");
                reported.Add((await issue.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!);
                await Task.Delay(250);
            }
            await WaitFor(() => Task.FromResult(acks.Count >= atNotice + 30), TimeSpan.FromSeconds(60), "30 writes acknowledged after the notice");
            try
            {
                await WaitFor(() => Task.FromResult(reported.All(id => events.Any(e => e.IssueId == id))), TimeSpan.FromSeconds(20),
                    "every issue reported after the notice on node 1's dashboard");
            }
            catch (TimeoutException)
            {
                output.WriteLine("reported: " + string.Join(", ", reported.Select(id => $"{id}={events.Count(e => e.IssueId == id)}")));
                foreach (var (node, i) in nodes.Select((n, i) => (n, i)))
                    output.WriteLine($"--- node {i}\n" + string.Join("\n", node.Output.Split('\n').Where(l => l.Contains("Live") || l.Contains("WRN") || l.Contains("ERR")).TakeLast(30)));
                throw;
            }
            stop.Cancel();
            await Task.WhenAll(writers);

            // The reminder: every member's once, across the two surviving nodes and the dead one's stale Hangfire server.
            await WaitFor(() => Task.FromResult(gateway.Requests.Select(r => r.IdempotencyKey).Distinct().Count() >= members),
                reminderAt - DateTimeOffset.UtcNow + TimeSpan.FromSeconds(120), "every member's reminder at the gateway");
            await Task.Delay(TimeSpan.FromSeconds(5)); // a second send, if any, would come now
            var sends = gateway.Requests.GroupBy(r => r.IdempotencyKey).ToDictionary(g => g.Key, g => g.Count());

            // Every acknowledged household is there, read back through a survivor.
            var lost = new List<Ack>();
            foreach (var ack in acks)
            {
                var read = await http[0].GetAsync($"/api/households/{ack.Id}");
                if (read.StatusCode != HttpStatusCode.OK || (await read.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("address").GetString() != ack.Address)
                    lost.Add(ack);
            }
            var eventsAfter = events.Count(e => e.At > afterNotice);
            var reportedSeen = reported.Count(id => events.Any(e => e.IssueId == id));
            output.WriteLine($"cluster noticed the SIGKILL after {noticed.TotalSeconds:F1} s (killed at {killedAt:HH:mm:ss.fff} UTC)");
            output.WriteLine($"writes acknowledged: {acks.Count} ({beforeKill} before the kill, {atNotice - beforeKill} between kill and notice, {acks.Count - atNotice} after); " +
                             $"failed attempts (retried): {failures}; abandoned after 60 s: {abandoned}; slowest acknowledged write {maxAckLatency.TotalSeconds:F1} s; lost: {lost.Count}");
            output.WriteLine($"reminder trigger at {reminderAt.UtcDateTime:HH:mm:ss} UTC ({(reminderAt.UtcDateTime - killedAt).TotalSeconds:F0} s after the kill): " +
                             $"{sends.Count} reminders, {sends.Values.Sum()} gateway POSTs");
            output.WriteLine($"issues reported through nodes 0 and 1 after the notice: {reported.Count}, seen by node 1's SignalR client: {reportedSeen}; events it received after the notice: {eventsAfter}");

            Assert.Empty(lost);
            Assert.True(acks.Count >= atNotice + 30, $"only {acks.Count - atNotice} writes were acknowledged after the cluster noticed");
            Assert.Equal(reported.Count, reportedSeen);
            Assert.Equal(members, sends.Count);
            Assert.All(sends, s => Assert.True(s.Value == 1, $"reminder {s.Key} sent {s.Value} times"));
            Assert.Equal(2, await ActiveSilos(data));
        }
        finally
        {
            if (hub is not null) await hub.DisposeAsync();
            foreach (var node in nodes) await node.DisposeAsync();
            await data.DisposeAsync();
            await TestPostgres.DropDatabaseAsync(connectionString);
        }
    }

    private static HttpClient Client(Uri address, string token)
    {
        var http = new HttpClient { BaseAddress = address, Timeout = TimeSpan.FromSeconds(45) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return http;
    }

    private static async Task<string> SignIn(Uri address)
    {
        using var http = new HttpClient { BaseAddress = address };
        var token = await (await http.PostAsJsonAsync("/api/auth/token", new { username = "root", password = Password }))
            .EnsureSuccessStatusCode().Content.ReadFromJsonAsync<JsonElement>();
        return token.GetProperty("access_token").GetString()!;
    }

    private static async Task<long> ActiveSilos(NpgsqlDataSource data)
    {
        await using var command = data.CreateCommand("SELECT count(*) FROM orleans_membership WHERE status = 3");
        return (long)(await command.ExecuteScalarAsync())!;
    }

    private static async Task<int?> SiloStatus(NpgsqlDataSource data, int siloPort)
    {
        await using var command = data.CreateCommand("SELECT status FROM orleans_membership WHERE port = @port ORDER BY generation DESC LIMIT 1");
        command.Parameters.AddWithValue("port", siloPort);
        return (int?)await command.ExecuteScalarAsync();
    }

    private static async Task WaitFor(Func<Task<bool>> condition, TimeSpan limit, string what)
    {
        var deadline = DateTime.UtcNow + limit;
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"Waited {limit} for {what}.");
            await Task.Delay(250);
        }
    }
}
