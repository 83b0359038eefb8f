using Grid.Contracts;
using Grid.Grains;
using Grid.Grains.Live;

namespace Grid.Tests.Live;

[Trait("Tier", "Unit")]
public class LiveCoalescerTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 2, 1, 0, 0, TimeSpan.Zero);

    private static LiveEvent Cell(string cell, string status, int ms) => new()
    {
        Kind = LiveEvent.KindCellStatus, CommunityCode = cell[..12], CellCode = cell, Status = status, AtUtc = T0.AddMilliseconds(ms),
    };

    private static LiveEvent Counters(string community, int open, int ms) => new()
    {
        Kind = LiveEvent.KindCounters, CommunityCode = community, AtUtc = T0.AddMilliseconds(ms),
        Counters = new DashboardCounters { Issues = new CommunityIssueCounters { Open = open }, Month = "2026-11" },
    };

    private static LiveEvent Line(string community, int n) => new()
    {
        Kind = "issue", CommunityCode = community, CellCode = community + "001", Text = $"line {n}", AtUtc = T0.AddMilliseconds(n),
    };

    [Fact]
    public void A_burst_keeps_the_latest_status_per_cell_and_the_latest_counters_per_community()
    {
        var c = new LiveCoalescer(tickerCap: 50);
        string[] statuses = ["normal", "attention", "overdue", "escalated"];
        for (var i = 0; i < 1000; i++)
        {
            c.Add(Cell("330503101001001", statuses[i % 4], i));
            c.Add(Cell("330503101001002", statuses[(i + 1) % 4], i));
            c.Add(Counters("330503101001", i, i));
        }
        Assert.Equal(3000, c.Received);

        var batch = c.Drain();
        Assert.Equal(3, batch.Events.Length);
        Assert.Equal("escalated", Assert.Single(batch.Events, e => e.CellCode == "330503101001001").Status); // 999 % 4 = 3
        Assert.Equal("normal", Assert.Single(batch.Events, e => e.CellCode == "330503101001002").Status);
        Assert.Equal(999, Assert.Single(batch.Events, e => e.Kind == LiveEvent.KindCounters).Counters!.Issues.Open);
        Assert.True(c.IsEmpty);
        Assert.Empty(c.Drain().Events);
    }

    [Fact]
    public void A_late_event_stamped_earlier_does_not_replace_a_newer_one()
    {
        var c = new LiveCoalescer(50);
        c.Add(Cell("330503101001001", "overdue", 20));
        c.Add(Cell("330503101001001", "attention", 10)); // arrived late
        c.Add(Counters("330503101001", 2, 20));
        c.Add(Counters("330503101001", 1, 10));
        var batch = c.Drain();
        Assert.Equal("overdue", batch.Events.Single(e => e.Kind == LiveEvent.KindCellStatus).Status);
        Assert.Equal(2, batch.Events.Single(e => e.Kind == LiveEvent.KindCounters).Counters!.Issues.Open);
    }

    [Fact]
    public void Ticker_lines_keep_their_order_up_to_the_cap_and_the_rest_is_counted()
    {
        var c = new LiveCoalescer(tickerCap: 5);
        for (var i = 1; i <= 12; i++) c.Add(Line("330503101001", i));
        for (var i = 1; i <= 3; i++) c.Add(Line("330503101002", i));
        var batch = c.Drain();

        var first = batch.Events.Where(e => e.CommunityCode == "330503101001").ToList();
        Assert.Equal(LiveEvent.KindSkipped, first[0].Kind);
        Assert.Contains("7 条", first[0].Text);
        Assert.Equal(["line 8", "line 9", "line 10", "line 11", "line 12"], first.Skip(1).Select(e => e.Text));
        Assert.Equal(["line 1", "line 2", "line 3"], batch.Events.Where(e => e.CommunityCode == "330503101002").Select(e => e.Text));
        Assert.All(batch.Events, e => Assert.True(e.IsTicker));
    }

    [Fact]
    public void Lines_come_before_colours_and_counters_so_a_client_applies_the_state_last()
    {
        var c = new LiveCoalescer(50);
        c.Add(Counters("330503101001", 1, 3));
        c.Add(Cell("330503101001001", "attention", 2));
        c.Add(Line("330503101001", 1));
        Assert.Equal(["issue", LiveEvent.KindCellStatus, LiveEvent.KindCounters], c.Drain().Events.Select(e => e.Kind));
    }
}
