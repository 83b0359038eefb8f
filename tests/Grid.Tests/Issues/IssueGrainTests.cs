using Grid.Contracts;
using Grid.Grains;
using Grid.Grains.Issues;
using Grid.Silo.Hosting;
using Grid.Silo.Storage;
using Grid.Tests.Grains;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace Grid.Tests.Issues;

/// <summary>Grains on an in-process silo, a clock the test moves, and recorded live events.</summary>
public abstract class ClockedFixture : IGridClusterFixture, IAsyncLifetime
{
    public FakeTimeProvider Clock { get; } = new(new DateTimeOffset(2026, 11, 2, 1, 0, 0, TimeSpan.Zero));
    public RecordingLiveEvents Live { get; } = new();
    public GridCluster Silo { get; private set; } = null!;

    protected abstract Task<TestStorage> Storage();

    public async Task InitializeAsync() => Silo = await GridCluster.StartAsync(await Storage(), Clock, Live);

    public async Task DisposeAsync() => await Silo.DisposeAsync();
}

/// <summary>On the embedded profile (SQLite).</summary>
public sealed class ClockedClusterFixture : ClockedFixture
{
    protected override Task<TestStorage> Storage() => Task.FromResult(TestStorage.Sqlite(TestData.TempDirectory("issues")));
}

/// <summary>On the postgres profile.</summary>
public sealed class ClockedPostgresClusterFixture : ClockedFixture
{
    protected override Task<TestStorage> Storage() => TestStorage.Postgres("clocked");
}

public sealed class IssueGrainTests(ClockedClusterFixture fixture) : IssueGrainSuite(fixture), IClassFixture<ClockedClusterFixture>;

public sealed class IssueGrainTestsOnPostgres(ClockedPostgresClusterFixture fixture) : IssueGrainSuite(fixture), IClassFixture<ClockedPostgresClusterFixture>;

public abstract class IssueGrainSuite(ClockedFixture fixture)
{
    private IGrainFactory Grains => fixture.Silo.Grains;

    private async Task<(string Community, string Cell)> NewCell()
    {
        var community = TestData.NewCommunityCode();
        await Grains.GetGrain<ICommunityGrain>(community).Define(TestData.Community(community));
        var cell = community + "001";
        await Grains.GetGrain<IGridCellGrain>(cell).Define(TestData.Cell(cell));
        return (community, cell);
    }

    private async Task<IIssueGrain> Dispatched(string cell, string category = "10.03")
    {
        var id = await IssueIds.Next(Grains, cell, fixture.Clock.GetUtcNow());
        var issue = Grains.GetGrain<IIssueGrain>(id);
        Assert.Equal(IssueOutcome.Done, (await issue.Report(new IssueReport { CellCode = cell, CategoryCode = category, Title = "道路积水" }, "committee", "党委")).Outcome);
        await Execute(issue, IssueAction.Accept);
        await Execute(issue, IssueAction.Dispatch, assignee: new Assignee { Kind = AssigneeKind.GridWorker, Id = "worker01", Name = "王芳" });
        return issue;
    }

    private static async Task<IssueRecord> Execute(IIssueGrain issue, IssueAction action, Assignee? assignee = null, string note = "ok")
    {
        var result = await issue.Execute(new IssueCommand { Action = action, Actor = "committee", Assignee = assignee, Note = note, Passed = true });
        Assert.True(result.Outcome == IssueOutcome.Done, result.Message);
        return result.Issue!;
    }

    [Fact]
    public async Task An_issue_is_escalated_at_its_deadline_and_the_cell_and_community_show_it()
    {
        var (community, cell) = await NewCell();
        var issue = await Dispatched(cell); // 道路积水: 12 hours
        var deadline = (await issue.Get())!.DeadlineUtc!.Value;
        Assert.Equal(fixture.Clock.GetUtcNow().AddHours(12), deadline);

        fixture.Clock.Advance(TimeSpan.FromHours(11));
        await DeadlineCheck.Run(Grains, community);
        Assert.Equal(0, (await issue.Get())!.EscalationLevel);
        Assert.Equal(CellStatus.Attention, (await Grains.GetGrain<IGridCellGrain>(cell).Get())!.Status);

        fixture.Clock.Advance(TimeSpan.FromHours(1));
        await DeadlineCheck.Run(Grains, community);
        var overdue = (await issue.Get())!;
        Assert.Equal(1, overdue.EscalationLevel);
        Assert.Equal(IssueAction.Escalate, overdue.History[^1].Action);
        Assert.Equal("system", overdue.History[^1].Actor);
        Assert.Equal(CellStatus.Overdue, (await Grains.GetGrain<IGridCellGrain>(cell).Get())!.Status);
        Assert.Equal(1, (await Grains.GetGrain<ICommunityIssuesGrain>(community).IssueCounters()).Overdue);
        Assert.Contains(fixture.Live.Events, e => e.Kind == "escalation" && e.CellCode == cell);
        Assert.Contains(fixture.Live.Events, e => e is { Kind: "cell_status", Status: "overdue" } && e.CellCode == cell);

        // A second check at the same moment changes nothing: the watch may run on several nodes.
        await DeadlineCheck.Run(Grains, community);
        Assert.Equal(overdue.Version, (await issue.Get())!.Version);

        fixture.Clock.Advance(TimeSpan.FromHours(12));
        await DeadlineCheck.Run(Grains, community);
        Assert.Equal(2, (await issue.Get())!.EscalationLevel);
        Assert.Equal(CellStatus.Escalated, (await Grains.GetGrain<IGridCellGrain>(cell).Get())!.Status);
    }

