using Grid.Contracts;
using Grid.Grains.Issues;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Grid.Grains;

/// <summary>
/// The truth about one issue. Each change is written to grain state first, then appended to
/// the ledger and sent to the indexes (cell, community, inboxes) and to live clients. The
/// indexes ignore stale versions, and the ledger ignores replays, so a retry after a crash
/// between those steps repairs them (activation replays the ledger; <see cref="Reindex"/> the indexes).
/// </summary>
public sealed class IssueGrain(
    [PersistentState(GridStorage.Issue, GridStorage.Provider)] IPersistentState<IssueState> state,
    IIssueLedger ledger,
    ILiveEvents live,
    TimeProvider clock,
    IOptions<IssueOptions> options,
    ILogger<IssueGrain> logger)
    : Grain, IIssueGrain
{
    private string Id => this.GetPrimaryKeyString();

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        if (state.State.Record is { } issue)
            await ledger.Append([.. IssueEvent.Of(issue)], IssueSummary.Of(issue), issue.CommunityCode);
    }

    public Task<IssueRecord?> Get() => Task.FromResult(state.State.Record);

    public async Task<IssueResult> Report(IssueReport report, string reportedBy, string reporterDisplayName)
    {
        if (state.State.Record is { } existing) return new IssueResult { Outcome = IssueOutcome.Done, Issue = existing };
        var category = await GrainFactory.GetGrain<ICategoryCatalogGrain>(ICategoryCatalogGrain.Key).Find(report.CategoryCode);
        if (category is null) return new IssueResult { Outcome = IssueOutcome.Invalid, Message = $"No category {report.CategoryCode}.", Field = "categoryCode" };
        var issue = IssueWorkflow.Report(Id, report, category, reportedBy, reporterDisplayName, clock.GetUtcNow());
        await Save(issue, previous: null);
        return new IssueResult { Outcome = IssueOutcome.Done, Issue = issue };
    }

    public async Task<IssueResult> Execute(IssueCommand command)
    {
        if (state.State.Record is not { } issue) return new IssueResult { Outcome = IssueOutcome.NotFound, Message = $"No issue {Id}." };
        var whistleHours = 24;
        if (command is { Action: IssueAction.Whistle, OrganCode: { } organCode })
        {
            var organ = await GrainFactory.GetGrain<IOrganGrain>(organCode).Get();
            if (organ is null) return new IssueResult { Outcome = IssueOutcome.Invalid, Message = $"No organ {organCode}.", Field = "organCode" };
            whistleHours = organ.Definition.WhistleResponseHours;
        }
        var result = IssueWorkflow.Apply(issue, command, new WorkflowContext(clock.GetUtcNow(), options.Value.ReopenWindow, whistleHours));
        if (result is { Outcome: IssueOutcome.Done, Issue: { } next }) await Save(next, issue);
        return result;
    }

    public async Task CheckDeadlines()
    {
        if (state.State.Record is not { } issue) return;
        var result = IssueWorkflow.Apply(issue, new IssueCommand { Action = IssueAction.Escalate, Actor = "system" },
            new WorkflowContext(clock.GetUtcNow(), options.Value.ReopenWindow));
        if (result is { Outcome: IssueOutcome.Done, Issue: { } next }) await Save(next, issue);
    }

    public async Task<IssueResult> AddPhoto(IssuePhoto photo)
    {
        if (state.State.Record is not { } issue) return new IssueResult { Outcome = IssueOutcome.NotFound, Message = $"No issue {Id}." };
        if (issue.Photos.Any(p => p.Id == photo.Id)) return new IssueResult { Outcome = IssueOutcome.Done, Issue = issue };
        var next = issue with { Photos = issue.Photos.Add(photo), Version = issue.Version + 1 };
        state.State = state.State with { Record = next };
        await state.WriteStateAsync();
        // No step happened, but the version moved: the summaries must carry it, or an If-Match taken from a list goes stale.
        await ledger.Append([], IssueSummary.Of(next), next.CommunityCode);
        await UpdateIndexes(next, issue);
        return new IssueResult { Outcome = IssueOutcome.Done, Issue = next };
    }

    public async Task Reindex()
    {
        if (state.State.Record is { } issue) await UpdateIndexes(issue, previous: null);
    }

    private async Task Save(IssueRecord next, IssueRecord? previous)
    {
        var fromSeq = (previous?.History.Length ?? 0) + 1;
        var assignmentId = state.State.AssignmentId;
        var dispatchedToMember = next.History.Skip(fromSeq - 1).LastOrDefault(h => h.ToStatus == IssueStatus.Dispatched && h.Assignee?.Kind == AssigneeKind.Member);
        var handedAway = assignmentId is not null && next.Assignee?.Kind != AssigneeKind.Member;
        var previousAssignment = dispatchedToMember is not null || handedAway ? assignmentId : null;
        if (dispatchedToMember is not null) assignmentId = $"{Id}-T{dispatchedToMember.Seq}";
        else if (handedAway) assignmentId = null;

        state.State = new IssueState { Record = next, AssignmentId = assignmentId };
        await state.WriteStateAsync();
        await ledger.Append([.. IssueEvent.Of(next, fromSeq)], IssueSummary.Of(next), next.CommunityCode);
        await UpdateIndexes(next, previous);
        await SyncAssignment(next, previousAssignment);
        foreach (var entry in next.History.Skip(fromSeq - 1)) live.Publish(EventFor(next, entry));
    }

    /// <summary>
    /// 任务: an issue with a member is also that member's assignment. Dispatch creates it, a
    /// handover cancels it, resolving completes it, and closing earns the member its points.
    /// Every call here is idempotent, so repeating it after a crash does no harm.
    /// </summary>
    private async Task SyncAssignment(IssueRecord issue, string? previousAssignment)
    {
        if (previousAssignment is not null && previousAssignment != state.State.AssignmentId)
            await GrainFactory.GetGrain<IAssignmentGrain>(previousAssignment).Act(AssignmentAction.Cancel, "system", "诉求已改派", null);
        if (state.State.AssignmentId is not { } id || issue.Assignee is not { Kind: AssigneeKind.Member } member) return;

        var assignment = GrainFactory.GetGrain<IAssignmentGrain>(id);
        await assignment.Create(new AssignmentDefinition
        {
            MemberId = member.Id, CellCode = issue.Report.CellCode, Kind = AssignmentKind.HandleIssue, Title = issue.Report.Title,
            Description = issue.Report.Description, DueUtc = issue.DeadlineUtc ?? clock.GetUtcNow().AddHours(issue.HandlingHours), IssueId = issue.Id,
        }, issue.History.Last(h => h.Action == IssueAction.Dispatch || h.ToStatus == IssueStatus.Dispatched).Actor);
        if (issue.Status is IssueStatus.Resolved or IssueStatus.Closed)
        {
            await assignment.Act(AssignmentAction.Accept, "system", "", null);
            var note = issue.History.LastOrDefault(h => h.Action == IssueAction.Resolve)?.Note ?? "诉求已处置";
            await assignment.Act(AssignmentAction.Complete, "system", note, null);
        }
        if (issue.Status == IssueStatus.Closed)
        {
            var rules = await GrainFactory.GetGrain<ICommunityPointsGrain>(issue.CommunityCode).PointRules();
            await GrainFactory.GetGrain<IPartyMemberGrain>(member.Id).AwardPoints(new PointsEntry
            {
                SourceId = $"issue:{issue.Id}:closed", AtUtc = issue.ClosedUtc ?? clock.GetUtcNow(), Rule = "issue_closed",
                Points = rules.IssueClosed, Reason = $"诉求办结：{issue.Report.Title}", Actor = "system",
            });
        }
    }

    private async Task UpdateIndexes(IssueRecord issue, IssueRecord? previous)
    {
        var summary = IssueSummary.Of(issue);
        await GrainFactory.GetGrain<IGridCellGrain>(issue.Report.CellCode).UpdateIssue(summary);
        await GrainFactory.GetGrain<ICommunityIssuesGrain>(issue.CommunityCode).UpdateIssue(summary);
        if (issue.Assignee is { } assignee)
            await GrainFactory.GetGrain<IInboxGrain>(InboxKeys.For(assignee)).Update(summary, assignedHere: true);
        if (previous?.Assignee is { } before && before != issue.Assignee)
            await GrainFactory.GetGrain<IInboxGrain>(InboxKeys.For(before)).Update(summary, assignedHere: false);
        if (issue.Whistle is { } whistle)
            await GrainFactory.GetGrain<IInboxGrain>($"organ:{whistle.OrganCode}").Update(summary, assignedHere: whistle.ReportedUtc is null);
        logger.LogDebug("Issue {IssueId} at version {Version} indexed", issue.Id, issue.Version);
    }

    private static LiveEvent EventFor(IssueRecord issue, IssueHistoryEntry entry) => new()
    {
        Kind = entry.Action switch
        {
            IssueAction.Escalate => "escalation",
            IssueAction.Whistle or IssueAction.OrganReport => "whistle",
            _ => "issue",
        },
        CommunityCode = issue.CommunityCode,
        CellCode = issue.Report.CellCode,
        IssueId = issue.Id,
        Status = IssueWorkflow.Name(issue.Status),
        AtUtc = entry.AtUtc,
        // Title and category only: a resident's name or phone never goes on the ticker.
        Text = $"{issue.CategoryName}·{issue.Report.Title}：{ActionText(entry.Action)}{(entry.Action == IssueAction.Escalate ? "（" + entry.Note + "）" : "")}",
    };

    private static string ActionText(IssueAction action) => action switch
    {
        IssueAction.Report => "上报",
        IssueAction.Accept => "立案",
        IssueAction.Reject => "不予立案",
        IssueAction.Dispatch => "派遣",
        IssueAction.Start => "开始处置",
        IssueAction.Resolve => "处置完成",
        IssueAction.ResolveOnSpot => "就地解决",
        IssueAction.Verify => "核查",
        IssueAction.Reopen => "重新办理",
        IssueAction.Rate => "评价",
        IssueAction.Whistle => "吹哨",
        IssueAction.OrganReport => "报到",
        IssueAction.Escalate => "督办",
        _ => action.ToString(),
    };
}
