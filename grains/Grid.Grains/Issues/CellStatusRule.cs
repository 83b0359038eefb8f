using Grid.Contracts;

namespace Grid.Grains.Issues;

/// <summary>The map colour of a cell from its open issues, worst first.</summary>
public static class CellStatusRule
{
    /// <summary>An issue due within this long draws attention before it is late.</summary>
    public static readonly TimeSpan DueSoon = TimeSpan.FromHours(24);

    public static CellStatus Of(IEnumerable<IssueSummary> openIssues, DateTimeOffset now)
    {
        var status = CellStatus.Normal;
        foreach (var issue in openIssues)
        {
            var s = Of(issue, now);
            if (s > status) status = s;
        }
        return status;
    }

    public static CellStatus Of(IssueSummary issue, DateTimeOffset now)
    {
        if (!issue.IsOpen) return CellStatus.Normal;
        if (issue.EscalationLevel >= 2 || issue.WhistleOverdue) return CellStatus.Escalated;
        var handling = issue.Status is IssueStatus.Dispatched or IssueStatus.InProgress;
        if (issue.EscalationLevel == 1 || (handling && issue.DeadlineUtc <= now)) return CellStatus.Overdue;
        if (issue.Status == IssueStatus.Reported || (handling && issue.DeadlineUtc - now <= DueSoon)) return CellStatus.Attention;
        return CellStatus.Normal;
    }

    public static string Name(CellStatus status) => status.ToString().ToLowerInvariant();
}