    [Fact]
    public async Task Indexes_follow_the_issue_and_forget_it_when_it_closes()
    {
        var (community, cell) = await NewCell();
        var memberId = (await Grains.GetGrain<ICommunityGrain>(community).ClaimMemberIds(["13900000009"]))[0];
        await Grains.GetGrain<IPartyMemberGrain>(memberId).Create(new MemberDefinition
        {
            Name = "李红", Phone = "13900000009", CommunityCode = community, Branch = "第一党支部", CellCode = cell,
        });
        var issue = await Dispatched(cell);
        var id = issue.GetPrimaryKeyString();
        Assert.Contains(await Grains.GetGrain<IInboxGrain>("user:worker01").Items(), i => i.Id == id);
        Assert.Contains(await Grains.GetGrain<IGridCellGrain>(cell).OpenIssues(), i => i.Id == id);

        await Execute(issue, IssueAction.Dispatch, new Assignee { Kind = AssigneeKind.Member, Id = memberId, Name = "李红" });
        Assert.DoesNotContain(await Grains.GetGrain<IInboxGrain>("user:worker01").Items(), i => i.Id == id);
        Assert.Contains(await Grains.GetGrain<IInboxGrain>($"member:{memberId}").Items(), i => i.Id == id);
        // Dispatching to a member makes it their assignment (任务) too.
        var standing = await Grains.GetGrain<IPartyMemberGrain>(memberId).Standing();
        var assignment = (await Grains.GetGrain<IAssignmentGrain>(standing.AssignmentIds.Single()).Get())!;
        Assert.Equal((AssignmentKind.HandleIssue, id), (assignment.Definition.Kind, assignment.Definition.IssueId));

        await Execute(issue, IssueAction.Start);
        await Execute(issue, IssueAction.Resolve);
        await Execute(issue, IssueAction.Verify);
        Assert.DoesNotContain(await Grains.GetGrain<IGridCellGrain>(cell).OpenIssues(), i => i.Id == id);
        Assert.DoesNotContain(await Grains.GetGrain<ICommunityIssuesGrain>(community).OpenIssues(), i => i.Id == id);
        Assert.Empty(await Grains.GetGrain<IInboxGrain>($"member:{memberId}").Items());
        Assert.Equal(1, (await Grains.GetGrain<ICommunityIssuesGrain>(community).IssueCounters()).ClosedToday);
        // Resolving completed the assignment; closing earned the member the issue_closed points, once.
        Assert.Equal(AssignmentStatus.Completed, (await Grains.GetGrain<IAssignmentGrain>(assignment.Id).Get())!.Status);
        var points = (await Grains.GetGrain<IPartyMemberGrain>(memberId).Standing()).Points;
        Assert.Equal(["assignment_completed", "issue_closed"], points.Select(p => p.Rule).Order());
        var repeat = points.Single(p => p.Rule == "issue_closed") with { AtUtc = fixture.Clock.GetUtcNow().AddHours(1) };
        Assert.False(await Grains.GetGrain<IPartyMemberGrain>(memberId).AwardPoints(repeat));
        Assert.Equal(2, (await Grains.GetGrain<IPartyMemberGrain>(memberId).Standing()).Points.Length);
    }

