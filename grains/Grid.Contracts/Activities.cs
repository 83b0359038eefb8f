using System.Collections.Immutable;

namespace Grid.Contracts;

// Red Saturday (红色星期六) and other recurring activities. Every [Id] is permanent.

[GenerateSerializer, Alias("grid.ActivityKind")]
public enum ActivityKind
{
    RedSaturday = 0,   // 红色星期六主题党日
    BranchMeeting = 1, // 支部党员大会 / 支委会 (三会)
    PartyLesson = 2,   // 党课 (一课)
    Other = 3,
}

/// <summary>Which Saturday of the month a Red Saturday falls on.</summary>
[GenerateSerializer, Alias("grid.SaturdayOfMonth")]
public enum SaturdayOfMonth
{
    First = 1,
    Second = 2,
    Third = 3,
    Fourth = 4,
    Last = 5,
}

/// <summary>
/// A recurring activity of one community, kept in its community grain. Dates follow either a
/// Saturday of the month or a general cron rule; every time is China Standard Time.
/// </summary>
[GenerateSerializer, Immutable, Alias("grid.ActivitySchedule")]
public sealed record ActivitySchedule
{
    /// <summary>A slug unique in the community: red-saturday, branch-meeting …</summary>
    [Id(0)] public required string Id { get; init; }
    [Id(1)] public ActivityKind Kind { get; init; }
    [Id(2)] public required string Title { get; init; }
    /// <summary>Set for a monthly Saturday rule; null when <see cref="Cron"/> gives the dates.</summary>
    [Id(3)] public SaturdayOfMonth? Saturday { get; init; }
    /// <summary>A five-field cron rule (minute hour day-of-month month day-of-week) in China Standard Time; minute and hour are single numbers.</summary>
    [Id(4)] public string? Cron { get; init; }
    /// <summary>Start, China Standard Time.</summary>
    [Id(5)] public TimeOnly StartTime { get; init; }
    [Id(6)] public int DurationMinutes { get; init; } = 180;
    [Id(7)] public string Place { get; init; } = "";
    [Id(8)] public string DefaultTheme { get; init; } = "";
    /// <summary>Theme per month, keyed "yyyy-MM" (China Standard Time).</summary>
    [Id(9)] public ImmutableDictionary<string, string> Themes { get; init; } = ImmutableDictionary<string, string>.Empty;
    /// <summary>Branches (支部) whose members are expected; empty means every member of the community.</summary>
    [Id(10)] public ImmutableArray<string> Branches { get; init; } = [];
    /// <summary>Also expect every member placed in one of the community's cells (下沉党员 included).</summary>
    [Id(11)] public bool IncludePlacedMembers { get; init; }
    /// <summary>How long before the start each reminder goes out, in minutes (default 3 days and 2 hours).</summary>
    [Id(12)] public ImmutableArray<int> ReminderLeadMinutes { get; init; } = [3 * 24 * 60, 120];
    /// <summary>Sign-in opens this long before the start and closes at the end.</summary>
    [Id(13)] public int SignInOpensMinutesBefore { get; init; } = 30;
    /// <summary>Posts to staff at every occurrence (签到引导, 秩序维护 …).</summary>
    [Id(14)] public ImmutableArray<string> Posts { get; init; } = [];
    [Id(15)] public string UpdatedBy { get; init; } = "";
    [Id(16)] public DateTimeOffset UpdatedUtc { get; init; }
    [Id(17)] public int Version { get; init; }
}

/// <summary>A schedule with how far its triggers (reminders, closes) have been handled.</summary>
[GenerateSerializer, Immutable, Alias("grid.ScheduleEntry")]
public sealed record ScheduleEntry
{
    [Id(0)] public required ActivitySchedule Schedule { get; init; }
    /// <summary>Every trigger at or before this instant has been handled (the catch-up mark).</summary>
    [Id(1)] public required DateTimeOffset HandledUntilUtc { get; init; }
}

[GenerateSerializer, Alias("grid.ActivityStatus")]
public enum ActivityStatus
{
    Planned = 0,
    Closed = 1,    // attendance final, points awarded
    Cancelled = 2, // the schedule changed or was removed before it took place
}

