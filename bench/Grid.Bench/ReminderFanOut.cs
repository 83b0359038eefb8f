// "fanout" measures the reminder fan-out of one Red Saturday occurrence: members reminded per
// second, each reminder committed to the SQLite file (WAL, synchronous=FULL) in the member's
// reminder inbox before it counts. One silo in-process on a fresh file; loopback only.
//
//   dotnet run -c Release --project bench/Grid.Bench -- fanout --members 3000 --concurrency 8,32,128 [--webhook]
using System.Collections.Immutable;
using System.Diagnostics;
using System.Net;
using Grid.Contracts;
using Grid.Grains;
using Grid.Grains.Activities;
using Grid.Silo.Activities;
using Grid.Silo.Hosting;
using Grid.Silo.Storage;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Grid.Bench;

public static class ReminderFanOut
{
    public static async Task<int> Run(IReadOnlyList<string> args)
    {
        var arguments = new ArgReader(args);
        var members = arguments.Int("--members", 2000);
        var concurrencies = arguments.Get("--concurrency", "8,32,128").Split(',').Select(int.Parse).ToArray();
        var data = arguments.Get("--data", Path.Combine(Path.GetTempPath(), $"grid-bench-{Guid.NewGuid():N}"));
        var withWebhook = arguments.Has("--webhook");
        Directory.CreateDirectory(data);

        var grid = new GridOptions { DataDirectory = data };
        using var host = await BenchSilo.StartAsync(data);
        var grains = host.Services.GetRequiredService<IGrainFactory>();

        Console.WriteLine($"# Grid reminder fan-out: {members} members, SQLite at {grid.SqlitePath}");
        Console.WriteLine($"machine: {Machine.Describe()}; load average before: {Machine.LoadAverage()}");

        // A community whose members are all expected at its Red Saturday.
        var community = "330503199001";
        await grains.GetGrain<ICommunityGrain>(community).Define(new CommunityDefinition { Code = community, Name = "基准测试社区", Township = "练市镇" });
        // About 300 members a cell, as in a real community (a cell's state lists its members).
        var cells = Enumerable.Range(1, Math.Max(1, members / 300)).Select(c => $"{community}{c:D3}").ToArray();
        foreach (var cell in cells)
        {
            await grains.GetGrain<IGridCellGrain>(cell).Define(new CellDefinition
            {
                Code = cell, Name = $"第{cell[^3..]}网格",
                Boundary = [new(120.42, 30.71), new(120.423, 30.71), new(120.423, 30.713), new(120.42, 30.713), new(120.42, 30.71)],
            });
        }
        var phones = Enumerable.Range(0, members).Select(i => $"139{i:D8}").ToImmutableArray();
        var ids = await grains.GetGrain<ICommunityGrain>(community).ClaimMemberIds(phones);
        var watch = Stopwatch.StartNew();
        await Parallel.ForEachAsync(Enumerable.Range(0, members), new ParallelOptions { MaxDegreeOfParallelism = 32 }, async (i, _) =>
            await grains.GetGrain<IPartyMemberGrain>(ids[i]).Create(new MemberDefinition
            {
                Name = $"党员{i}", Phone = phones[i], CommunityCode = community, Branch = "第一党支部", CellCode = cells[i % cells.Length],
            }));
        Console.WriteLine($"setup: {members} members created in {watch.Elapsed.TotalSeconds:F1} s");

        var schedule = new ActivitySchedule
        {
            Id = "red-saturday", Kind = Grid.Contracts.ActivityKind.RedSaturday, Title = "红色星期六主题党日", Saturday = SaturdayOfMonth.Last, StartTime = new TimeOnly(9, 0),
            Place = "党群服务中心", ReminderLeadMinutes = [.. Enumerable.Range(0, concurrencies.Length + 1).Select(i => 10_000 + i)],
        };
        await grains.GetGrain<ICommunityScheduleGrain>(community).SaveSchedule(schedule);

        using var gateway = withWebhook ? new LoopbackGateway() : null;
        using var http = new HttpClient();
        INotificationSender sender = new InboxNotificationSender(grains);
        if (gateway is not null)
            sender = new NotificationSenders([sender, new WebhookNotificationSender(http, grains,
                Options.Create(new WebhookOptions { Enabled = true, Url = gateway.Url }))]);

        ActivityRunner Runner(int concurrency) => new(grains, sender, TimeProvider.System,
            Options.Create(new ActivityOptions { FanOutConcurrency = concurrency, ProgressBatch = 200 }), NullLogger<ActivityRunner>.Instance);

        watch.Restart();
        var planned = await Runner(1).PlanUpcomingAsync(community, schedule, DateTimeOffset.UtcNow);
        var activityId = planned[0];
        Console.WriteLine($"plan: occurrence {activityId} with {(await grains.GetGrain<IActivityGrain>(activityId).Get())!.Plan.ExpectedMemberIds.Length} expected, in {watch.Elapsed.TotalSeconds:F1} s");
        Console.WriteLine();
        Console.WriteLine("| run | concurrency | reminders | seconds | reminders/s |");
        Console.WriteLine("| --- | ---: | ---: | ---: | ---: |");
        // Each run is a new lead time: a new reminder to every member. The first one also activates every
        // member's reminder inbox (a read from the file before the write); the others find them active.
        for (var i = 0; i <= concurrencies.Length; i++)
        {
            var concurrency = i == 0 ? concurrencies[^1] : concurrencies[i - 1];
            var report = await Runner(concurrency).RemindAsync(activityId, 10_000 + i, null);
            if (report.Delivered != members) throw new InvalidOperationException($"delivered {report.Delivered} of {members}");
            Console.WriteLine($"| {(i == 0 ? "first reminder (inboxes activated)" : "next reminder")} | {concurrency} | {report.Delivered} | {report.Elapsed.TotalSeconds:F2} | {report.Delivered / report.Elapsed.TotalSeconds:F0} |");
        }

        // A retried job after success: nothing is pending.
        var retry = await Runner(concurrencies[^1]).RemindAsync(activityId, 10_000, null);
        Console.WriteLine($"| retried job (all delivered) | {concurrencies[^1]} | {retry.Delivered} | {retry.Elapsed.TotalSeconds:F2} | — |");
        // Two nodes racing, or progress lost in a crash: every reminder offered again, all refused by the member inboxes.
        watch.Restart();
        var notices = ids.Select(m => new ReminderNotice
        {
            Key = ReminderNotice.KeyOf(activityId, 10_000, m), ActivityId = activityId, MemberId = m, CommunityCode = community, LeadMinutes = 10_000,
            Title = schedule.Title, StartUtc = DateTimeOffset.UtcNow.AddDays(3),
        }).ToList();
        var again = 0;
        await Parallel.ForEachAsync(notices, new ParallelOptions { MaxDegreeOfParallelism = concurrencies[^1] }, async (n, _) =>
        {
            if (await grains.GetGrain<IReminderInboxGrain>(n.MemberId).Receive(n)) Interlocked.Increment(ref again);
        });
        Console.WriteLine($"| duplicates offered to the inboxes | {concurrencies[^1]} | {again} recorded of {notices.Count} | {watch.Elapsed.TotalSeconds:F2} | {notices.Count / watch.Elapsed.TotalSeconds:F0} refused/s |");

        // Durable: the rows are in the file, read back with a fresh connection.
        await using (var connection = new SqliteConnection(grid.SqliteConnectionString))
        {
            await connection.OpenAsync();
            var command = connection.CreateCommand();
            command.CommandText = "SELECT COUNT(*) FROM OrleansStorage WHERE GrainTypeString = 'reminder_inbox'";
            Console.WriteLine();
            Console.WriteLine($"durable: {(long)(await command.ExecuteScalarAsync())!} reminder inbox rows in {grid.SqlitePath}");
        }
        if (gateway is not null) Console.WriteLine($"webhook: {gateway.Requests} POSTs to a loopback gateway");
        await host.StopAsync();
        if (!arguments.Has("--data"))
        {
            SqliteConnection.ClearAllPools();
            Directory.Delete(data, recursive: true);
        }
        return 0;
    }

}

/// <summary>A gateway on 127.0.0.1 that accepts every POST.</summary>
internal sealed class LoopbackGateway : IDisposable
{
    private readonly HttpListener listener = new();
    private int requests;

    public LoopbackGateway()
    {
        Port = Loopback.FreePort();
        listener.Prefixes.Add($"http://127.0.0.1:{Port}/");
        listener.Start();
        _ = Task.Run(async () =>
        {
            while (listener.IsListening)
            {
                try
                {
                    var context = await listener.GetContextAsync();
                    Interlocked.Increment(ref requests);
                    context.Response.StatusCode = 202;
                    context.Response.Close();
                }
                catch (Exception) { return; }
            }
        });
    }

    public int Port { get; }
    public string Url => $"http://127.0.0.1:{Port}/reminders";
    public int Requests => Volatile.Read(ref requests);


    public void Dispose() => listener.Close();
}
