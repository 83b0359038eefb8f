using Grid.Contracts;

namespace Grid.Grains.Issues;

/// <summary>The figures of one scope (a community, a cell or an assignee) for one month.</summary>
public sealed record KpiFigures(
    string Scope,
    string Key,
    int Resolved,
    int ResolvedOnTime,
    int Closed,
    int ClosedOnTime,
    int Verifications,
    int Reworks,
    int WentOverdue,
    int Ratings,
    double? AverageSatisfaction)
{
    /// <summary>按期处置率: resolutions this month that came by the deadline in force.</summary>
    public double? OnTimeHandlingRate => Rate(ResolvedOnTime, Resolved);

    /// <summary>按期结案率: closures this month that came by the deadline in force.</summary>
    public double? OnTimeClosureRate => Rate(ClosedOnTime, Closed);

    /// <summary>返工率: failed verifications among all verifications this month.</summary>
    public double? ReworkRate => Rate(Reworks, Verifications);

    private static double? Rate(int part, int whole) => whole == 0 ? null : Math.Round((double)part / whole, 4);
}

public sealed record KpiReport(string Month, KpiFigures Community, IReadOnlyList<KpiFigures> Cells, IReadOnlyList<KpiFigures> Assignees);

/// <summary>
/// KPIs recomputed from the ledger of what happened, never from running counters: each event is
/// judged against the deadline and assignee in force at its moment, as the issue's own earlier
/// events set them. Events outside the month only provide that context.
/// </summary>
public static class KpiCalculator
{
    public static KpiReport Compute(string communityCode, int year, int month, IEnumerable<IssueEvent> events)
    {
        var (from, to) = ChinaTime.Month(year, month);
        var tallies = new Dictionary<(string Scope, string Key), Tally>();
        Tally For(string scope, string key) => tallies.TryGetValue((scope, key), out var t) ? t : tallies[(scope, key)] = new Tally();

        foreach (var issue in events.GroupBy(e => e.IssueId))
        {
            DateTimeOffset? deadline = null;
            string? assignee = null;
            foreach (var e in issue.OrderBy(e => e.Seq))
            {
                if (e.DeadlineUtc is { } d) deadline = d;
                if (e.AssigneeId is { } a) assignee = $"{Name(e.AssigneeKind)}:{a}";
                if (e.AtUtc < from || e.AtUtc >= to) continue;

                var scopes = new List<Tally> { For("community", communityCode), For("cell", e.CellCode) };
                if (assignee is not null) scopes.Add(For("assignee", assignee));
                var onTime = deadline is { } limit && e.AtUtc <= limit;
                foreach (var t in scopes)
                {
                    switch (e.Action)
                    {
                        case IssueAction.Resolve or IssueAction.ResolveOnSpot:
                            t.Resolved++;
                            if (onTime) t.ResolvedOnTime++;
                            break;
                        case IssueAction.Verify:
                            t.Verifications++;
                            if (e.Passed == true)
                            {
                                t.Closed++;
                                if (onTime) t.ClosedOnTime++;
                            }
                            else t.Reworks++;
                            break;
                        case IssueAction.Escalate:
                            t.OverdueIssues.Add(e.IssueId);
                            break;
                        case IssueAction.Rate when e.Score is { } score:
                            t.Scores.Add(score);
                            break;
                    }
                }
            }
        }

        KpiFigures Figures((string Scope, string Key) k, Tally t) => new(k.Scope, k.Key, t.Resolved, t.ResolvedOnTime, t.Closed, t.ClosedOnTime,
            t.Verifications, t.Reworks, t.OverdueIssues.Count, t.Scores.Count, t.Scores.Count == 0 ? null : Math.Round(t.Scores.Average(), 2));

        var all = tallies.Select(p => Figures(p.Key, p.Value)).ToList();
        return new KpiReport(
            $"{year:D4}-{month:D2}",
            all.FirstOrDefault(f => f.Scope == "community") ?? Figures(("community", communityCode), new Tally()),
            [.. all.Where(f => f.Scope == "cell").OrderBy(f => f.Key, StringComparer.Ordinal)],
            [.. all.Where(f => f.Scope == "assignee").OrderBy(f => f.Key, StringComparer.Ordinal)]);
    }

    private static string Name(AssigneeKind? kind) => kind switch
    {
        AssigneeKind.Member => "member",
        AssigneeKind.Organ => "organ",
        _ => "grid_worker",
    };

    private sealed class Tally
    {
        public int Resolved, ResolvedOnTime, Closed, ClosedOnTime, Verifications, Reworks;
        public HashSet<string> OverdueIssues { get; } = [];
        public List<int> Scores { get; } = [];
    }
}