/// <summary>What is fixed about one occurrence when it is planned (ahead of time).</summary>
[GenerateSerializer, Immutable, Alias("grid.ActivityPlan")]
public sealed record ActivityPlan
{
    /// <summary>Community code, the CST date and the schedule: 330503101001-2026-12-05-red-saturday.</summary>
    [Id(0)] public required string Id { get; init; }
    [Id(1)] public required string CommunityCode { get; init; }
    [Id(2)] public required string ScheduleId { get; init; }
    [Id(3)] public ActivityKind Kind { get; init; }
    [Id(4)] public required string Title { get; init; }
    [Id(5)] public string Theme { get; init; } = "";
    [Id(6)] public string Place { get; init; } = "";
    [Id(7)] public required DateTimeOffset StartUtc { get; init; }
    [Id(8)] public required DateTimeOffset EndUtc { get; init; }
    [Id(9)] public required DateTimeOffset SignInOpensUtc { get; init; }
    [Id(10)] public ImmutableArray<string> ExpectedMemberIds { get; init; } = [];
    [Id(11)] public ImmutableArray<string> Posts { get; init; } = [];
    [Id(12)] public ImmutableArray<int> ReminderLeadMinutes { get; init; } = [];
}

[GenerateSerializer, Immutable, Alias("grid.LeaveRequest")]
public sealed record LeaveRequest
{
    [Id(0)] public required string Reason { get; init; }
    [Id(1)] public required DateTimeOffset AtUtc { get; init; }
}

[GenerateSerializer, Immutable, Alias("grid.SignInRecord")]
public sealed record SignInRecord
{
    [Id(0)] public required DateTimeOffset AtUtc { get; init; }
    /// <summary>远程签到 by a mobile member (流动党员), without the venue code.</summary>
    [Id(1)] public bool Remote { get; init; }
}

/// <summary>A member's final attendance at a closed occurrence.</summary>
[GenerateSerializer, Alias("grid.Attendance")]
public enum Attendance
{
    Attended = 0,
    AttendedRemotely = 1,
    OnLeave = 2,  // 请假
    Absent = 3,   // 缺席 without leave
}

/// <summary>How far one reminder (one lead time) of an occurrence has gone out.</summary>
[GenerateSerializer, Immutable, Alias("grid.ReminderProgress")]
public sealed record ReminderProgress
{
    [Id(0)] public required int LeadMinutes { get; init; }
    [Id(1)] public int Expected { get; init; }
    [Id(2)] public int Delivered { get; init; }
    [Id(3)] public int Failed { get; init; }
    [Id(4)] public DateTimeOffset StartedUtc { get; init; }
    [Id(5)] public DateTimeOffset? FinishedUtc { get; init; }
}

[GenerateSerializer, Immutable, Alias("grid.ActivityView")]
public sealed record ActivityView
{
    [Id(0)] public required ActivityPlan Plan { get; init; }
    [Id(1)] public ActivityStatus Status { get; init; }
    [Id(2)] public ImmutableDictionary<string, DateTimeOffset> SignUps { get; init; } = ImmutableDictionary<string, DateTimeOffset>.Empty;
    [Id(3)] public ImmutableDictionary<string, LeaveRequest> Leaves { get; init; } = ImmutableDictionary<string, LeaveRequest>.Empty;
    [Id(4)] public ImmutableDictionary<string, SignInRecord> SignIns { get; init; } = ImmutableDictionary<string, SignInRecord>.Empty;
    /// <summary>Post → the member staffing it.</summary>
    [Id(5)] public ImmutableDictionary<string, string> PostHolders { get; init; } = ImmutableDictionary<string, string>.Empty;
    [Id(6)] public ImmutableArray<ReminderProgress> Reminders { get; init; } = [];
    /// <summary>Final attendance, set at the close.</summary>
    [Id(7)] public ImmutableDictionary<string, Attendance> Outcomes { get; init; } = ImmutableDictionary<string, Attendance>.Empty;
    [Id(8)] public DateTimeOffset? ClosedUtc { get; init; }
    [Id(9)] public DateTimeOffset CreatedUtc { get; init; }
    [Id(10)] public int Version { get; init; }

    /// <summary>Everyone the occurrence is for: expected, signed up or staffing a post.</summary>
    public ImmutableSortedSet<string> Roll() =>
        [.. Plan.ExpectedMemberIds.Concat(SignUps.Keys).Concat(PostHolders.Values).Concat(SignIns.Keys)];
}

