using Grid.Contracts;
using Grid.Grains.Live;

namespace Grid.Tests.Live;

[Trait("Tier", "Unit")]
public class LiveCoalescerTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 2, 1, 0, 0, TimeSpan.Zero);
    private static readonly CommunityCode Community = CommunityCode.Parse("330503101001");
    private static readonly ActivityId Saturday = ActivityId.Parse("330503101001-2026-12-05-red-saturday");

    private static CellStatusChanged Cell(string cell, CellStatus status, int ms) => CellStatusChanged.Of(CellCode.Parse(cell), status, T0.AddMilliseconds(ms));

    private static CountersChanged Counters(string community, int open, int ms) => CountersChanged.Of(
        CommunityCode.Parse(community), new DashboardCounters { Issues = new CommunityIssueCounters { Open = open }, Month = "2026-11" }, T0.AddMilliseconds(ms));

    private static TickerLine Line(string community, int n) => new()
    {
        Kind = TickerKind.Issue, CommunityCode = CommunityCode.Parse(community), CellCode = CellCode.Parse(community + "001"), Text = $"line {n}", AtUtc = T0.AddMilliseconds(n),
    };

    private static ActivityCountsChanged Counts(int signedIn, int ms, ActivityStatus status = ActivityStatus.Planned) => new()
    {
        CommunityCode = Community, ActivityId = Saturday, Status = status, Expected = 40, SignedIn = signedIn, AtUtc = T0.AddMilliseconds(ms),
    };

    private static MemberReminder Reminder(int member) => new()
    {
        CommunityCode = Community, MemberId = MemberId.Of(Community, member), ActivityId = Saturday, Title = "红色星期六主题党日", AtUtc = T0,
    };

    [Fact]
    public void A_burst_keeps_the_latest_status_per_cell_and_the_latest_counters_per_community()
    {
        var c = new LiveCoalescer(tickerCap: 50);
        CellStatus[] statuses = [CellStatus.Normal, CellStatus.Attention, CellStatus.Overdue, CellStatus.Escalated];
        for (var i = 0; i < 1000; i++)
        {
            c.Add(Cell("330503101001001", statuses[i % 4], i));
            c.Add(Cell("330503101001002", statuses[(i + 1) % 4], i));
            c.Add(Counters("330503101001", i, i));
        }
        Assert.Equal(3000, c.Received);

        var batch = c.Drain();
        Assert.Equal(3, batch.Events.Length);
        var cells = batch.Events.OfType<CellStatusChanged>().ToDictionary(e => e.CellCode.Value, e => e.Status);
        Assert.Equal(CellStatus.Escalated, cells["330503101001001"]); // 999 % 4 = 3
        Assert.Equal(CellStatus.Normal, cells["330503101001002"]);
        Assert.Equal(999, Assert.Single(batch.Events.OfType<CountersChanged>()).Counters.Issues.Open);
        Assert.True(c.IsEmpty);
        Assert.Empty(c.Drain().Events);
    }

    [Fact]
    public void A_late_event_stamped_earlier_does_not_replace_a_newer_one()
    {
        var c = new LiveCoalescer(50);
        c.Add(Cell("330503101001001", CellStatus.Overdue, 20));
        c.Add(Cell("330503101001001", CellStatus.Attention, 10)); // arrived late
        c.Add(Counters("330503101001", 2, 20));
        c.Add(Counters("330503101001", 1, 10));
        c.Add(Counts(5, 20));
        c.Add(Counts(4, 10));
        var batch = c.Drain();
        Assert.Equal(CellStatus.Overdue, Assert.Single(batch.Events.OfType<CellStatusChanged>()).Status);
        Assert.Equal(2, Assert.Single(batch.Events.OfType<CountersChanged>()).Counters.Issues.Open);
        Assert.Equal(5, Assert.Single(batch.Events.OfType<ActivityCountsChanged>()).SignedIn);
    }

    [Fact]
    public void Ticker_lines_keep_their_order_up_to_the_cap_and_the_rest_is_counted()
    {
        var c = new LiveCoalescer(tickerCap: 5);
        for (var i = 1; i <= 12; i++) c.Add(Line("330503101001", i));
        for (var i = 1; i <= 3; i++) c.Add(Line("330503101002", i));
        var batch = c.Drain();

        var lines = batch.Events.Cast<TickerLine>().ToList();
        var first = lines.Where(e => e.CommunityCode.Value == "330503101001").ToList();
        Assert.Equal(TickerKind.Skipped, first[0].Kind);
        Assert.Contains("7 条", first[0].Text);
        Assert.Equal(T0.AddMilliseconds(7), first[0].AtUtc); // the last line left out
        Assert.Equal(["line 8", "line 9", "line 10", "line 11", "line 12"], first.Skip(1).Select(e => e.Text));
        Assert.Equal(["line 1", "line 2", "line 3"], lines.Where(e => e.CommunityCode.Value == "330503101002").Select(e => e.Text));
    }

    [Fact]
    public void Lines_come_before_colours_and_counters_so_a_client_applies_the_state_last()
    {
        var c = new LiveCoalescer(50);
        c.Add(Counters("330503101001", 1, 3));
        c.Add(Cell("330503101001001", CellStatus.Attention, 2));
        c.Add(Line("330503101001", 1));
        Assert.Equal([typeof(TickerLine), typeof(CellStatusChanged), typeof(CountersChanged)], c.Drain().Events.Select(e => e.GetType()));
    }

    [Fact]
    public void Two_counts_of_one_occurrence_coalesce_to_the_latest_whatever_its_status()
    {
        var c = new LiveCoalescer(50);
        c.Add(Counts(3, 1));
        c.Add(Counts(4, 2, ActivityStatus.Closed));
        var other = Counts(1, 3) with { ActivityId = ActivityId.Parse("330503101001-2026-12-12-red-saturday") };
        c.Add(other);

        var counts = c.Drain().Events.OfType<ActivityCountsChanged>().ToList();
        Assert.Equal(2, counts.Count);
        Assert.Equal((4, ActivityStatus.Closed), (counts.Single(e => e.ActivityId == Saturday).SignedIn, counts.Single(e => e.ActivityId == Saturday).Status));
        Assert.Contains(other, counts);
    }

    [Fact]
    public void Reminder_progress_keeps_the_latest_per_lead_time()
    {
        var c = new LiveCoalescer(50);
        ReminderProgressChanged Progress(int lead, int delivered) => new()
        {
            CommunityCode = Community, ActivityId = Saturday, LeadMinutes = lead, Delivered = delivered, Expected = 200, AtUtc = T0.AddMilliseconds(delivered),
        };
        for (var i = 1; i <= 10; i++)
        {
            c.Add(Progress(120, i * 20));
            c.Add(Progress(4320, i * 10));
        }
        var progress = c.Drain().Events.OfType<ReminderProgressChanged>().ToDictionary(p => p.LeadMinutes, p => p.Delivered);
        Assert.Equal(new Dictionary<int, int> { [120] = 200, [4320] = 100 }, progress);
    }

    [Fact]
    public void A_member_reminder_is_never_coalesced_away_even_in_a_burst_past_the_ticker_cap()
    {
        var c = new LiveCoalescer(tickerCap: 5);
        c.Add(Reminder(1));
        c.Add(Reminder(1)); // the inbox pushes each reminder once; two here are two, and both go out
        for (var i = 2; i <= 60; i++)
        {
            c.Add(Reminder(i));
            c.Add(Line("330503101001", i));
            c.Add(Counts(i, i));
        }
        var batch = c.Drain();
        var reminders = batch.Events.OfType<MemberReminder>().ToList();
        Assert.Equal(61, reminders.Count);
        Assert.Equal(Enumerable.Range(2, 59).Select(i => MemberId.Of(Community, i)), reminders.Skip(2).Select(r => r.MemberId));
        Assert.Equal(60, Assert.Single(batch.Events.OfType<ActivityCountsChanged>()).SignedIn);
        Assert.Equal(6, batch.Events.OfType<TickerLine>().Count()); // five lines and the one for the rest
    }
}
