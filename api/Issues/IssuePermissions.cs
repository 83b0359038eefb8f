using Grid.Api.Auth;
using Grid.Contracts;

namespace Grid.Api.Issues;

/// <summary>
/// Who may take which step on an issue. The workflow decides whether a step applies now; this
/// decides whether this caller may ask. Null means allowed, otherwise the reason why not.
/// </summary>
public static class IssuePermissions
{
    public static string? CannotReport(Caller caller, string cellCode, bool onSpot)
    {
        if (onSpot)
            return caller.Role == Roles.GridWorker && caller.CellCodes.Contains(cellCode)
                ? null
                : "Only the grid worker of the cell may report and resolve on the spot (就地解决).";
        return caller.Role switch
        {
            Roles.Admin => null,
            Roles.GridWorker => caller.CellCodes.Contains(cellCode) ? null : $"You report issues only in your own cells, not {cellCode}.",
            _ => caller.CanSeeCell(cellCode) ? null : $"Cell {cellCode} is outside your community.",
        };
    }

    /// <param name="callerOrgan">For a member caller: the organ their member record names, if any.</param>
    public static string? CannotDo(Caller caller, IssueAction action, IssueRecord issue, string? callerOrgan)
    {
        var committee = caller.CanEditDirectoryOf(issue.CommunityCode);
        var cellWorker = caller.Role == Roles.GridWorker && caller.CellCodes.Contains(issue.Report.CellCode);
        var assignee = IsAssignee(caller, issue.Assignee, callerOrgan);
        return action switch
        {
            IssueAction.Accept or IssueAction.Reject or IssueAction.Verify or IssueAction.Reopen or IssueAction.Whistle =>
                committee ? null : "Only the community committee (指挥中心) may do this.",
            IssueAction.Dispatch => committee || cellWorker ? null : "Only the committee or the cell's grid worker may dispatch.",
            IssueAction.Start or IssueAction.Resolve =>
                assignee || committee ? null : "Only the assignee (or the committee on their behalf) may do this.",
            IssueAction.Rate => committee || caller.Username == issue.ReportedBy ? null : "Only the reporter or the committee (recording the resident's rating) may rate.",
            IssueAction.OrganReport =>
                committee || (issue.Whistle is { } w && callerOrgan == w.OrganCode) ? null : "Only the organ whistled in (or the committee) may report.",
            _ => $"'{action}' cannot be asked for.",
        };
    }

    /// <summary>A grid worker dispatches only within their cell: to themselves or a member placed there.</summary>
    public static string? CannotDispatchTo(Caller caller, IssueRecord issue, Assignee target, MemberRecord? targetMember)
    {
        if (caller.CanEditDirectoryOf(issue.CommunityCode)) return null;
        return target.Kind switch
        {
            AssigneeKind.GridWorker when target.Id == caller.Username => null,
            AssigneeKind.Member when targetMember?.Definition.CellCode == issue.Report.CellCode => null,
            _ => "A grid worker dispatches only to themselves or to a member placed in the cell.",
        };
    }

    private static bool IsAssignee(Caller caller, Assignee? assignee, string? callerOrgan) => assignee switch
    {
        { Kind: AssigneeKind.GridWorker } a => caller.Username == a.Id,
        { Kind: AssigneeKind.Member } a => caller.MemberId == a.Id,
        { Kind: AssigneeKind.Organ } a => callerOrgan == a.Id,
        _ => false,
    };
}
