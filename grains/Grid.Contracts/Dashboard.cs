namespace Grid.Contracts;

/// <summary>
/// The command dashboard's counters for one community: the issue counters, this month's
/// closures on time, members on duty, and this month's Red Saturday attendance. Kept live by
/// the community grain, so the dashboard gets them in the snapshot and with every change.
/// </summary>
[GenerateSerializer, Immutable, Alias("grid.DashboardCounters")]
public sealed record DashboardCounters
{
    [Id(0)] public required CommunityIssueCounters Issues { get; init; }
    /// <summary>"yyyy-MM", China Standard Time: the month of the two closure figures.</summary>
    [Id(1)] public required string Month { get; init; }
    /// <summary>Issues closed (verified) this month, each counted once.</summary>
    [Id(2)] public int ClosedThisMonth { get; init; }
    /// <summary>Of those, closed by the deadline in force (the KPI report's rule for 按期结案).</summary>
    [Id(3)] public int ClosedOnTimeThisMonth { get; init; }
    /// <summary>Members with an assignment checked in right now (on site, within the longest span counted).</summary>
    [Id(4)] public int MembersOnDuty { get; init; }
    /// <summary>This month's Red Saturday (红色星期六) attendance; null until the activities report one.</summary>
    [Id(5)] public RedSaturdayAttendance? RedSaturday { get; init; }

    /// <summary>按期结案率 this month: null when nothing was closed yet.</summary>
    public double? OnTimeClosureRate => ClosedThisMonth == 0 ? null : Math.Round((double)ClosedOnTimeThisMonth / ClosedThisMonth, 4);
}

/// <summary>One Red Saturday's attendance in a community: who was expected (signed up) and who signed in.</summary>
[GenerateSerializer, Immutable, Alias("grid.RedSaturdayAttendance")]
public sealed record RedSaturdayAttendance
{
    /// <summary>The Saturday, China Standard Time.</summary>
    [Id(0)] public required DateOnly Date { get; init; }
    [Id(1)] public required int Expected { get; init; }
    [Id(2)] public required int Attended { get; init; }

    public double? Rate => Expected <= 0 ? null : Math.Round((double)Attended / Expected, 4);
}