/// <summary>The community's index of its occurrences (for listings without activating every occurrence).</summary>
[GenerateSerializer, Immutable, Alias("grid.ActivitySummary")]
public sealed record ActivitySummary
{
    [Id(0)] public required string Id { get; init; }
    [Id(1)] public required string ScheduleId { get; init; }
    [Id(2)] public required string Title { get; init; }
    [Id(3)] public string Theme { get; init; } = "";
    [Id(4)] public required DateTimeOffset StartUtc { get; init; }
    [Id(5)] public required DateTimeOffset EndUtc { get; init; }
    [Id(6)] public ActivityStatus Status { get; init; }
    [Id(7)] public int Version { get; init; }
    [Id(8)] public ActivityKind Kind { get; init; }
}

/// <summary>The code shown at the venue now, and until when it is good.</summary>
[GenerateSerializer, Immutable, Alias("grid.SignInCode")]
public sealed record SignInCodeView
{
    [Id(0)] public required string Code { get; init; }
    [Id(1)] public required DateTimeOffset ValidUntilUtc { get; init; }
    [Id(2)] public required bool WindowOpen { get; init; }
}

/// <summary>One reminder to one member (key: occurrence, lead, member), as kept in the member's reminder inbox.</summary>
[GenerateSerializer, Immutable, Alias("grid.ReminderNotice")]
public sealed record ReminderNotice
{
    /// <summary>"&lt;activity id&gt;:&lt;lead minutes&gt;:&lt;member id&gt;": the idempotency key of this reminder everywhere.</summary>
    [Id(0)] public required string Key { get; init; }
    [Id(1)] public required string ActivityId { get; init; }
    [Id(2)] public required string MemberId { get; init; }
    [Id(3)] public required string CommunityCode { get; init; }
    [Id(4)] public required int LeadMinutes { get; init; }
    [Id(5)] public required string Title { get; init; }
    [Id(6)] public string Theme { get; init; } = "";
    [Id(7)] public string Place { get; init; } = "";
    [Id(8)] public required DateTimeOffset StartUtc { get; init; }
    [Id(9)] public DateTimeOffset SentUtc { get; init; }

    public static string KeyOf(string activityId, int leadMinutes, string memberId) => $"{activityId}:{leadMinutes}:{memberId}";
}

/// <summary>One occurrence (活动) of a schedule, keyed "&lt;community&gt;-&lt;yyyy-MM-dd&gt;-&lt;schedule id&gt;" (date in CST).</summary>
[Alias("grid.IActivityGrain")]
public interface IActivityGrain : IGrainWithStringKey
{
    [Alias("Get")] Task<ActivityView?> Get();
    /// <summary>Plans the occurrence, or updates the plan while it has not started; a closed or cancelled one is left alone.</summary>
    [Alias("Plan")] Task<ActivityView> Plan(ActivityPlan plan);
    [Alias("Cancel")] Task<Outcome<ActivityView>> Cancel(string by);
    [Alias("SignUp")] Task<Outcome<ActivityView>> SignUp(MemberId member);
    [Alias("RequestLeave")] Task<Outcome<ActivityView>> RequestLeave(MemberId member, string reason);
    /// <summary>签到: with the venue code, or remotely (no code) for a mobile member.</summary>
    [Alias("SignIn")] Task<Outcome<ActivityView>> SignIn(MemberId member, string? code, bool remote);
    [Alias("SignInCode")] Task<SignInCodeView?> SignInCode();
    /// <summary>Staffs a post with a member, or frees it (null).</summary>
    [Alias("StaffPost")] Task<Outcome<ActivityView>> StaffPost(string post, MemberId? member);
    /// <summary>Starts (or resumes) one reminder: the members it is for who have not had it yet (none once the activity is not planned).</summary>
    [Alias("BeginReminder")] Task<ImmutableArray<string>> BeginReminder(int leadMinutes);
    [Alias("RemindersDelivered")] Task RemindersDelivered(int leadMinutes, ImmutableArray<string> memberIds, int failed);
    [Alias("FinishReminder")] Task FinishReminder(int leadMinutes);
    /// <summary>Makes attendance final and awards points; repeatable (points are awarded once per source).</summary>
    [Alias("Close")] Task<Outcome<ActivityView>> Close(string by);
}

/// <summary>A member's reminders (key: member id): each (occurrence, lead) is recorded once, and pushed live once.</summary>
[Alias("grid.IReminderInboxGrain")]
public interface IReminderInboxGrain : IGrainWithStringKey
{
    /// <summary>True when this is the first time this reminder's key arrived.</summary>
    [Alias("Receive")] Task<bool> Receive(ReminderNotice notice);
    [Alias("Items")] Task<ImmutableArray<ReminderNotice>> Items();
}
