using Grid.Contracts;

namespace Grid.Grains.Issues;

/// <summary>One step of one issue as the ledger keeps it: a history entry plus where and what it was about.</summary>
public sealed record IssueEvent(
    string IssueId,
    int Seq,
    string CommunityCode,
    string CellCode,
    string CategoryCode,
    IssueAction Action,
    IssueStatus? FromStatus,
    IssueStatus ToStatus,
    DateTimeOffset AtUtc,
    string Actor,
    DateTimeOffset? DeadlineUtc,
    AssigneeKind? AssigneeKind,
    string? AssigneeId,
    int? Score,
    bool? Passed)
{
    public static IEnumerable<IssueEvent> Of(IssueRecord issue, int fromSeq = 1) =>
        issue.History.Where(h => h.Seq >= fromSeq).Select(h => new IssueEvent(
            issue.Id, h.Seq, issue.CommunityCode, issue.Report.CellCode, issue.Report.CategoryCode, h.Action, h.FromStatus, h.ToStatus,
            h.AtUtc, h.Actor, h.DeadlineUtc, h.Assignee?.Kind, h.Assignee?.Id, h.Score,
            h.Action == IssueAction.Verify ? h.ToStatus == IssueStatus.Closed : null));
}

/// <summary>
/// The append-only record of every issue step, in the node's database. Grains append after each
/// change; appends are idempotent by (issue, seq), so replaying a history never duplicates.
/// KPIs are computed from it, and listings that span closed issues read its summary table.
/// </summary>
public interface IIssueLedger
{
    Task Append(IReadOnlyCollection<IssueEvent> events, IssueSummary summary, string communityCode);

    /// <summary>Every event of every issue of the community that had any event in [fromUtc, toUtc).</summary>
    Task<IReadOnlyList<IssueEvent>> EventsOfIssuesActiveBetween(string communityCode, DateTimeOffset fromUtc, DateTimeOffset toUtc);

    /// <summary>Latest summaries of a cell's issues, optionally in one status, newest first.</summary>
    Task<IReadOnlyList<IssueSummary>> CellIssues(string cellCode, IssueStatus? status, int limit);

    /// <summary>Latest summaries of a community's issues, optionally in one status, newest first.</summary>
    Task<IReadOnlyList<IssueSummary>> CommunityIssues(string communityCode, IssueStatus? status, int limit);

    /// <summary>
    /// Latest summaries of a cell's (or community's) issues whose last step is at or after
    /// <paramref name="sinceUtc"/>, in any status: what an index catches up from after a crash.
    /// </summary>
    Task<IReadOnlyList<IssueSummary>> CellIssuesUpdatedSince(string cellCode, DateTimeOffset sinceUtc);

    /// <inheritdoc cref="CellIssuesUpdatedSince"/>
    Task<IReadOnlyList<IssueSummary>> CommunityIssuesUpdatedSince(string communityCode, DateTimeOffset sinceUtc);

    /// <summary>
    /// Latest summaries of a community's issues reported in [fromUtc, toUtc), newest report first;
    /// when given, only those now in one of <paramref name="statuses"/> and of one of <paramref name="categoryCodes"/>.
    /// </summary>
    Task<IReadOnlyList<IssueSummary>> CommunityIssuesReportedBetween(string communityCode, DateTimeOffset fromUtc, DateTimeOffset toUtc,
        IReadOnlyCollection<IssueStatus>? statuses, IReadOnlyCollection<string>? categoryCodes, int limit);
}
