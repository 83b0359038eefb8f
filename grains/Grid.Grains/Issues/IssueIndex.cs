using System.Collections.Immutable;
using Grid.Contracts;

namespace Grid.Grains.Issues;

/// <summary>
/// An index of issues by id that only moves forward: a summary older than the one held (by
/// version) is ignored, so updates that arrive late or twice cannot roll it back. Closed and
/// rejected issues stay a week as tombstones, so a late "still open" update cannot revive them;
/// a tombstone keeps only what that takes (id, version, status, when), since the index is written
/// whole at every write of its grain and nothing reads a closed issue from it (lists of closed
/// issues come from the ledger).
/// </summary>
public static class IssueIndex
{
    public static readonly TimeSpan TombstoneAge = TimeSpan.FromDays(7);

    /// <summary>How often an index looks for expired tombstones; an hour more of a week-long stay changes nothing.</summary>
    public static readonly TimeSpan SweepInterval = TimeSpan.FromHours(1);

    /// <summary>One summary in: a single lookup and insert. Tombstones are left to <see cref="Sweep"/>, which reads the whole index.</summary>
    public static ImmutableDictionary<string, IssueSummary> Apply(ImmutableDictionary<string, IssueSummary> index, IssueSummary summary, out bool changed)
    {
        changed = false;
        if (index.TryGetValue(summary.Id, out var held) && held.Version >= summary.Version) return index;
        changed = true;
        return index.SetItem(summary.Id, summary.IsOpen ? summary : Tombstone(summary));
    }

    public static IssueSummary Tombstone(IssueSummary closed) => new()
    {
        Id = closed.Id, CellCode = closed.CellCode, CommunityCode = closed.CommunityCode, Status = closed.Status, Version = closed.Version,
        UpdatedUtc = closed.UpdatedUtc, CreatedUtc = closed.CreatedUtc, Title = "", CategoryCode = "", CategoryName = "",
    };

    /// <summary>The index without the tombstones older than <see cref="TombstoneAge"/> at <paramref name="nowUtc"/>.</summary>
    public static ImmutableDictionary<string, IssueSummary> Sweep(ImmutableDictionary<string, IssueSummary> index, DateTimeOffset nowUtc)
    {
        var expired = index.Values.Where(s => !s.IsOpen && nowUtc - s.UpdatedUtc > TombstoneAge).Select(s => s.Id).ToList();
        return expired.Count == 0 ? index : index.RemoveRange(expired);
    }

    public static ImmutableArray<IssueSummary> Open(ImmutableDictionary<string, IssueSummary> index) =>
        [.. index.Values.Where(s => s.IsOpen).OrderBy(s => s.DeadlineUtc ?? DateTimeOffset.MaxValue).ThenBy(s => s.Id, StringComparer.Ordinal)];
}

/// <summary>When an index grain next sweeps its tombstones: once per <see cref="IssueIndex.SweepInterval"/> of an activation.</summary>
public sealed class TombstoneSweep
{
    private DateTimeOffset dueUtc = DateTimeOffset.MinValue;

    /// <summary>The index swept if a sweep is due at <paramref name="nowUtc"/>, else as it is.</summary>
    public ImmutableDictionary<string, IssueSummary> IfDue(ImmutableDictionary<string, IssueSummary> index, DateTimeOffset nowUtc)
    {
        if (nowUtc < dueUtc) return index;
        dueUtc = nowUtc + IssueIndex.SweepInterval;
        return IssueIndex.Sweep(index, nowUtc);
    }
}
