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
        state.State = new IssueState { Record = next };
        await state.WriteStateAsync();
        return new IssueResult { Outcome = IssueOutcome.Done, Issue = next };
    }

    public async Task Reindex()
    {
        if (state.State.Record is { } issue) await UpdateIndexes(issue, previous: null);
    }

    private async Task Save(IssueRecord next, IssueRecord? previous)
    {
        state.State = new IssueState { Record = next };
        await state.WriteStateAsync();
        var fromSeq = (previous?.History.Length ?? 0) + 1;
        await ledger.Append([.. IssueEvent.Of(next, fromSeq)], IssueSummary.Of(next), next.CommunityCode);
        await UpdateIndexes(next, previous);
        foreach (var entry in next.History.Skip(fromSeq - 1)) live.Publish(EventFor(next, entry));
    }

    private async Task UpdateIndexes(IssueRecord issue, IssueRecord? previous)
    {
        var summary = IssueSummary.Of(issue);
        await GrainFactory.GetGrain<IGridCellGrain>(issue.Report.CellCode).UpdateIssue(summary);
        await GrainFactory.GetGrain<ICommunityGrain>(issue.CommunityCode).UpdateIssue(summary);
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
