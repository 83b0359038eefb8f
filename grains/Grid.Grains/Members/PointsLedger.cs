using System.Collections.Immutable;
using Grid.Contracts;

namespace Grid.Grains.Members;

/// <summary>
/// A member's points as a ledger (积分台账): lines are only added, each earned once. The same
/// source (an assignment completed, an activity attended) never earns twice, however often the
/// event that reports it is repeated.
/// </summary>
public static class PointsLedger
{
    public static ImmutableArray<PointsEntry> Award(ImmutableArray<PointsEntry> ledger, PointsEntry entry, out bool added)
    {
        added = !ledger.Any(e => e.SourceId == entry.SourceId);
        return added ? ledger.Add(entry) : ledger;
    }

    /// <summary>Points earned in a China Standard Time calendar year.</summary>
    public static int InYear(IEnumerable<PointsEntry> ledger, int year)
    {
        var from = new DateTimeOffset(year, 1, 1, 0, 0, 0, ChinaTime.Offset);
        var to = from.AddYears(1);
        return ledger.Where(e => e.AtUtc >= from && e.AtUtc < to).Sum(e => e.Points);
    }

    /// <summary>星级: one star for every threshold reached, at least one, at most five.</summary>
    public static int Stars(int points, ImmutableArray<int> thresholds)
    {
        var reached = thresholds.Count(t => points >= t);
        return Math.Clamp(reached, 1, 5);
    }

    public static string? ThresholdsError(ImmutableArray<int> thresholds)
    {
        if (thresholds.Length != 5) return "须正好五个门槛，对应一至五星。";
        for (var i = 1; i < thresholds.Length; i++)
        {
            if (thresholds[i] <= thresholds[i - 1]) return "门槛须逐级递增。";
        }
        return null;
    }
}

/// <summary>How often a household must be visited (走访), from its tags; null when it needs no regular visits.</summary>
public static class VisitRule
{
    public static readonly ImmutableDictionary<string, int> IntervalDaysByTag = new Dictionary<string, int>
    {
        [HouseholdTags.ElderlyAlone] = 7,
        [HouseholdTags.Disabled] = 14,
        [HouseholdTags.Hardship] = 30,
        [HouseholdTags.MilitaryFamily] = 90,
    }.ToImmutableDictionary();

    public static int? IntervalDays(IEnumerable<string> tags)
    {
        var intervals = tags.Where(IntervalDaysByTag.ContainsKey).Select(t => IntervalDaysByTag[t]).ToList();
        return intervals.Count == 0 ? null : intervals.Min();
    }

    /// <summary>When the next visit is due: the interval after the last visit, or after registration if never visited.</summary>
    public static DateTimeOffset DueUtc(int intervalDays, DateTimeOffset since) => since.AddDays(intervalDays);
}
