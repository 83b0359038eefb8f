using Grid.Contracts;

namespace Grid.Grains.Issues;

/// <summary>
/// The counts of a community's open issues that its dashboard shows, kept as summaries come and go
/// instead of counted again over the whole index (closed tombstones included) at every step.
/// </summary>
public sealed class OpenIssueTally
{
    public int Open { get; private set; }
    public int Overdue { get; private set; }
    public int AwaitingAcceptance { get; private set; }

    public static OpenIssueTally Of(IEnumerable<IssueSummary> index)
    {
        var tally = new OpenIssueTally();
        foreach (var summary in index) tally.Add(summary, +1);
        return tally;
    }

    /// <summary>The index held <paramref name="held"/> (or nothing) and now holds <paramref name="next"/>.</summary>
    public void Replace(IssueSummary? held, IssueSummary next)
    {
        if (held is not null) Add(held, -1);
        Add(next, +1);
    }

    private void Add(IssueSummary summary, int sign)
    {
        if (!summary.IsOpen) return;
        Open += sign;
        if (summary.EscalationLevel > 0) Overdue += sign;
        if (summary.Status == IssueStatus.Reported) AwaitingAcceptance += sign;
    }
}
