using System.Collections.Immutable;
using Grid.Contracts;

namespace Grid.Grains;

// Persistent states. Ids are permanent: add fields with new ids, never reuse or renumber,
// and keep the aliases, because the stored bytes name them.

[GenerateSerializer, Alias("grid.state.Directory")]
public sealed record DirectoryState
{
    [Id(0)] public ImmutableSortedSet<string> Communities { get; init; } = [];
    [Id(1)] public ImmutableSortedSet<string> Organs { get; init; } = [];
    [Id(2)] public int DemoSeedVersion { get; init; }
}

[GenerateSerializer, Alias("grid.state.Community")]
public sealed record CommunityState
{
    [Id(0)] public CommunityDefinition? Definition { get; init; }
    [Id(1)] public ImmutableSortedSet<string> Cells { get; init; } = [];
    /// <summary>Phone number → member id: the natural key of members in this community.</summary>
    [Id(2)] public ImmutableDictionary<string, string> MembersByPhone { get; init; } = ImmutableDictionary<string, string>.Empty;
    [Id(3)] public int LastMemberNumber { get; init; }
    [Id(4)] public DateTimeOffset CreatedUtc { get; init; }
    [Id(5)] public ImmutableDictionary<string, IssueSummary> Issues { get; init; } = ImmutableDictionary<string, IssueSummary>.Empty;
    /// <summary>The China Standard Time day of the two sets below.</summary>
    [Id(6)] public DateOnly Day { get; init; }
    [Id(7)] public ImmutableHashSet<string> ReportedOnDay { get; init; } = [];
    [Id(8)] public ImmutableHashSet<string> ClosedOnDay { get; init; } = [];
    [Id(9)] public PointRules Rules { get; init; } = new();
    [Id(10)] public int LeaderboardYear { get; init; }
    [Id(11)] public ImmutableDictionary<string, LeaderboardLine> Leaderboard { get; init; } = ImmutableDictionary<string, LeaderboardLine>.Empty;
    /// <summary>Recurring activities (红色星期六, 三会一课) by schedule id.</summary>
    [Id(12)] public ImmutableDictionary<string, ActivitySchedule> Schedules { get; init; } = ImmutableDictionary<string, ActivitySchedule>.Empty;
    /// <summary>Schedule id → every trigger at or before this instant has been handled (catch-up mark).</summary>
    [Id(13)] public ImmutableDictionary<string, DateTimeOffset> ScheduleHandledUntil { get; init; } = ImmutableDictionary<string, DateTimeOffset>.Empty;
    /// <summary>Index of occurrences, kept by the activity grains.</summary>
    [Id(14)] public ImmutableDictionary<string, ActivitySummary> Activities { get; init; } = ImmutableDictionary<string, ActivitySummary>.Empty;
    // 15–19 stay free for the activities (issue 5).
    /// <summary>"yyyy-MM" (China Standard Time) of <see cref="ClosedInMonth"/>.</summary>
    [Id(20)] public string ClosureMonth { get; init; } = "";
    /// <summary>Issue id → closed by its deadline, for the issues closed in <see cref="ClosureMonth"/>.</summary>
    [Id(21)] public ImmutableDictionary<string, bool> ClosedInMonth { get; init; } = ImmutableDictionary<string, bool>.Empty;
    /// <summary>Assignment id → who is checked in on it and since when.</summary>
    [Id(22)] public ImmutableDictionary<string, OnDuty> OnDuty { get; init; } = ImmutableDictionary<string, OnDuty>.Empty;
    [Id(23)] public RedSaturdayAttendance? RedSaturday { get; init; }
    /// <summary>When this state was last written: the issue index catches up from the ledger from shortly before it (IndexWriteBehind).</summary>
    [Id(24)] public DateTimeOffset? WrittenUtc { get; init; }
    /// <summary>
    /// The parts (ids 5–24) its sibling grains have taken into states of their own; those fields are
    /// empty from then on. A community defined since the split starts with all of them.
    /// </summary>
    [Id(25)] public CommunityParts HandedOver { get; init; }
}

/// <summary>What a community stored in one state before its concerns became sibling grains.</summary>
[Flags, GenerateSerializer, Alias("grid.state.CommunityParts")]
public enum CommunityParts
{
    None = 0,
    Issues = 1,
    Attendance = 2,
    Points = 4,
    Schedules = 8,
    Activities = 16,
    All = Issues | Attendance | Points | Schedules | Activities,
}

