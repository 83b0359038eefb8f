using System.Collections.Immutable;
using Grid.Contracts;
using Orleans.Concurrency;

namespace Grid.Grains;

/// <summary>
/// How a community stored by a release before the split comes up whole: each sibling grain, on its first
/// activation (no state of its own), takes its parts from the community's one state, writes them as its
/// own, and only then has the community forget them. A crash in between leaves the parts where they were,
/// to be taken again.
/// </summary>
[Alias("grid.ICommunityHandoverGrain")]
public interface ICommunityHandoverGrain : IGrainWithStringKey
{
    /// <summary>Those of <paramref name="parts"/> the community still holds; null when no community is stored under this code.</summary>
    [Alias("Legacy"), ReadOnly] Task<LegacyParts?> Legacy(CommunityParts parts);
    /// <summary>Empties the parts, now kept by a sibling; idempotent.</summary>
    [Alias("Forget")] Task Forget(CommunityParts parts);
}

/// <summary>The parts of a community's state from before the split, in the shape of the siblings' states; null where not held.</summary>
[GenerateSerializer, Immutable, Alias("grid.LegacyParts")]
public sealed record LegacyParts
{
    [Id(0)] public CommunityIssuesState? Issues { get; init; }
    [Id(1)] public CommunityAttendanceState? Attendance { get; init; }
    [Id(2)] public CommunityPointsState? Points { get; init; }
    [Id(3)] public CommunitySchedulesState? Schedules { get; init; }
    [Id(4)] public CommunityActivitiesState? Activities { get; init; }
    /// <summary>The parts given here, for the sibling to have the community forget once it has written them.</summary>
    [Id(5)] public CommunityParts Held { get; init; }

    public static LegacyParts Of(CommunityState s, CommunityParts held) => new()
    {
        Held = held,
        Issues = held.HasFlag(CommunityParts.Issues)
            ? new() { Issues = s.Issues, Day = s.Day, ReportedOnDay = s.ReportedOnDay, ClosedOnDay = s.ClosedOnDay, ClosureMonth = s.ClosureMonth, ClosedInMonth = s.ClosedInMonth, WrittenUtc = s.WrittenUtc }
            : null,
        Attendance = held.HasFlag(CommunityParts.Attendance) ? new() { OnDuty = s.OnDuty, RedSaturday = s.RedSaturday } : null,
        Points = held.HasFlag(CommunityParts.Points) ? new() { Rules = s.Rules, LeaderboardYear = s.LeaderboardYear, Leaderboard = s.Leaderboard } : null,
        Schedules = held.HasFlag(CommunityParts.Schedules) ? new() { Schedules = s.Schedules, HandledUntil = s.ScheduleHandledUntil } : null,
        Activities = held.HasFlag(CommunityParts.Activities) ? new() { Activities = s.Activities } : null,
    };

    /// <summary>The community's state with <paramref name="parts"/> emptied and marked as handed over.</summary>
    public static CommunityState Without(CommunityState s, CommunityParts parts)
    {
        if (parts.HasFlag(CommunityParts.Issues))
            s = s with
            {
                Issues = ImmutableDictionary<string, IssueSummary>.Empty,
                Day = default,
                ReportedOnDay = [],
                ClosedOnDay = [],
                ClosureMonth = "",
                ClosedInMonth = ImmutableDictionary<string, bool>.Empty,
                WrittenUtc = null,
            };
        if (parts.HasFlag(CommunityParts.Attendance)) s = s with { OnDuty = ImmutableDictionary<string, OnDuty>.Empty, RedSaturday = null };
        if (parts.HasFlag(CommunityParts.Points)) s = s with { Rules = new(), LeaderboardYear = 0, Leaderboard = ImmutableDictionary<string, LeaderboardLine>.Empty };
        if (parts.HasFlag(CommunityParts.Schedules))
            s = s with { Schedules = ImmutableDictionary<string, ActivitySchedule>.Empty, ScheduleHandledUntil = ImmutableDictionary<string, DateTimeOffset>.Empty };
        if (parts.HasFlag(CommunityParts.Activities)) s = s with { Activities = ImmutableDictionary<string, ActivitySummary>.Empty };
        return s with { HandedOver = s.HandedOver | parts };
    }

    /// <summary>
    /// A sibling's first activation: <paramref name="keep"/> writes what it is given as the sibling's own
    /// state(s), then the community forgets it. Nothing happens when no community is stored under the code.
    /// </summary>
    public static async Task Take(IGrainFactory grains, string communityCode, CommunityParts missing, Func<LegacyParts, Task> keep)
    {
        if (missing == CommunityParts.None) return;
        var community = grains.GetGrain<ICommunityHandoverGrain>(communityCode);
        if (await community.Legacy(missing) is not { } legacy) return;
        await keep(legacy);
        if (legacy.Held != CommunityParts.None) await community.Forget(legacy.Held);
    }

    /// <summary><paramref name="part"/> when the sibling's state of it was never written, else none.</summary>
    public static CommunityParts Missing<T>(IPersistentState<T> own, CommunityParts part) => own.RecordExists ? CommunityParts.None : part;
}
