using System.Collections.Immutable;
using Grid.Contracts;

namespace Grid.Grains.Issues;

/// <summary>
/// An index of issues by id that only moves forward: a summary older than the one held (by
/// version) is ignored, so updates that arrive late or twice cannot roll it back. Closed and
/// rejected issues stay a week as tombstones, so a late "still open" update cannot revive them.
/// </summary>
public static class IssueIndex
{
    public static readonly TimeSpan TombstoneAge = TimeSpan.FromDays(7);

    public static ImmutableDictionary<string, IssueSummary> Apply(ImmutableDictionary<string, IssueSummary> index, IssueSummary summary, out bool changed)
    {
        changed = false;
        if (index.TryGetValue(summary.Id, out var held) && held.Version >= summary.Version) return index;
        changed = true;
        var next = index.SetItem(summary.Id, summary);
        var expired = next.Values.Where(s => !s.IsOpen && summary.UpdatedUtc - s.UpdatedUtc > TombstoneAge).Select(s => s.Id).ToList();
        return expired.Count == 0 ? next : next.RemoveRange(expired);
    }

    public static ImmutableArray<IssueSummary> Open(ImmutableDictionary<string, IssueSummary> index) =>
        [.. index.Values.Where(s => s.IsOpen).OrderBy(s => s.DeadlineUtc ?? DateTimeOffset.MaxValue).ThenBy(s => s.Id, StringComparer.Ordinal)];
}
