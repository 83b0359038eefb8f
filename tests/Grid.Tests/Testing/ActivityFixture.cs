using System.Collections.Concurrent;
using System.Collections.Immutable;
using System.Net;
using System.Text.Json;
using Grid.Contracts;
using Grid.Grains.Activities;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace Grid.Tests.Testing;

/// <summary>
/// Two real silos (two nodes) on one SQLite file (PostgreSQL in <see cref="PostgresActivityClusterFixture"/>),
/// with a clock the tests move and recorded live events. Runners can be made on either node: each
/// reaches the grains through its own silo.
/// </summary>
public class ActivityClusterFixture : IAsyncLifetime
{
    /// <summary>Monday 23 November 2026, 10:00 China Standard Time.</summary>
    public FakeTimeProvider Clock { get; } = new CalendarClock(new DateTimeOffset(2026, 11, 23, 2, 0, 0, TimeSpan.Zero));
    public RecordingLiveEvents Live { get; } = new();
    public GridCluster Silo { get; private set; } = null!;

    public IGrainFactory Grains => Silo.Grains;

    protected virtual Task<TestStorage> Storage() => Task.FromResult(TestStorage.Sqlite(TestData.TempDirectory("activities")));

    public async Task InitializeAsync() => Silo = await GridCluster.StartAsync(await Storage(), Clock, Live, silos: 2);

    public async Task DisposeAsync() => await Silo.DisposeAsync();

    public IGrainFactory Node(int node) => Silo.Cluster.Silos[node].ServiceProvider.GetRequiredService<IGrainFactory>();

    public ActivityRunner Runner(int node = 0, INotificationSender? sender = null, int concurrency = 8) => new(
        Node(node), sender ?? new InboxNotificationSender(Node(node)), Clock,
        Options.Create(new ActivityOptions { FanOutConcurrency = concurrency, ProgressBatch = 7 }), NullLogger<ActivityRunner>.Instance);

    /// <summary>Moves the clock forward to <paramref name="at"/> (never back).</summary>
    public void MoveTo(DateTimeOffset at)
    {
        if (at > Clock.GetUtcNow()) Clock.SetUtcNow(at);
    }

    /// <summary>A community with one cell and <paramref name="members"/> members placed in it; those listed in <paramref name="mobile"/> are mobile (流动党员).</summary>
    public async Task<(string Community, ImmutableArray<string> Members)> World(int members, params int[] mobile)
    {
        var community = TestData.NewCommunityCode();
        await Grains.GetGrain<ICommunityGrain>(community).Define(TestData.Community(community));
        var cell = community + "001";
        await Grains.GetGrain<IGridCellGrain>(cell).Define(TestData.Cell(cell));
        var phones = Enumerable.Range(0, members).Select(i => $"139{community[^3..]}{i:D5}").ToImmutableArray();
        var ids = await Grains.GetGrain<ICommunityGrain>(community).ClaimMemberIds(phones);
        await Parallel.ForEachAsync(Enumerable.Range(0, members), new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (i, _) =>
            await Grains.GetGrain<IPartyMemberGrain>(ids[i]).Create(new MemberDefinition
            {
                Name = $"党员{i}", Phone = phones[i], CommunityCode = community, Branch = "第一党支部", CellCode = cell,
                IsMobile = mobile.Contains(i), MobileLocation = mobile.Contains(i) ? "杭州市" : "",
            }));
        return (community, ids);
    }

    public static ActivitySchedule RedSaturday(SaturdayOfMonth which = SaturdayOfMonth.First) => new()
    {
        Id = "red-saturday", Kind = ActivityKind.RedSaturday, Title = "红色星期六主题党日", Saturday = which, StartTime = new TimeOnly(9, 0),
        DurationMinutes = 180, Place = "党群服务中心", DefaultTheme = "服务群众", Posts = ["签到引导"],
    };