    [Fact]
    public async Task A_late_or_repeated_index_update_cannot_roll_an_index_back()
    {
        var (_, cell) = await NewCell();
        var issue = await Dispatched(cell);
        var record = (await issue.Get())!;
        var old = IssueSummary.Of(record) with { Version = 1, Status = IssueStatus.Reported };
        await Grains.GetGrain<IGridCellGrain>(cell).UpdateIssue(old);
        Assert.Equal(IssueStatus.Dispatched, (await Grains.GetGrain<IGridCellGrain>(cell).OpenIssues()).Single().Status);

        await Execute(issue, IssueAction.Start);
        await Execute(issue, IssueAction.Resolve);
        await Execute(issue, IssueAction.Verify);
        await Grains.GetGrain<IGridCellGrain>(cell).UpdateIssue(IssueSummary.Of(record)); // the stale "dispatched" again
        Assert.Empty(await Grains.GetGrain<IGridCellGrain>(cell).OpenIssues());
    }

    [Fact]
    public async Task Every_step_reaches_the_ledger_once_even_when_replayed()
    {
        var (community, cell) = await NewCell();
        var issue = await Dispatched(cell);
        var id = issue.GetPrimaryKeyString();
        await fixture.Silo.Cluster.DeactivateAsync(issue);
        await fixture.Silo.Cluster.WaitForDeactivationAsync(issue);
        await issue.Reindex(); // reactivation replays the whole history into the ledger

        var ledger = fixture.Silo.Storage.Ledger;
        var events = await ledger.EventsOfIssuesActiveBetween(community, fixture.Clock.GetUtcNow().AddDays(-1), fixture.Clock.GetUtcNow().AddDays(1));
        Assert.Equal([IssueAction.Report, IssueAction.Accept, IssueAction.Dispatch], events.Where(e => e.IssueId == id).Select(e => e.Action));
        Assert.Equal(IssueStatus.Dispatched, (await ledger.CellIssues(cell, null, 10)).Single().Status);
    }

    [Fact]
    public async Task A_lost_index_is_rebuilt_from_the_issue_grains()
    {
        var (community, cell) = await NewCell();
        var open = await Dispatched(cell);
        var closed = await Dispatched(cell);
        await Execute(closed, IssueAction.Start);
        await Execute(closed, IssueAction.Resolve);
        await Execute(closed, IssueAction.Verify);
        var before = (await Grains.GetGrain<ICommunityIssuesGrain>(community).OpenIssues()).Select(i => (i.Id, i.Version)).ToList();

        await Grains.GetGrain<ICommunityIssuesGrain>(community).ResetIssueIndex();
        await Grains.GetGrain<IGridCellGrain>(cell).ResetIssueIndex();
        Assert.Empty(await Grains.GetGrain<IGridCellGrain>(cell).OpenIssues());

        var ledger = fixture.Silo.Storage.Ledger;
        Assert.Equal(2, await IssueIndexRebuild.Run(Grains, ledger, community));
        Assert.Equal(before, (await Grains.GetGrain<ICommunityIssuesGrain>(community).OpenIssues()).Select(i => (i.Id, i.Version)));
        Assert.Equal([open.GetPrimaryKeyString()], (await Grains.GetGrain<IGridCellGrain>(cell).OpenIssues()).Select(i => i.Id));
    }

    [Fact]
    public async Task Issue_ids_count_up_per_cell_and_year()
    {
        var (_, cell) = await NewCell();
        Assert.Equal($"{cell}-2026-00001", await IssueIds.Next(Grains, cell, fixture.Clock.GetUtcNow()));
        Assert.Equal($"{cell}-2026-00002", await IssueIds.Next(Grains, cell, fixture.Clock.GetUtcNow()));
        // 2026-12-31T16:30Z is already 2027 in Beijing: the count starts again.
        Assert.Equal($"{cell}-2027-00001", await IssueIds.Next(Grains, cell, new DateTimeOffset(2026, 12, 31, 16, 30, 0, TimeSpan.Zero)));
    }

    [Fact]
    public async Task An_idempotency_key_reports_one_issue_and_refuses_a_different_request()
    {
        var (_, cell) = await NewCell();
        var report = new IssueReport { CellCode = cell, CategoryCode = "10.01", Title = "垃圾" };
        var key = Grains.GetGrain<IIdempotencyKeyGrain>($"worker01|{Guid.NewGuid()}");
        var first = await key.ReportIssue("fp-1", report, "worker01", "王芳");
        var again = await key.ReportIssue("fp-1", report, "worker01", "王芳");
        Assert.Equal(first!.Issue!.Id, again!.Issue!.Id);
        Assert.Null(await key.ReportIssue("fp-2", report with { Title = "别的" }, "worker01", "王芳"));
        Assert.Single(await Grains.GetGrain<IGridCellGrain>(cell).OpenIssues());
    }
}
