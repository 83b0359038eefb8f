using System.Text.Json;
using Grid.Api.Hubs;
using Grid.Contracts;
using Grid.Grains.Live;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Serialization;

namespace Grid.Tests.Live;

/// <summary>The live events between silos (Orleans' serializer) and on the wire to browsers (the hub's JSON).</summary>
[Trait("Tier", "Unit")]
public class LiveEventTests
{
    private static readonly DateTimeOffset At = new(2026, 11, 2, 1, 0, 0, TimeSpan.Zero);
    private static readonly CommunityCode Community = CommunityCode.Parse("330503101001");
    private static readonly CellCode Cell = CellCode.Parse("330503101001001");
    private static readonly ActivityId Saturday = ActivityId.Parse("330503101001-2026-12-05-red-saturday");

    /// <summary>One of every kind, each field set to something other than its default.</summary>
    private static readonly LiveEvent[] EveryKind =
    [
        CellStatusChanged.Of(Cell, CellStatus.Overdue, At),
        CountersChanged.Of(Community, new DashboardCounters
        {
            Issues = new CommunityIssueCounters { Open = 7, Overdue = 2, AwaitingAcceptance = 1, ReportedToday = 3, ClosedToday = 4, Day = new DateOnly(2026, 11, 2) },
            Month = "2026-11", ClosedThisMonth = 10, ClosedOnTimeThisMonth = 9, MembersOnDuty = 5,
            RedSaturday = new RedSaturdayAttendance { Date = new DateOnly(2026, 11, 7), Expected = 40, Attended = 36 },
        }, At),
        new TickerLine
        {
            Kind = TickerKind.Escalation, CommunityCode = Community, CellCode = Cell, IssueId = IssueId.Of(Cell, 2026, 42),
            IssueStatus = IssueStatus.InProgress, Text = "环境卫生·垃圾堆放：升级督办（超期）", AtUtc = At,
        },
        TickerLine.Skipped(Community, 7, At),
        new ActivityCountsChanged
        {
            CommunityCode = Community, ActivityId = Saturday, Status = ActivityStatus.Closed, AtUtc = At,
            Expected = 40, SignedUp = 38, OnLeave = 2, SignedIn = 35, Remote = 3,
        },
        new ReminderProgressChanged { CommunityCode = Community, ActivityId = Saturday, LeadMinutes = 120, Delivered = 39, Expected = 40, Failed = 1, AtUtc = At },
        new MemberReminder { CommunityCode = Community, MemberId = MemberId.Of(Community, 12), ActivityId = Saturday, Title = "红色星期六主题党日", AtUtc = At },
    ];

    public static TheoryData<LiveEvent> Every => new(EveryKind);

    private static readonly Serializer Orleans = new ServiceCollection()
        .AddSerializer(b => b.AddAssembly(typeof(LiveEvent).Assembly).AddAssembly(typeof(LiveBatch).Assembly))
        .BuildServiceProvider().GetRequiredService<Serializer>();

    [Theory, MemberData(nameof(Every))]
    public void Every_kind_of_event_crosses_between_silos_whole(LiveEvent e)
    {
        var copy = Orleans.Deserialize<LiveEvent>(Orleans.SerializeToArray(e));
        Assert.IsType(e.GetType(), copy);
        Assert.Equal(e, copy);
    }

    [Fact]
    public void A_batch_of_every_kind_crosses_between_silos_in_order()
    {
        var batch = new LiveBatch { Events = [.. EveryKind] };
        var copy = Orleans.Deserialize<LiveBatch>(Orleans.SerializeToArray(batch));
        // As arrays: ImmutableArray's own equality compares the arrays' references, not their items.
        Assert.Equal(batch.Events.ToArray(), copy!.Events.ToArray());
    }

    // The browsers' wire, as SignalR's JSON protocol writes it (camel case); README and dashboard/wwwroot/*.js read these names.
    // Chinese is left unescaped here for reading; SignalR escapes it, which the browser reads as the same text.
    private static readonly JsonSerializerOptions Wire = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    private static (string Method, string Json) OnTheWire(LiveEvent e)
    {
        var item = LiveMessages.For(e);
        return (item.Method, JsonSerializer.Serialize(item.Message, Wire));
    }

    [Fact]
    public void Each_kind_of_event_becomes_the_message_the_pages_read()
    {
        var every = EveryKind;
        Assert.Equal(("cellStatus", """{"communityCode":"330503101001","cellCode":"330503101001001","status":"overdue","atUtc":"2026-11-02T01:00:00+00:00"}"""),
            OnTheWire(every[0]));
        Assert.Equal(("counters", """{"communityCode":"330503101001","atUtc":"2026-11-02T01:00:00+00:00","open":7,"overdue":2,"awaitingAcceptance":1,"reportedToday":3,"closedToday":4,"month":"2026-11","closedThisMonth":10,"closedOnTimeThisMonth":9,"onTimeRate":0.9,"membersOnDuty":5,"redSaturday":{"date":"2026-11-07","expected":40,"attended":36,"rate":0.9}}"""),
            OnTheWire(every[1]));
        Assert.Equal(("event", """{"kind":"escalation","communityCode":"330503101001","cellCode":"330503101001001","text":"环境卫生·垃圾堆放：升级督办（超期）","atUtc":"2026-11-02T01:00:00+00:00","issueId":"330503101001001-2026-00042","status":"in_progress"}"""),
            OnTheWire(every[2]));
        Assert.Equal(("event", """{"kind":"skipped","communityCode":"330503101001","cellCode":null,"text":"短时间内事件较多，7 条未逐条显示","atUtc":"2026-11-02T01:00:00+00:00","issueId":null,"status":null}"""),
            OnTheWire(every[3]));
        Assert.Equal(("activity", """{"communityCode":"330503101001","activityId":"330503101001-2026-12-05-red-saturday","status":"closed","atUtc":"2026-11-02T01:00:00+00:00","counts":{"expected":40,"signedUp":38,"onLeave":2,"signedIn":35,"remote":3}}"""),
            OnTheWire(every[4]));
        Assert.Equal(("reminderProgress", """{"communityCode":"330503101001","activityId":"330503101001-2026-12-05-red-saturday","status":"120","atUtc":"2026-11-02T01:00:00+00:00","counts":{"leadMinutes":120,"delivered":39,"expected":40,"failed":1}}"""),
            OnTheWire(every[5]));
        Assert.Equal(("reminder", """{"activityId":"330503101001-2026-12-05-red-saturday","title":"红色星期六主题党日","atUtc":"2026-11-02T01:00:00+00:00"}"""),
            OnTheWire(every[6]));
    }

    [Fact]
    public void A_reminder_goes_to_its_member_and_everything_else_to_the_community()
    {
        var every = EveryKind;
        Assert.Equal(["community:330503101001"], every.Where(e => e is not MemberReminder).Select(LiveMessages.GroupOf).Distinct());
        Assert.Equal("member:330503101001M00012", LiveMessages.GroupOf(every.OfType<MemberReminder>().Single()));
    }
}
