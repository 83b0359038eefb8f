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

    public async Task<Outcome<IssueRecord>> Report(IssueReport report, string reportedBy, string reporterDisplayName)
    {
        if (state.State.Record is { } existing) return Outcome.Done(existing);
        var category = await GrainFactory.GetGrain<ICategoryCatalogGrain>(ICategoryCatalogGrain.Key).Find(report.CategoryCode);
        if (category is null) return Outcome.Invalid<IssueRecord>("categoryCode", $"没有诉求类别「{report.CategoryCode}」。", "issue.category");
        var issue = IssueWorkflow.Report(Id, report, category, reportedBy, reporterDisplayName, clock.GetUtcNow());
        await Save(issue, previous: null);
        return Outcome.Created(issue);
    }

    public async Task<Outcome<IssueRecord>> Execute(IssueCommand command)
    {
        if (state.State.Record is not { } issue) return NotFound();
        var whistleHours = 24;
        if (command is { Action: IssueAction.Whistle, OrganCode: { } organCode })
        {
            var organ = await GrainFactory.GetGrain<IOrganGrain>(organCode).Get();
            if (organ is null) return Outcome.Invalid<IssueRecord>("organCode", $"没有单位「{organCode}」。", "organ.unknown");
            whistleHours = organ.Definition.WhistleResponseHours;
        }
        var result = IssueWorkflow.Apply(issue, command, new WorkflowContext(clock.GetUtcNow(), options.Value.ReopenWindow, whistleHours));
        if (result is { Succeeded: true, Value: { } next }) await Save(next, issue);
        return result;
    }

    public async Task CheckDeadlines()
    {
        if (state.State.Record is not { } issue) return;
        var result = IssueWorkflow.Apply(issue, new IssueCommand { Action = IssueAction.Escalate, Actor = "system" },
            new WorkflowContext(clock.GetUtcNow(), options.Value.ReopenWindow));
        if (result is { Succeeded: true, Value: { } next }) await Save(next, issue);
    }

    public async Task<Outcome<IssueRecord>> AddPhoto(IssuePhoto photo)
    {
        if (state.State.Record is not { } issue) return NotFound();
        if (issue.Photos.Any(p => p.Id == photo.Id)) return Outcome.Done(issue);
        var next = issue with { Photos = issue.Photos.Add(photo), Version = issue.Version + 1 };
        state.State = state.State with { Record = next };
        await state.WriteStateAsync();
        // No step happened, but the version moved: the summaries must carry it, or an If-Match taken from a list goes stale.
        await ledger.Append([], IssueSummary.Of(next), next.CommunityCode);
        await UpdateIndexes(next, issue);
        return Outcome.Done(next);
    }

    private Outcome<IssueRecord> NotFound() => Outcome.NotFound<IssueRecord>($"没有诉求「{Id}」。");

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
        if (dispatchedToMember is not null) assignmentId = AssignmentId.ForIssue(GridId.Parse<IssueId>(Id), dispatchedToMember.Seq).Value;
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

    // Title and category only: a resident's name or phone never goes on the ticker.
    private static TickerLine EventFor(IssueRecord issue, IssueHistoryEntry entry) => TickerLine.ForIssue(issue, entry,
        $"{issue.CategoryName}·{issue.Report.Title}：{ActionText(entry.Action)}{(entry.Action == IssueAction.Escalate ? "（" + entry.Note + "）" : "")}");

    private static string ActionText(IssueAction action) => IssueWorkflow.Label(action);
}
