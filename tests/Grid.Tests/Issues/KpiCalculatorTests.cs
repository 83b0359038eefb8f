using Grid.Contracts;
using Grid.Grains;
using Grid.Grains.Issues;

namespace Grid.Tests.Issues;

[Trait("Tier", "Unit")]
public class KpiCalculatorTests
{
    private const string Community = "330503101001";
    private const string CellA = "330503101001001";
    private const string CellB = "330503101001002";
    // 2026-11 in China Standard Time runs from 2026-10-31T16:00Z to 2026-11-30T16:00Z.
    private static readonly DateTimeOffset Nov = new(2026, 11, 1, 0, 0, 0, ChinaTime.Offset);

    private static IssueEvent E(string id, int seq, string cell, IssueAction action, DateTimeOffset at,
        DateTimeOffset? deadline = null, string? assignee = null, int? score = null, bool? passed = null) =>
        new(id, seq, Community, cell, "10.01", action, null, IssueStatus.Reported, at.ToUniversalTime(), "x", deadline?.ToUniversalTime(),
            assignee is null ? null : AssigneeKind.GridWorker, assignee, score, passed);

    /// <summary>
    /// Four issues with known histories: #1 on time and rated 4; #2 late, reworked once, then closed late and rated 2;
    /// #3 dispatched in October (context only), resolved on time in November, not yet verified; #4 closed in December.
    /// </summary>
    private static IEnumerable<IssueEvent> History() =>
    [
        E("1", 1, CellA, IssueAction.Report, Nov.AddDays(1)),
        E("1", 2, CellA, IssueAction.Dispatch, Nov.AddDays(1), deadline: Nov.AddDays(2), assignee: "w1"),
        E("1", 3, CellA, IssueAction.Resolve, Nov.AddDays(1.5)),
        E("1", 4, CellA, IssueAction.Verify, Nov.AddDays(1.6), passed: true),
        E("1", 5, CellA, IssueAction.Rate, Nov.AddDays(1.7), score: 4),

        E("2", 1, CellB, IssueAction.Report, Nov.AddDays(3)),
        E("2", 2, CellB, IssueAction.Dispatch, Nov.AddDays(3), deadline: Nov.AddDays(4), assignee: "w2"),
        E("2", 3, CellB, IssueAction.Escalate, Nov.AddDays(4)),
        E("2", 4, CellB, IssueAction.Resolve, Nov.AddDays(4.5)),
        E("2", 5, CellB, IssueAction.Verify, Nov.AddDays(4.6), deadline: Nov.AddDays(5.6), assignee: "w2", passed: false),
        E("2", 6, CellB, IssueAction.Resolve, Nov.AddDays(5)),
        E("2", 7, CellB, IssueAction.Verify, Nov.AddDays(6), passed: true),
        E("2", 8, CellB, IssueAction.Rate, Nov.AddDays(6.1), score: 2),

        E("3", 1, CellA, IssueAction.Report, Nov.AddDays(-3)),
        E("3", 2, CellA, IssueAction.Dispatch, Nov.AddDays(-2), deadline: Nov.AddDays(1), assignee: "w1"),
        E("3", 3, CellA, IssueAction.Resolve, Nov.AddHours(10)),

        E("4", 1, CellA, IssueAction.Report, Nov.AddDays(29)),
        E("4", 2, CellA, IssueAction.Dispatch, Nov.AddDays(29), deadline: Nov.AddDays(40), assignee: "w1"),
        E("4", 3, CellA, IssueAction.Resolve, Nov.AddDays(31)),
        E("4", 4, CellA, IssueAction.Verify, Nov.AddDays(31.5), passed: true),
    ];

    [Fact]
    public void Community_figures_count_only_what_happened_in_the_month_judged_by_the_deadline_then_in_force()
    {
        var report = KpiCalculator.Compute(Community, 2026, 11, History());
        var c = report.Community;
        // Resolutions in November: #1 (on time), #2 twice (late; then on time against the rework deadline), #3 (on time).
        Assert.Equal(4, c.Resolved);
        Assert.Equal(3, c.ResolvedOnTime);
        Assert.Equal(0.75, c.OnTimeHandlingRate);
        // Closures: #1 on time, #2 at day 6 after its rework deadline of day 5.6: late.
        Assert.Equal((2, 1), (c.Closed, c.ClosedOnTime));
        Assert.Equal(0.5, c.OnTimeClosureRate);
        Assert.Equal((3, 1), (c.Verifications, c.Reworks));
        Assert.Equal(0.3333, c.ReworkRate);
        Assert.Equal(1, c.WentOverdue);
        Assert.Equal(3.0, c.AverageSatisfaction);
        Assert.Equal("2026-11", report.Month);
    }

    [Fact]
    public void Cells_and_assignees_get_their_own_share()
    {
        var report = KpiCalculator.Compute(Community, 2026, 11, History());
        var a = report.Cells.Single(f => f.Key == CellA);
        var b = report.Cells.Single(f => f.Key == CellB);
        Assert.Equal((2, 2, 1, 4.0), (a.Resolved, a.ResolvedOnTime, a.Closed, a.AverageSatisfaction!.Value));
        Assert.Equal((2, 1, 1, 1), (b.Resolved, b.ResolvedOnTime, b.Reworks, b.WentOverdue));
        var w1 = report.Assignees.Single(f => f.Key == "grid_worker:w1");
        Assert.Equal((2, 2), (w1.Resolved, w1.ResolvedOnTime));
        Assert.Equal(0.5, report.Assignees.Single(f => f.Key == "grid_worker:w2").ReworkRate);
    }

    [Fact]
    public void A_month_with_nothing_in_it_has_no_rates_rather_than_zero_rates()
    {
        var report = KpiCalculator.Compute(Community, 2026, 9, History());
        Assert.Equal(0, report.Community.Resolved);
        Assert.Null(report.Community.OnTimeHandlingRate);
        Assert.Null(report.Community.AverageSatisfaction);
        Assert.Empty(report.Cells);
    }

    [Fact]
    public void Month_boundaries_are_China_Standard_Time()
    {
        // 2026-11-30T17:00Z is already 1 December in Beijing.
        IssueEvent[] events =
        [
            E("9", 1, CellA, IssueAction.Dispatch, new DateTimeOffset(2026, 11, 30, 10, 0, 0, TimeSpan.Zero), deadline: Nov.AddDays(60), assignee: "w1"),
            E("9", 2, CellA, IssueAction.Resolve, new DateTimeOffset(2026, 11, 30, 17, 0, 0, TimeSpan.Zero)),
        ];
        Assert.Equal(0, KpiCalculator.Compute(Community, 2026, 11, events).Community.Resolved);
        Assert.Equal(1, KpiCalculator.Compute(Community, 2026, 12, events).Community.Resolved);
    }
}
