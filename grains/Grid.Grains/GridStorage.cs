namespace Grid.Grains;

/// <summary>
/// Names for grain persistence. Orleans' ADO.NET provider keys rows by grain id and state
/// name, not grain type, so every grain type has a state name of its own: two grain types
/// sharing a name and a key would overwrite each other's state.
/// </summary>
public static class GridStorage
{
    /// <summary>The storage provider every Grid grain persists through.</summary>
    public const string Provider = "grid";

    public const string Directory = "directory";
    public const string Community = "community";
    public const string CommunityIssues = "community_issues";
    public const string CommunityAttendance = "community_attendance";
    public const string CommunityPoints = "community_points";
    public const string CommunitySchedules = "community_schedules";
    public const string CommunityActivities = "community_activities";
    public const string Cell = "cell";
    public const string Household = "household";
    public const string Member = "member";
    public const string Organ = "organ";
    public const string User = "user";
    public const string Issue = "issue";
    public const string Inbox = "inbox";
    public const string Categories = "categories";
    public const string IdempotencyKey = "idempotency_key";
    public const string Assignment = "assignment";
    public const string LoginThrottle = "login_throttle";
    public const string Activity = "activity";
    public const string ReminderInbox = "reminder_inbox";
}
