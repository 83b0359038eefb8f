using Grid.Contracts;
using Grid.Grains.Issues;

namespace Grid.Tests.Issues;

[Trait("Tier", "Unit")]
public class IssueWorkflowTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 2, 1, 0, 0, TimeSpan.Zero);
    private static readonly IssueCategory Category = new() { Code = "10.01", Name = "暴露垃圾", Kind = "event", ParentCode = "10", HandlingHours = 24 };
    private static readonly Assignee Worker = new() { Kind = AssigneeKind.GridWorker, Id = "worker01", Name = "王芳" };
    private static readonly Assignee Other = new() { Kind = AssigneeKind.Member, Id = "330503101001M00001", Name = "李红" };
    private static readonly WorkflowContext At = new(T0.AddHours(1), TimeSpan.FromDays(7));

    private static IssueRecord Reported() => IssueWorkflow.Report("330503101001001-2026-00001",
        new IssueReport { CellCode = "330503101001001", CategoryCode = "10.01", Title = "垃圾堆放" }, Category, "committee", "社区党委", T0);

    private static IssueRecord Do(IssueRecord issue, IssueAction action, string note = "ok", Assignee? assignee = null, bool? passed = null,
        int? score = null, string? organ = null, DateTimeOffset? at = null)
    {
        var result = IssueWorkflow.Apply(issue, new IssueCommand
        {
            Action = action, Actor = "someone", Note = note, Assignee = assignee ?? Worker, Passed = passed, Score = score, OrganCode = organ,
        }, At with { Now = at ?? At.Now });
        Assert.True(result.Kind == OutcomeKind.Done, $"{action} from {issue.Status}: {result.Message}");
        return result.Value!;
    }

    /// <summary>An issue brought to each status by the ordinary path.</summary>
    public static IssueRecord InStatus(IssueStatus status) => status switch
    {
        IssueStatus.Reported => Reported(),
        IssueStatus.Accepted => Do(Reported(), IssueAction.Accept),
        IssueStatus.Rejected => Do(Reported(), IssueAction.Reject, "重复上报"),
        IssueStatus.Dispatched => Do(InStatus(IssueStatus.Accepted), IssueAction.Dispatch),
        IssueStatus.InProgress => Do(InStatus(IssueStatus.Dispatched), IssueAction.Start),
        IssueStatus.Resolved => Do(InStatus(IssueStatus.InProgress), IssueAction.Resolve, "已清运"),
        _ => Do(InStatus(IssueStatus.Resolved), IssueAction.Verify, passed: true),
    };

    // The closed loop of DOMAIN.md, written out independently of the workflow's own table:
    // what each path action does from each status (null: refused with 409).
    public static TheoryData<IssueStatus, IssueAction, IssueStatus?> Matrix()
    {
        var data = new TheoryData<IssueStatus, IssueAction, IssueStatus?>();
        var expected = new Dictionary<(IssueStatus, IssueAction), IssueStatus>
        {
            [(IssueStatus.Reported, IssueAction.Accept)] = IssueStatus.Accepted,
            [(IssueStatus.Reported, IssueAction.Reject)] = IssueStatus.Rejected,
            [(IssueStatus.Accepted, IssueAction.Dispatch)] = IssueStatus.Dispatched,
            [(IssueStatus.Accepted, IssueAction.Whistle)] = IssueStatus.Accepted,
            [(IssueStatus.Dispatched, IssueAction.Dispatch)] = IssueStatus.Dispatched,
            [(IssueStatus.Dispatched, IssueAction.Start)] = IssueStatus.InProgress,
            [(IssueStatus.Dispatched, IssueAction.Whistle)] = IssueStatus.Dispatched,
            [(IssueStatus.InProgress, IssueAction.Dispatch)] = IssueStatus.Dispatched,
            [(IssueStatus.InProgress, IssueAction.Resolve)] = IssueStatus.Resolved,
            [(IssueStatus.InProgress, IssueAction.Whistle)] = IssueStatus.InProgress,
            [(IssueStatus.Resolved, IssueAction.Verify)] = IssueStatus.Closed,
            [(IssueStatus.Closed, IssueAction.Reopen)] = IssueStatus.Dispatched,
            [(IssueStatus.Closed, IssueAction.Rate)] = IssueStatus.Closed,
        };
        IssueAction[] pathActions = [IssueAction.Accept, IssueAction.Reject, IssueAction.Dispatch, IssueAction.Start, IssueAction.Resolve,
            IssueAction.Verify, IssueAction.Reopen, IssueAction.Rate, IssueAction.Whistle];
        foreach (var status in Enum.GetValues<IssueStatus>())
            foreach (var action in pathActions)
                data.Add(status, action, expected.TryGetValue((status, action), out var to) ? to : null);
        return data;
    }

    [Theory]
    [MemberData(nameof(Matrix))]
    public void Every_action_from_every_status_is_allowed_or_refused_as_the_closed_loop_says(IssueStatus from, IssueAction action, IssueStatus? to)
    {
        var issue = InStatus(from);
        var result = IssueWorkflow.Apply(issue, new IssueCommand
        {
            Action = action, Actor = "someone", Note = "note", Assignee = Other, Passed = true, Score = 5, OrganCode = TestData.OrganCode(),
        }, At);
        if (to is null)
        {
            Assert.Equal((OutcomeKind.Conflict, "issue.status"), (result.Kind, result.Code));
            Assert.StartsWith($"「{IssueWorkflow.Label(from)}」的诉求不能{IssueWorkflow.Label(action)}", result.Message); // the 409 names the current status
            Assert.Same(issue, result.Value);
        }
        else
        {
            Assert.True(result.Kind == OutcomeKind.Done, result.Message);
            Assert.Equal(to, result.Value!.Status);
            Assert.Equal(issue.Version + 1, result.Value.Version);
            var entry = result.Value.History[^1];
            Assert.Equal((action, from, to.Value, "someone", issue.History.Length + 1), (entry.Action, entry.FromStatus!.Value, entry.ToStatus, entry.Actor, entry.Seq));
        }
    }

    [Fact]
    public void The_deadline_starts_at_the_first_dispatch_and_a_handover_keeps_it()
    {
        var dispatched = Do(InStatus(IssueStatus.Accepted), IssueAction.Dispatch, at: T0.AddHours(2));
        Assert.Equal(T0.AddHours(2 + 24), dispatched.DeadlineUtc);
        var handedOver = Do(dispatched, IssueAction.Dispatch, assignee: Other, at: T0.AddHours(5));
        Assert.Equal(T0.AddHours(2 + 24), handedOver.DeadlineUtc);
        Assert.Equal(Other, handedOver.Assignee);
    }

    [Fact]
    public void A_failed_verification_sends_the_issue_back_to_dispatched_and_counts_rework()
    {
        var resolved = InStatus(IssueStatus.Resolved);
        var refused = IssueWorkflow.Apply(resolved, new IssueCommand { Action = IssueAction.Verify, Actor = "c", Passed = false }, At);
        Assert.Equal("note", refused.Field); // a failed check must say what is wrong
        var rework = Do(resolved, IssueAction.Verify, "未清理干净", passed: false, at: T0.AddHours(3));
        Assert.Equal(IssueStatus.Dispatched, rework.Status);
        Assert.Equal(1, rework.ReworkCount);
        Assert.Equal(Worker, rework.Assignee);
        Assert.Equal(T0.AddHours(3 + 24), rework.DeadlineUtc);
        Assert.Null(rework.ResolvedUtc);
    }

    [Fact]
    public void A_closed_issue_reopens_only_within_the_window()
    {
        var closed = InStatus(IssueStatus.Closed);
        var inTime = Do(closed, IssueAction.Reopen, "居民反映问题复发", at: At.Now.AddDays(6));
        Assert.Equal((IssueStatus.Dispatched, 1), (inTime.Status, inTime.ReopenCount));
        var late = IssueWorkflow.Apply(closed, new IssueCommand { Action = IssueAction.Reopen, Actor = "c", Note = "复发" }, At with { Now = At.Now.AddDays(8) });
        Assert.Equal((OutcomeKind.Conflict, "issue.reopen_window"), (late.Kind, late.Code));
        Assert.Contains("7 天内", late.Message);
    }

    [Fact]
    public void A_closed_issue_is_rated_once_from_1_to_5()
    {
        var closed = InStatus(IssueStatus.Closed);
        Assert.Equal("score", IssueWorkflow.Apply(closed, new IssueCommand { Action = IssueAction.Rate, Actor = "c", Score = 6 }, At).Field);
        var rated = Do(closed, IssueAction.Rate, "很满意", score: 5);
        Assert.Equal(5, rated.Rating!.Score);
        Assert.Equal(OutcomeKind.Conflict, IssueWorkflow.Apply(rated, new IssueCommand { Action = IssueAction.Rate, Actor = "c", Score = 4 }, At).Kind);
    }

    [Fact]
    public void Rejecting_and_resolving_need_a_note()
    {
        Assert.Equal("note", IssueWorkflow.Apply(Reported(), new IssueCommand { Action = IssueAction.Reject, Actor = "c" }, At).Field);
        Assert.Equal("note", IssueWorkflow.Apply(InStatus(IssueStatus.InProgress), new IssueCommand { Action = IssueAction.Resolve, Actor = "w", Note = "  " }, At).Field);
    }

    [Fact]
    public void A_whistled_organ_must_report_by_its_own_deadline()
    {
        var organ = TestData.OrganCode();
        var whistled = IssueWorkflow.Apply(InStatus(IssueStatus.Dispatched),
            new IssueCommand { Action = IssueAction.Whistle, Actor = "c", OrganCode = organ }, At with { WhistleResponseHours = 12 }).Value!;
        Assert.Equal(At.Now.AddHours(12), whistled.Whistle!.ReportByUtc);
        Assert.Equal(OutcomeKind.Conflict, IssueWorkflow.Apply(whistled, new IssueCommand { Action = IssueAction.Whistle, Actor = "c", OrganCode = organ }, At).Kind);

        Assert.False(IssueWorkflow.WhistleOverdueAt(whistled, At.Now.AddHours(11)));
        Assert.True(IssueWorkflow.WhistleOverdueAt(whistled, At.Now.AddHours(12)));
        var late = Do(whistled, IssueAction.Escalate, at: At.Now.AddHours(13));
        Assert.True(late.Whistle!.Overdue);
        Assert.Contains("吹哨未报到", late.History[^1].Note);

        var reported = Do(late, IssueAction.OrganReport, at: At.Now.AddHours(14));
        Assert.Equal(At.Now.AddHours(14), reported.Whistle!.ReportedUtc);
        Assert.Equal(OutcomeKind.Conflict, IssueWorkflow.Apply(reported, new IssueCommand { Action = IssueAction.OrganReport, Actor = "o" }, At).Kind);
    }

    [Fact]
    public void An_issue_escalates_once_at_its_deadline_and_again_a_handling_period_later()
    {
        var dispatched = Do(InStatus(IssueStatus.Accepted), IssueAction.Dispatch, at: T0); // deadline T0+24h
        Assert.Equal(OutcomeKind.Conflict, IssueWorkflow.Apply(dispatched, Escalate, At with { Now = T0.AddHours(23.9) }).Kind);
        var overdue = Do(dispatched, IssueAction.Escalate, at: T0.AddHours(24));
        Assert.Equal(1, overdue.EscalationLevel);
        Assert.Equal(OutcomeKind.Conflict, IssueWorkflow.Apply(overdue, Escalate, At with { Now = T0.AddHours(30) }).Kind);
        var escalated = Do(overdue, IssueAction.Escalate, at: T0.AddHours(48));
        Assert.Equal(2, escalated.EscalationLevel);
        Assert.Equal(IssueStatus.Dispatched, escalated.Status);
        Assert.Equal(OutcomeKind.Conflict, IssueWorkflow.Apply(escalated, Escalate, At with { Now = T0.AddHours(500) }).Kind);
    }

    private static readonly IssueCommand Escalate = new() { Action = IssueAction.Escalate, Actor = "system" };

    [Fact]
    public void A_resolved_issue_awaiting_verification_is_not_escalated()
    {
        var resolved = InStatus(IssueStatus.Resolved);
        Assert.Equal(0, IssueWorkflow.EscalationLevelAt(resolved, T0.AddDays(30)));
    }

    [Fact]
    public void A_stale_version_is_refused_after_the_status_check()
    {
        var dispatched = InStatus(IssueStatus.Dispatched);
        var stale = IssueWorkflow.Apply(dispatched, new IssueCommand { Action = IssueAction.Start, Actor = "w", ExpectedVersion = dispatched.Version - 1 }, At);
        Assert.Equal((OutcomeKind.VersionMismatch, dispatched.Version), (stale.Kind, stale.Value!.Version));
        var wrongStatus = IssueWorkflow.Apply(dispatched, new IssueCommand { Action = IssueAction.Resolve, Actor = "w", Note = "x", ExpectedVersion = 1 }, At);
        Assert.Equal(OutcomeKind.Conflict, wrongStatus.Kind);
        var current = IssueWorkflow.Apply(dispatched, new IssueCommand { Action = IssueAction.Start, Actor = "w", ExpectedVersion = dispatched.Version }, At);
        Assert.Equal(OutcomeKind.Done, current.Kind);
    }

    [Fact]
    public void Resolving_on_the_spot_reports_and_resolves_in_one_go_still_awaiting_verification()
    {
        var issue = IssueWorkflow.Report("330503101001001-2026-00002",
            new IssueReport { CellCode = "330503101001001", CategoryCode = "10.01", Title = "楼道杂物", ResolveOnSpotNote = "当场清理" },
            Category, "worker01", "王芳", T0);
        Assert.Equal(IssueStatus.Resolved, issue.Status);
        Assert.Equal([IssueAction.Report, IssueAction.ResolveOnSpot], issue.History.Select(h => h.Action));
        Assert.Equal("worker01", issue.Assignee!.Id);
        Assert.Equal(T0.AddHours(24), issue.DeadlineUtc);
        Assert.Equal(IssueStatus.Closed, Do(issue, IssueAction.Verify, passed: true).Status);
    }
}
