using System.Collections.Immutable;

namespace Grid.Contracts;

/// <summary>A person an organ must send down (下沉): on its roster until they register (报到) with a community.</summary>
[GenerateSerializer, Immutable, Alias("grid.RosterEntry")]
public sealed record RosterEntry
{
    [Id(0)] public required string Name { get; init; }
    [Id(1)] public required string Phone { get; init; }
    /// <summary>Set once the person has registered with a community and has a member id there.</summary>
    [Id(2)] public string? MemberId { get; init; }
    [Id(3)] public string? CommunityCode { get; init; }
    [Id(4)] public DateTimeOffset? RegisteredUtc { get; init; }

    private bool PrintMembers(System.Text.StringBuilder builder)
    {
        builder.Append("MemberId = ").Append(MemberId);
        return true;
    }
}

/// <summary>报到率 and friends for one organ.</summary>
[GenerateSerializer, Immutable, Alias("grid.OrganReport")]
public sealed record OrganFigures
{
    [Id(0)] public int Required { get; init; }
    [Id(1)] public int OnRoster { get; init; }
    [Id(2)] public int Registered { get; init; }
    [Id(3)] public int Placed { get; init; }
    [Id(4)] public int ServiceMinutes { get; init; }
    /// <summary>Registered ÷ required (null when nothing is required).</summary>
    [Id(5)] public double? ReportingRate { get; init; }
    [Id(6)] public ImmutableArray<string> Communities { get; init; } = [];
}

/// <summary>One stay of a member in a cell; the current one has no end.</summary>
[GenerateSerializer, Immutable, Alias("grid.Placement")]
public sealed record Placement
{
    [Id(0)] public required string CellCode { get; init; }
    [Id(1)] public required DateTimeOffset FromUtc { get; init; }
    [Id(2)] public DateTimeOffset? ToUtc { get; init; }
    [Id(3)] public required string By { get; init; }
}

/// <summary>One line of a member's points ledger (积分). Never edited; a correction is a new line.</summary>
[GenerateSerializer, Immutable, Alias("grid.PointsEntry")]
public sealed record PointsEntry
{
    /// <summary>What earned it, unique per member: "assignment:…:completed", "activity:…:attended", "manual:…".</summary>
    [Id(0)] public required string SourceId { get; init; }
    [Id(1)] public required DateTimeOffset AtUtc { get; init; }
    /// <summary>A rule name (attendance, assignment_completed, issue_closed, service_hour, absence_without_leave) or "manual".</summary>
    [Id(2)] public required string Rule { get; init; }
    [Id(3)] public required int Points { get; init; }
    [Id(4)] public required string Reason { get; init; }
    [Id(5)] public required string Actor { get; init; }
}

/// <summary>How many points each kind of deed earns, per community (积分规则).</summary>
[GenerateSerializer, Immutable, Alias("grid.PointRules")]
public sealed record PointRules
{
    [Id(0)] public int Attendance { get; init; } = 5;
    [Id(1)] public int AssignmentCompleted { get; init; } = 3;
    [Id(2)] public int IssueClosed { get; init; } = 2;
    [Id(3)] public int ServiceHour { get; init; } = 1;
    [Id(4)] public int AbsenceWithoutLeave { get; init; } = -3;
    /// <summary>Points in a year needed for 1…5 stars (星级): ascending, five values.</summary>
    [Id(5)] public ImmutableArray<int> StarThresholds { get; init; } = [0, 20, 40, 70, 100];
}

[GenerateSerializer, Alias("grid.AssignmentKind")]
public enum AssignmentKind
{
    HandleIssue = 0,   // 处置诉求
    VisitHousehold = 1, // 走访
    Patrol = 2,        // 巡查
    ActivityPost = 3,  // 活动岗位
    Other = 4,         // 其他
}

[GenerateSerializer, Alias("grid.AssignmentStatus")]
public enum AssignmentStatus
{
    Assigned = 0,
    Accepted = 1,
    CheckedIn = 2,  // on site now
    CheckedOut = 3, // been on site; may check in again
    Completed = 4,
    Cancelled = 5,
}