/// <summary>A community's issue index with its day's and month's counters (<see cref="GridStorage.CommunityIssues"/>).</summary>
[GenerateSerializer, Alias("grid.state.CommunityIssues")]
public sealed record CommunityIssuesState
{
    [Id(0)] public ImmutableDictionary<string, IssueSummary> Issues { get; init; } = ImmutableDictionary<string, IssueSummary>.Empty;
    /// <summary>The China Standard Time day of the two sets below.</summary>
    [Id(1)] public DateOnly Day { get; init; }
    [Id(2)] public ImmutableHashSet<string> ReportedOnDay { get; init; } = [];
    [Id(3)] public ImmutableHashSet<string> ClosedOnDay { get; init; } = [];
    /// <summary>"yyyy-MM" (China Standard Time) of <see cref="ClosedInMonth"/>.</summary>
    [Id(4)] public string ClosureMonth { get; init; } = "";
    /// <summary>Issue id → closed by its deadline, for the issues closed in <see cref="ClosureMonth"/>.</summary>
    [Id(5)] public ImmutableDictionary<string, bool> ClosedInMonth { get; init; } = ImmutableDictionary<string, bool>.Empty;
    /// <summary>When this state was last written: the issue index catches up from the ledger from shortly before it (IndexWriteBehind).</summary>
    [Id(6)] public DateTimeOffset? WrittenUtc { get; init; }
}

/// <summary>Who is on duty in a community and its latest Red Saturday: the dashboard's people counters (<see cref="GridStorage.CommunityAttendance"/>).</summary>
[GenerateSerializer, Alias("grid.state.CommunityAttendance")]
public sealed record CommunityAttendanceState
{
    /// <summary>Assignment id → who is checked in on it and since when.</summary>
    [Id(0)] public ImmutableDictionary<string, OnDuty> OnDuty { get; init; } = ImmutableDictionary<string, OnDuty>.Empty;
    [Id(1)] public RedSaturdayAttendance? RedSaturday { get; init; }
}

/// <summary>A community's point rules and this year's leaderboard (<see cref="GridStorage.CommunityPoints"/>).</summary>
[GenerateSerializer, Alias("grid.state.CommunityPoints")]
public sealed record CommunityPointsState
{
    [Id(0)] public PointRules Rules { get; init; } = new();
    [Id(1)] public int LeaderboardYear { get; init; }
    [Id(2)] public ImmutableDictionary<string, LeaderboardLine> Leaderboard { get; init; } = ImmutableDictionary<string, LeaderboardLine>.Empty;
}

/// <summary>A community's recurring activities by schedule id, with their catch-up marks (<see cref="GridStorage.CommunitySchedules"/>).</summary>
[GenerateSerializer, Alias("grid.state.CommunitySchedules")]
public sealed record CommunitySchedulesState
{
    [Id(0)] public ImmutableDictionary<string, ActivitySchedule> Schedules { get; init; } = ImmutableDictionary<string, ActivitySchedule>.Empty;
    /// <summary>Schedule id → every trigger at or before this instant has been handled (catch-up mark).</summary>
    [Id(1)] public ImmutableDictionary<string, DateTimeOffset> HandledUntil { get; init; } = ImmutableDictionary<string, DateTimeOffset>.Empty;
}

/// <summary>Index of a community's activity occurrences, kept by the activity grains (<see cref="GridStorage.CommunityActivities"/>).</summary>
[GenerateSerializer, Alias("grid.state.CommunityActivities")]
public sealed record CommunityActivitiesState
{
    [Id(0)] public ImmutableDictionary<string, ActivitySummary> Activities { get; init; } = ImmutableDictionary<string, ActivitySummary>.Empty;
}

[GenerateSerializer, Immutable, Alias("grid.state.OnDuty")]
public sealed record OnDuty
{
    [Id(0)] public required string MemberId { get; init; }
    [Id(1)] public required DateTimeOffset SinceUtc { get; init; }
}

[GenerateSerializer, Alias("grid.state.Cell")]
public sealed record CellState
{
    [Id(0)] public CellDefinition? Definition { get; init; }
    /// <summary>Address → household id: the natural key of households in this cell.</summary>
    [Id(1)] public ImmutableDictionary<string, string> HouseholdsByAddress { get; init; } = ImmutableDictionary<string, string>.Empty;
    [Id(2)] public int LastHouseholdNumber { get; init; }
    [Id(3)] public ImmutableSortedSet<string> Members { get; init; } = [];
    [Id(4)] public DateTimeOffset CreatedUtc { get; init; }
    [Id(5)] public int IssueYear { get; init; }
    [Id(6)] public int LastIssueNumber { get; init; }
    [Id(7)] public ImmutableDictionary<string, IssueSummary> Issues { get; init; } = ImmutableDictionary<string, IssueSummary>.Empty;
    [Id(8)] public CellStatus LastPublishedStatus { get; init; }
    [Id(9)] public ImmutableDictionary<string, VisitWatch> VisitWatch { get; init; } = ImmutableDictionary<string, VisitWatch>.Empty;
    [Id(10)] public int AssignmentYear { get; init; }
    [Id(11)] public int LastAssignmentNumber { get; init; }
    /// <summary>When this state was last written: the issue index catches up from the ledger from shortly before it (IndexWriteBehind).</summary>
    [Id(12)] public DateTimeOffset? WrittenUtc { get; init; }
}

