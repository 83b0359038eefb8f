using Grid.Contracts;
using Grid.Grains;
using Grid.Grains.Issues;
using Grid.Silo.Hosting;
using Grid.Silo.Storage;
using Grid.Tests.Grains;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace Grid.Tests.Issues;

public sealed class IssueGrainTests(ClockedClusterFixture fixture) : IssueGrainSuite(fixture), IClassFixture<ClockedClusterFixture>;

public sealed class IssueGrainTestsOnPostgres(ClockedPostgresClusterFixture fixture) : IssueGrainSuite(fixture), IClassFixture<ClockedPostgresClusterFixture>;

[Trait("Tier", "Integration")]
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
        var id = await IssueIds.Next(Grains, GridId.Parse<CellCode>(cell), fixture.Clock.GetUtcNow());
        var issue = Grains.Issue(id);
        Assert.Equal(OutcomeKind.Created, (await issue.Report(new IssueReport { CellCode = cell, CategoryCode = category, Title = "道路积水" }, "committee", "党委")).Kind);
        await Execute(issue, IssueAction.Accept);
        await Execute(issue, IssueAction.Dispatch, assignee: new Assignee { Kind = AssigneeKind.GridWorker, Id = "worker01", Name = "王芳" });
        return issue;
    }

    private static async Task<IssueRecord> Execute(IIssueGrain issue, IssueAction action, Assignee? assignee = null, string note = "ok")
    {
        var result = await issue.Execute(new IssueCommand { Action = action, Actor = "committee", Assignee = assignee, Note = note, Passed = true });
        Assert.True(result.Kind == OutcomeKind.Done, result.Message);
        return result.Value!;
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
        Assert.Contains(fixture.Live.Events.OfType<TickerLine>(), e => e.Kind == TickerKind.Escalation && e.CellCode?.Value == cell);
        Assert.Contains(fixture.Live.Events.OfType<CellStatusChanged>(), e => e.Status == CellStatus.Overdue && e.CellCode.Value == cell);

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
        var (_, code) = await NewCell();
        var cell = GridId.Parse<CellCode>(code);
        Assert.Equal(IssueId.Of(cell, 2026, 1), await IssueIds.Next(Grains, cell, fixture.Clock.GetUtcNow()));
        Assert.Equal($"{cell}-2026-00002", (await IssueIds.Next(Grains, cell, fixture.Clock.GetUtcNow())).Value);
        // 2026-12-31T16:30Z is already 2027 in Beijing: the count starts again.
        Assert.Equal($"{cell}-2027-00001", (await IssueIds.Next(Grains, cell, new DateTimeOffset(2026, 12, 31, 16, 30, 0, TimeSpan.Zero))).Value);
    }

    [Fact]
    public async Task An_idempotency_key_reports_one_issue_and_refuses_a_different_request()
    {
        var (_, cell) = await NewCell();
        var report = new IssueReport { CellCode = cell, CategoryCode = "10.01", Title = "垃圾" };
        var key = Grains.GetGrain<IIdempotencyKeyGrain>($"worker01|{Guid.NewGuid()}");
        var first = await key.ReportIssue("fp-1", report, "worker01", "王芳");
        var again = await key.ReportIssue("fp-1", report, "worker01", "王芳");
        Assert.Equal((OutcomeKind.Created, OutcomeKind.Done), (first.Kind, again.Kind));
        Assert.Equal(first.Value!.Id, again.Value!.Id);
        var reused = await key.ReportIssue("fp-2", report with { Title = "别的" }, "worker01", "王芳");
        Assert.Equal((OutcomeKind.KeyReused, "idempotency_key_reused"), (reused.Kind, reused.Code));
        Assert.Null(reused.Value);
        Assert.Single(await Grains.GetGrain<IGridCellGrain>(cell).OpenIssues());
    }

    [Fact]
    public async Task The_intake_refuses_a_position_outside_its_cell_with_no_endpoint_involved()
    {
        var (_, cell) = await NewCell();
        var intake = Grains.IssueIntake();
        var reporter = new IssueReporter("worker01", "王芳");
        var report = new IssueReport { CellCode = cell, CategoryCode = "10.01", Title = "垃圾", Location = new GeoPoint(120.4215, 30.7115) };

        // A kilometre east of the cell's square: well beyond the GPS tolerance.
        var outside = await intake.Report(report with { Location = new GeoPoint(120.4330, 30.7115) }, reporter, null);
        Assert.Equal((OutcomeKind.Invalid, "location", "issue.location"), (outside.Kind, outside.Field, outside.Code));
        Assert.Contains("不在网格", outside.Message);
        Assert.Empty(await Grains.GetGrain<IGridCellGrain>(cell).OpenIssues());

        var inside = await intake.Report(report, reporter, null);
        Assert.Equal(OutcomeKind.Created, inside.Kind);
        Assert.Equal(cell, inside.Value!.Report.CellCode);
        Assert.Single(await Grains.GetGrain<IGridCellGrain>(cell).OpenIssues());
    }

    [Fact]
    public async Task The_intake_refuses_a_class_an_unknown_cell_and_a_reused_key()
    {
        var (community, cell) = await NewCell();
        var intake = Grains.IssueIntake();
        var reporter = new IssueReporter("worker01", "王芳");
        var report = new IssueReport { CellCode = cell, CategoryCode = "10.01", Title = "垃圾" };

        var aClass = await intake.Report(report with { CategoryCode = "10" }, reporter, null);
        Assert.Equal((OutcomeKind.Invalid, "categoryCode", "issue.category"), (aClass.Kind, aClass.Field, aClass.Code));
        var noCell = await intake.Report(report with { CellCode = community + "999" }, reporter, null);
        Assert.Equal((OutcomeKind.Invalid, "cellCode", "issue.cell"), (noCell.Kind, noCell.Field, noCell.Code));
        var longKey = await intake.Report(report, reporter, new string('k', 101));
        Assert.Equal((OutcomeKind.Invalid, "Idempotency-Key"), (longKey.Kind, longKey.Field));

        var key = Guid.NewGuid().ToString();
        var first = await intake.Report(report, reporter, key);
        var retry = await intake.Report(report, reporter, key);
        Assert.Equal((OutcomeKind.Created, OutcomeKind.Done, first.Value!.Id), (first.Kind, retry.Kind, retry.Value!.Id));
        Assert.Equal(OutcomeKind.KeyReused, (await intake.Report(report with { Title = "别的" }, reporter, key)).Kind);
        // The key is the reporter's own: another reporter's same key is a new report.
        Assert.NotEqual(first.Value.Id, (await intake.Report(report, new IssueReporter("worker02", "李强"), key)).Value!.Id);
        Assert.Equal(2, (await Grains.GetGrain<IGridCellGrain>(cell).OpenIssues()).Length);
    }
}