[GenerateSerializer, Immutable, Alias("grid.AssignmentDefinition")]
public sealed record AssignmentDefinition
{
    [Id(0)] public required string MemberId { get; init; }
    [Id(1)] public required string CellCode { get; init; }
    [Id(2)] public required AssignmentKind Kind { get; init; }
    [Id(3)] public required string Title { get; init; }
    [Id(4)] public string Description { get; init; } = "";
    [Id(5)] public required DateTimeOffset DueUtc { get; init; }
    [Id(6)] public string? IssueId { get; init; }
    [Id(7)] public string? HouseholdId { get; init; }
}

[GenerateSerializer, Immutable, Alias("grid.ServiceSpan")]
public sealed record ServiceSpan
{
    [Id(0)] public required DateTimeOffset InUtc { get; init; }
    [Id(1)] public DateTimeOffset? OutUtc { get; init; }
}

[GenerateSerializer, Immutable, Alias("grid.AssignmentRecord")]
public sealed record AssignmentRecord
{
    [Id(0)] public required string Id { get; init; }
    [Id(1)] public required AssignmentDefinition Definition { get; init; }
    [Id(2)] public required AssignmentStatus Status { get; init; }
    [Id(3)] public required string AssignedBy { get; init; }
    [Id(4)] public required DateTimeOffset AssignedUtc { get; init; }
    [Id(5)] public ImmutableArray<ServiceSpan> Spans { get; init; } = [];
    [Id(6)] public string CompletionNote { get; init; } = "";
    [Id(7)] public DateTimeOffset? CompletedUtc { get; init; }
    [Id(8)] public int Version { get; init; }

    /// <summary>Minutes on site over all closed check-in spans.</summary>
    public int ServiceMinutes => Spans.Where(s => s.OutUtc is not null).Sum(s => (int)(s.OutUtc!.Value - s.InUtc).TotalMinutes);

    public bool IsOverdueAt(DateTimeOffset now) => Status is not (AssignmentStatus.Completed or AssignmentStatus.Cancelled) && now > Definition.DueUtc;
}

[GenerateSerializer, Alias("grid.AssignmentAction")]
public enum AssignmentAction { Accept = 0, CheckIn = 1, CheckOut = 2, Complete = 3, Cancel = 4 }

/// <summary>A member's own standing: points, stars, placements, assignments.</summary>
[GenerateSerializer, Immutable, Alias("grid.MemberStanding")]
public sealed record MemberStanding
{
    [Id(0)] public int PointsThisYear { get; init; }
    [Id(1)] public int PointsTotal { get; init; }
    [Id(2)] public int Stars { get; init; }
    [Id(3)] public int ServiceMinutes { get; init; }
    [Id(4)] public ImmutableArray<Placement> Placements { get; init; } = [];
    [Id(5)] public ImmutableArray<PointsEntry> Points { get; init; } = [];
    [Id(6)] public ImmutableArray<string> AssignmentIds { get; init; } = [];
    [Id(7)] public DateTimeOffset? RegisteredUtc { get; init; }
}

[GenerateSerializer, Immutable, Alias("grid.LeaderboardLine")]
public sealed record LeaderboardLine
{
    [Id(0)] public required string MemberId { get; init; }
    [Id(1)] public required string Name { get; init; }
    [Id(2)] public required string Branch { get; init; }
    [Id(3)] public required int Points { get; init; }
    [Id(4)] public required int Stars { get; init; }
}

/// <summary>A household a member looks after (党员联户), and how often it must be visited.</summary>
[GenerateSerializer, Immutable, Alias("grid.VisitRecord")]
public sealed record VisitRecord
{
    [Id(0)] public required DateTimeOffset AtUtc { get; init; }
    [Id(1)] public required string By { get; init; }
    [Id(2)] public string Note { get; init; } = "";
}

[GenerateSerializer, Immutable, Alias("grid.VisitDue")]
public sealed record VisitDue
{
    [Id(0)] public required string HouseholdId { get; init; }
    [Id(1)] public required int IntervalDays { get; init; }
    [Id(2)] public required DateTimeOffset DueUtc { get; init; }
}

[GenerateSerializer, Immutable, Alias("grid.VisitWatch")]
public sealed record VisitWatch
{
    [Id(0)] public required int IntervalDays { get; init; }
    [Id(1)] public required DateTimeOffset SinceUtc { get; init; }
}
