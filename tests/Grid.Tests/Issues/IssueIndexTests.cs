using System.Collections.Immutable;
using Grid.Contracts;
using Grid.Grains.Issues;

namespace Grid.Tests.Issues;

[Trait("Tier", "Unit")]
public sealed class IssueIndexTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 1, 8, 0, 0, TimeSpan.Zero);

    internal static IssueSummary Summary(string id, IssueStatus status, int version, DateTimeOffset updatedUtc) => new()
    {
        Id = id, CellCode = "330503101001001", Title = "道路积水", CategoryCode = "10.03", CategoryName = "道路积水",
        Status = status, UpdatedUtc = updatedUtc, Version = version,
    };

    [Fact]
    public void An_older_or_equal_version_never_replaces_the_one_held()
    {
        var index = IssueIndex.Apply(ImmutableDictionary<string, IssueSummary>.Empty, Summary("a", IssueStatus.Closed, 5, Now), out var first);
        var after = IssueIndex.Apply(index, Summary("a", IssueStatus.InProgress, 4, Now), out var stale);
        var again = IssueIndex.Apply(after, Summary("a", IssueStatus.Closed, 5, Now), out var replay);

        Assert.True(first);
        Assert.False(stale);
        Assert.False(replay);
        Assert.Equal(IssueStatus.Closed, again["a"].Status);
    }

    [Fact]
    public void A_closed_issue_is_held_as_a_tombstone_of_its_identity_version_and_time()
    {
        var closed = Summary("a", IssueStatus.Closed, 6, Now) with
        {
            Assignee = new Assignee { Kind = AssigneeKind.GridWorker, Id = "worker01", Name = "王芳" },
            DeadlineUtc = Now,
            CommunityCode = "330503101001",
        };
        var open = Summary("b", IssueStatus.Dispatched, 3, Now) with { Assignee = closed.Assignee };

        var index = IssueIndex.Apply(IssueIndex.Apply(ImmutableDictionary<string, IssueSummary>.Empty, closed, out _), open, out _);

        Assert.Equal(new IssueSummary
        {
            Id = "a", CellCode = closed.CellCode, CommunityCode = "330503101001", Status = IssueStatus.Closed, Version = 6, UpdatedUtc = Now,
            Title = "", CategoryCode = "", CategoryName = "",
        }, index["a"]);
        Assert.Same(open, index["b"]);
        // Still a tombstone: an older "open" summary does not bring it back.
        Assert.Equal(IssueStatus.Closed, IssueIndex.Apply(index, Summary("a", IssueStatus.InProgress, 5, Now), out _)["a"].Status);
    }

    [Fact]
    public void Sweep_removes_only_tombstones_older_than_a_week()
    {
        var index = ImmutableDictionary<string, IssueSummary>.Empty
            .Add("old-closed", Summary("old-closed", IssueStatus.Closed, 6, Now - IssueIndex.TombstoneAge - TimeSpan.FromMinutes(1)))
            .Add("old-rejected", Summary("old-rejected", IssueStatus.Rejected, 2, Now - TimeSpan.FromDays(30)))
            .Add("young-closed", Summary("young-closed", IssueStatus.Closed, 6, Now - IssueIndex.TombstoneAge + TimeSpan.FromMinutes(1)))
            .Add("old-open", Summary("old-open", IssueStatus.Dispatched, 3, Now - TimeSpan.FromDays(30)));

        var swept = IssueIndex.Sweep(index, Now);

        Assert.Equal(["old-open", "young-closed"], swept.Keys.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void A_sweep_runs_at_most_once_per_interval_of_an_activation()
    {
        var sweep = new TombstoneSweep();
        var expired = Summary("x", IssueStatus.Closed, 6, Now - TimeSpan.FromDays(8));
        var index = ImmutableDictionary<string, IssueSummary>.Empty.Add("x", expired);

        Assert.Empty(sweep.IfDue(index, Now));
        // Within the interval the index is handed back as it is, expired tombstone and all.
        Assert.Same(index, sweep.IfDue(index, Now + IssueIndex.SweepInterval - TimeSpan.FromSeconds(1)));
        Assert.Empty(sweep.IfDue(index, Now + IssueIndex.SweepInterval));
    }
}

[Trait("Tier", "Unit")]
public sealed class OpenIssueTallyTests
{
    private static IssueSummary Summary(string id, IssueStatus status, int version, int escalation = 0) =>
        IssueIndexTests.Summary(id, status, version, DateTimeOffset.UnixEpoch) with { EscalationLevel = escalation };

    [Fact]
    public void Kept_step_by_step_it_matches_a_count_over_the_whole_index()
    {
        var steps = new[]
        {
            Summary("a", IssueStatus.Reported, 1), Summary("b", IssueStatus.Reported, 1), Summary("a", IssueStatus.Accepted, 2),
            Summary("a", IssueStatus.Dispatched, 3), Summary("a", IssueStatus.Dispatched, 4, escalation: 1), Summary("c", IssueStatus.Reported, 1),
            Summary("b", IssueStatus.Rejected, 2), Summary("a", IssueStatus.Closed, 5, escalation: 1), Summary("c", IssueStatus.Accepted, 2),
        };
        var index = System.Collections.Immutable.ImmutableDictionary<string, IssueSummary>.Empty;
        var tally = OpenIssueTally.Of(index.Values);
        foreach (var step in steps)
        {
            var held = index.GetValueOrDefault(step.Id);
            index = IssueIndex.Apply(index, step, out var changed);
            if (changed) tally.Replace(held, step);

            var counted = OpenIssueTally.Of(index.Values);
            Assert.Equal((counted.Open, counted.Overdue, counted.AwaitingAcceptance), (tally.Open, tally.Overdue, tally.AwaitingAcceptance));
        }
        Assert.Equal((1, 0, 0), (tally.Open, tally.Overdue, tally.AwaitingAcceptance));
    }
}
