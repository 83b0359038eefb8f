using System.Collections.Immutable;
using Orleans.Concurrency;

namespace Grid.Contracts;

// A community's concerns besides its definition, each a grain keyed by the community's code with a
// state of its own: a step of an issue, a schedule saved or a leaderboard line writes only its own.

/// <summary>A community's index of open issues and the command dashboard's counters.</summary>
[Alias("grid.ICommunityIssuesGrain")]
public interface ICommunityIssuesGrain : IGrainWithStringKey
{
    /// <summary>Index of the community's open issues, kept up to date by the issue grains (by version).</summary>
    [Alias("UpdateIssue")] Task UpdateIssue(IssueSummary summary);
    [Alias("OpenIssues"), ReadOnly] Task<ImmutableArray<IssueSummary>> OpenIssues();
    [Alias("IssueCounters"), ReadOnly] Task<CommunityIssueCounters> IssueCounters();
    /// <summary>Forgets the issue index, before it is rebuilt from the issue grains.</summary>
    [Alias("ResetIssueIndex")] Task ResetIssueIndex();
    /// <summary>
    /// Open issues whose deadline or whistle has passed, and the cells with open issues. The
    /// caller asks them itself: the issues answer by updating this grain, which must not be
    /// waiting on them meanwhile.
    /// </summary>
    [Alias("DeadlineCandidates"), ReadOnly] Task<DeadlineCandidates> DeadlineCandidates();

    /// <summary>Everything the command dashboard counts for this community; published live on every change.</summary>
    [Alias("DashboardCounters"), ReadOnly] Task<DashboardCounters> DashboardCounters();
    /// <summary>An assignment in the community checked in (on site) or left it; idempotent per assignment.</summary>
    [Alias("SetOnDuty")] Task SetOnDuty(AssignmentId assignment, MemberId member, bool onDuty, DateTimeOffset sinceUtc);
    /// <summary>
    /// A Red Saturday's attendance (the activities report it here as sign-ins arrive);
    /// the dashboard shows the latest one of the current month.
    /// </summary>
    [Alias("SetRedSaturday")] Task SetRedSaturday(RedSaturdayAttendance attendance);
}

/// <summary>A community's point rules (积分规则) and this year's leaderboard.</summary>
[Alias("grid.ICommunityPointsGrain")]
public interface ICommunityPointsGrain : IGrainWithStringKey
{
    [Alias("PointRules"), ReadOnly] Task<PointRules> PointRules();
    [Alias("SetPointRules")] Task SetPointRules(PointRules rules);
    [Alias("UpdateLeaderboard")] Task UpdateLeaderboard(LeaderboardLine line, int year);
    /// <summary>This year's points, best first; optionally one branch only.</summary>
    [Alias("Leaderboard"), ReadOnly] Task<ImmutableArray<LeaderboardLine>> Leaderboard(string? branch, int limit);
}

/// <summary>A community's recurring activities (红色星期六, 三会一课): schedules as data, and the index of their occurrences.</summary>
[Alias("grid.ICommunityScheduleGrain")]
public interface ICommunityScheduleGrain : IGrainWithStringKey
{
    [Alias("Schedules"), ReadOnly] Task<ImmutableArray<ScheduleEntry>> Schedules();
    [Alias("Schedule"), ReadOnly] Task<ScheduleEntry?> Schedule(string scheduleId);
    /// <summary>Creates or replaces a schedule (version + 1); a new or re-timed schedule is handled from now on. The community must exist.</summary>
    [Alias("SaveSchedule")] Task<ActivitySchedule> SaveSchedule(ActivitySchedule schedule);
    [Alias("RemoveSchedule")] Task<bool> RemoveSchedule(string scheduleId);
    /// <summary>Moves the schedule's catch-up mark forward (never back).</summary>
    [Alias("MarkScheduleHandled")] Task MarkScheduleHandled(string scheduleId, DateTimeOffset untilUtc);
    /// <summary>Index of occurrences, kept up to date by the activity grains (by version).</summary>
    [Alias("UpdateActivity")] Task UpdateActivity(ActivitySummary summary);
    [Alias("Activities"), ReadOnly] Task<ImmutableArray<ActivitySummary>> Activities(DateTimeOffset fromUtc, DateTimeOffset toUtc);
}