    /// <summary>Saves the schedule as the API does (grain, then the runner plans its occurrences) and returns its first start at least 4 days ahead.</summary>
    public async Task<(string ActivityId, DateTimeOffset Start)> Schedule(string community, ActivitySchedule schedule)
    {
        // Keep every start of this test past its 3-day reminder: begin on a day where the next start is 4+ days away.
        while (ActivityCalendar.Next(schedule, Clock.GetUtcNow())! < Clock.GetUtcNow().AddDays(4)) Clock.Advance(TimeSpan.FromDays(1));
        await Grains.GetGrain<ICommunityScheduleGrain>(community).SaveSchedule(schedule);
        await Runner().ScheduleChangedAsync(community, schedule.Id);
        var start = ActivityCalendar.Next(schedule, Clock.GetUtcNow())!.Value;
        return (ActivityCalendar.ActivityId(community, schedule.Id, start), start);
    }

    public async Task<ImmutableArray<ReminderNotice>> Inbox(string memberId) => await Grains.GetGrain<IReminderInboxGrain>(memberId).Items();
}

/// <summary>
/// A FakeTimeProvider for the calendar only: the date and time are the test's, while timers and
/// timestamps stay real. Orleans takes its timers from the same TimeProvider, and with fake timers
/// a jump of days fires them all at once (every activation looks idle for days and is collected).
/// </summary>
/// <summary>The same two silos with their grains on PostgreSQL.</summary>
public sealed class PostgresActivityClusterFixture : ActivityClusterFixture
{
    protected override Task<TestStorage> Storage() => TestStorage.Postgres("activities");
}

public sealed class CalendarClock(DateTimeOffset start) : FakeTimeProvider(start)
{
    public override long GetTimestamp() => System.GetTimestamp();

    public override long TimestampFrequency => System.TimestampFrequency;

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period) =>
        System.CreateTimer(callback, state, dueTime, period);
}

/// <summary>A sender that fails for some members on their first attempt, like a gateway that drops out.</summary>
public sealed class FlakySender(INotificationSender inner, Func<string, bool> failFirst) : INotificationSender
{
    private readonly ConcurrentDictionary<string, int> attempts = new();

    public Task SendAsync(ReminderNotice notice, CancellationToken cancellationToken) =>
        attempts.AddOrUpdate(notice.Key, 1, (_, n) => n + 1) == 1 && failFirst(notice.MemberId)
            ? throw new HttpRequestException("gateway unavailable")
            : inner.SendAsync(notice, cancellationToken);
}

/// <summary>A webhook receiver on 127.0.0.1 (no other network): keeps every request's Idempotency-Key and body key.</summary>
public sealed class WebhookReceiver : IAsyncDisposable
{
    private readonly HttpListener listener = new();
    private readonly Task loop;

    private int failFirst;

    /// <param name="failFirst">How many requests to answer 503 before accepting, like a gateway coming back up.</param>
    public WebhookReceiver(int failFirst = 0)
    {
        this.failFirst = failFirst;
        Port = TestData.FreeTcpPort();
        listener.Prefixes.Add($"http://127.0.0.1:{Port}/");
        listener.Start();
        loop = Task.Run(Serve);
    }

    public int Port { get; }
    public Uri Url => new($"http://127.0.0.1:{Port}/reminders");
    public ConcurrentBag<(string IdempotencyKey, JsonElement Body)> Requests { get; } = [];

    private async Task Serve()
    {
        while (listener.IsListening)
        {
            HttpListenerContext context;
            try { context = await listener.GetContextAsync(); }
            catch (Exception) { return; }
            using var reader = new StreamReader(context.Request.InputStream);
            var body = JsonDocument.Parse(await reader.ReadToEndAsync()).RootElement.Clone();
            var refuse = Interlocked.Decrement(ref failFirst) >= 0;
            if (!refuse) Requests.Add((context.Request.Headers["Idempotency-Key"] ?? "", body));
            context.Response.StatusCode = refuse ? 503 : 202;
            context.Response.Close();
        }
    }

    public async ValueTask DisposeAsync()
    {
        listener.Stop();
        listener.Close();
        await loop;
    }
}