[GenerateSerializer, Alias("grid.state.Household")]
public sealed record HouseholdState
{
    [Id(0)] public HouseholdRecord? Record { get; init; }
    [Id(1)] public ImmutableArray<VisitRecord> Visits { get; init; } = [];
}

[GenerateSerializer, Alias("grid.state.Member")]
public sealed record MemberState
{
    [Id(0)] public MemberRecord? Record { get; init; }
    [Id(1)] public ImmutableArray<Placement> Placements { get; init; } = [];
    [Id(2)] public ImmutableArray<PointsEntry> Points { get; init; } = [];
    [Id(3)] public ImmutableSortedSet<string> OpenAssignments { get; init; } = [];
    /// <summary>Assignment id → minutes on site; replaced, never added to, so repeats cannot inflate it.</summary>
    [Id(4)] public ImmutableDictionary<string, int> ServiceMinutes { get; init; } = ImmutableDictionary<string, int>.Empty;
    [Id(5)] public ImmutableSortedSet<string> LinkedHouseholds { get; init; } = [];
    [Id(6)] public DateTimeOffset? RegisteredUtc { get; init; }
}

[GenerateSerializer, Alias("grid.state.Organ")]
public sealed record OrganState
{
    [Id(0)] public OrganDefinition? Definition { get; init; }
    [Id(1)] public ImmutableSortedSet<string> Members { get; init; } = [];
    [Id(2)] public DateTimeOffset CreatedUtc { get; init; }
    /// <summary>Phone → roster entry.</summary>
    [Id(3)] public ImmutableDictionary<string, RosterEntry> Roster { get; init; } = ImmutableDictionary<string, RosterEntry>.Empty;
    [Id(4)] public ImmutableSortedSet<string> Communities { get; init; } = [];
    [Id(5)] public ImmutableSortedSet<string> Placed { get; init; } = [];
    /// <summary>Member id → total minutes of service.</summary>
    [Id(6)] public ImmutableDictionary<string, int> ServiceMinutes { get; init; } = ImmutableDictionary<string, int>.Empty;
}

[GenerateSerializer, Alias("grid.state.User")]
public sealed record UserState
{
    [Id(0)] public UserAccount? Account { get; init; }
}

[GenerateSerializer, Alias("grid.state.Issue")]
public sealed record IssueState
{
    [Id(0)] public IssueRecord? Record { get; init; }
    /// <summary>The assignment (任务) of the member the issue is dispatched to, if it is with a member.</summary>
    [Id(1)] public string? AssignmentId { get; init; }
}

[GenerateSerializer, Alias("grid.state.Inbox")]
public sealed record InboxState
{
    [Id(0)] public ImmutableDictionary<string, IssueSummary> Issues { get; init; } = ImmutableDictionary<string, IssueSummary>.Empty;
}

[GenerateSerializer, Alias("grid.state.CategoryCatalog")]
public sealed record CategoryCatalogState
{
    [Id(0)] public ImmutableArray<IssueCategory> Categories { get; init; } = [];
    [Id(1)] public bool Seeded { get; init; }
}

[GenerateSerializer, Alias("grid.state.Assignment")]
public sealed record AssignmentState
{
    [Id(0)] public AssignmentRecord? Record { get; init; }
}

[GenerateSerializer, Alias("grid.state.Activity")]
public sealed record ActivityState
{
    [Id(0)] public ActivityView? View { get; init; }
    /// <summary>The secret the venue codes of this occurrence are derived from.</summary>
    [Id(1)] public byte[] CodeSecret { get; init; } = [];
    /// <summary>Lead minutes → members already reminded for it.</summary>
    [Id(2)] public ImmutableDictionary<int, ImmutableHashSet<string>> Reminded { get; init; } = ImmutableDictionary<int, ImmutableHashSet<string>>.Empty;
    /// <summary>Members whose attendance has gone to their points ledger.</summary>
    [Id(3)] public ImmutableHashSet<string> PointsAwarded { get; init; } = [];
    /// <summary>Member → wrong venue codes tried.</summary>
    [Id(4)] public ImmutableDictionary<string, int> WrongCodes { get; init; } = ImmutableDictionary<string, int>.Empty;
}

[GenerateSerializer, Alias("grid.state.ReminderInbox")]
public sealed record ReminderInboxState
{
    /// <summary>Reminder key → the reminder; a key present here is never delivered again.</summary>
    [Id(0)] public ImmutableDictionary<string, ReminderNotice> Notices { get; init; } = ImmutableDictionary<string, ReminderNotice>.Empty;
}
