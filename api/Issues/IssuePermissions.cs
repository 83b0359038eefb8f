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
                : "只有本网格的网格员可以上报并就地解决。";
        return caller.Role switch
        {
            Roles.Admin => null,
            Roles.GridWorker => caller.CellCodes.Contains(cellCode) ? null : $"你只能在自己的网格上报诉求，网格 {cellCode} 不是你的。",
            _ => caller.CanSeeCell(cellCode) ? null : $"网格 {cellCode} 不在你的社区。",
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
                committee ? null : "只有社区党委（指挥中心）可以这样做。",
            IssueAction.Dispatch => committee || cellWorker ? null : "只有社区党委或本网格的网格员可以派遣。",
            IssueAction.Start or IssueAction.Resolve =>
                assignee || committee ? null : "只有处置人（或代其操作的社区党委）可以这样做。",
            IssueAction.Rate => committee || caller.Username == issue.ReportedBy ? null : "只有上报人或（代居民记录评价的）社区党委可以评价。",
            IssueAction.OrganReport =>
                committee || (issue.Whistle is { } w && callerOrgan == w.OrganCode) ? null : "只有被吹哨的单位（或社区党委）可以报到。",
            _ => "不能请求这一操作。",
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
            _ => "网格员只能派给自己或本网格的党员。",
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
