using System.Collections.Immutable;

namespace Grid.Contracts;

/// <summary>Where an issue (诉求/事件) stands in the closed loop.</summary>
[GenerateSerializer, Alias("grid.IssueStatus")]
public enum IssueStatus
{
    Reported = 0,    // 上报
    Accepted = 1,    // 立案
    Rejected = 2,    // 不予立案
    Dispatched = 3,  // 派遣
    InProgress = 4,  // 处置
    Resolved = 5,    // 处置反馈
    Closed = 6,      // 核查结案
}

/// <summary>What can be done to an issue. Report and the automatic ones are not API path actions.</summary>
[GenerateSerializer, Alias("grid.IssueAction")]
public enum IssueAction
{
    Report = 0,
    Accept = 1,
    Reject = 2,
    Dispatch = 3,
    Start = 4,
    Resolve = 5,
    Verify = 6,
    Reopen = 7,
    Rate = 8,
    Whistle = 9,        // 吹哨: the committee calls an organ in
    OrganReport = 10,   // 报到: the organ answers the whistle
    Escalate = 11,      // 超期督办, by the deadline watch
    ResolveOnSpot = 12, // 就地解决: report and resolve in one go
}

/// <summary>Who handles a dispatched issue.</summary>
[GenerateSerializer, Alias("grid.AssigneeKind")]
public enum AssigneeKind
{
    GridWorker = 0, // a grid worker login (username)
    Member = 1,     // a Party member placed in the cell (member id)
    Organ = 2,      // a department / organ (credit code)
}

[GenerateSerializer, Immutable, Alias("grid.Assignee")]
public sealed record Assignee
{
    [Id(0)] public required AssigneeKind Kind { get; init; }
    [Id(1)] public required string Id { get; init; }
    [Id(2)] public string Name { get; init; } = "";
}

/// <summary>A kind of issue: 部件 (a city component) or 事件 (an event), in a two-level tree.</summary>
[GenerateSerializer, Immutable, Alias("grid.IssueCategory")]
public sealed record IssueCategory
{
    /// <summary>e.g. "01" for a class, "01.03" for a subclass.</summary>
    [Id(0)] public required string Code { get; init; }
    [Id(1)] public required string Name { get; init; }
    /// <summary>component (部件) or event (事件).</summary>
    [Id(2)] public required string Kind { get; init; }
    [Id(3)] public string? ParentCode { get; init; }
    /// <summary>How long handling may take from dispatch: the deadline.</summary>
    [Id(4)] public int HandlingHours { get; init; } = 72;
    /// <summary>Who gets it by default: the cell's grid worker, or an organ.</summary>
    [Id(5)] public AssigneeKind DefaultRoute { get; init; } = AssigneeKind.GridWorker;
    [Id(6)] public string? RouteOrganCode { get; init; }
}

[GenerateSerializer, Immutable, Alias("grid.IssueHistoryEntry")]
public sealed record IssueHistoryEntry
{
    [Id(0)] public required int Seq { get; init; }
    [Id(1)] public required DateTimeOffset AtUtc { get; init; }
    /// <summary>Username, "system" for automatic steps, or "open311:&lt;client&gt;".</summary>
    [Id(2)] public required string Actor { get; init; }
    [Id(3)] public required IssueAction Action { get; init; }
    [Id(4)] public IssueStatus? FromStatus { get; init; }
    [Id(5)] public required IssueStatus ToStatus { get; init; }
    [Id(6)] public string Note { get; init; } = "";
    /// <summary>The deadline in force after this step, if any.</summary>
    [Id(7)] public DateTimeOffset? DeadlineUtc { get; init; }
    [Id(8)] public Assignee? Assignee { get; init; }
    /// <summary>For Rate: 1-5.</summary>
    [Id(9)] public int? Score { get; init; }
}

[GenerateSerializer, Immutable, Alias("grid.IssueRating")]
public sealed record IssueRating
{
    [Id(0)] public required int Score { get; init; }
    [Id(1)] public string Comment { get; init; } = "";
    [Id(2)] public required DateTimeOffset AtUtc { get; init; }
}

/// <summary>吹哨报到: an organ called in, and whether it answered in time.</summary>
[GenerateSerializer, Immutable, Alias("grid.Whistle")]
public sealed record Whistle
{
    [Id(0)] public required string OrganCode { get; init; }
    [Id(1)] public required DateTimeOffset WhistledUtc { get; init; }
    [Id(2)] public required DateTimeOffset ReportByUtc { get; init; }
    [Id(3)] public DateTimeOffset? ReportedUtc { get; init; }
    [Id(4)] public string ReportedBy { get; init; } = "";
    /// <summary>Set by the deadline watch when the organ has not reported by <see cref="ReportByUtc"/>.</summary>
    [Id(5)] public bool Overdue { get; init; }
}

[GenerateSerializer, Immutable, Alias("grid.IssuePhoto")]
public sealed record IssuePhoto
{
    [Id(0)] public required string Id { get; init; }
    /// <summary>before (on report) or after (on resolve).</summary>
    [Id(1)] public required string Kind { get; init; }
    [Id(2)] public required string ContentType { get; init; }
    [Id(3)] public required int SizeBytes { get; init; }
    [Id(4)] public required DateTimeOffset AtUtc { get; init; }
    [Id(5)] public string By { get; init; } = "";
}

/// <summary>What a reporter says when raising an issue.</summary>
[GenerateSerializer, Immutable, Alias("grid.IssueReport")]
public sealed record IssueReport
{
    [Id(0)] public required string CellCode { get; init; }
    [Id(1)] public required string CategoryCode { get; init; }
    [Id(2)] public required string Title { get; init; }
    [Id(3)] public string Description { get; init; } = "";
    [Id(4)] public GeoPoint? Location { get; init; }
    [Id(5)] public string? HouseholdId { get; init; }
    /// <summary>resident, grid_worker, member or open311.</summary>
    [Id(6)] public string Source { get; init; } = "resident";
    /// <summary>The resident who raised it: personal data, masked for roles without need.</summary>
    [Id(7)] public string ReporterName { get; init; } = "";
    [Id(8)] public string ReporterPhone { get; init; } = "";
    /// <summary>就地解决: when set, the reporter (a grid worker of the cell) resolves it at once with this note.</summary>
    [Id(9)] public string? ResolveOnSpotNote { get; init; }

    private bool PrintMembers(System.Text.StringBuilder builder)
    {
        builder.Append("CellCode = ").Append(CellCode).Append(", CategoryCode = ").Append(CategoryCode);
        return true;
    }
}

[GenerateSerializer, Immutable, Alias("grid.IssueRecord")]
public sealed record IssueRecord
{
    [Id(0)] public required string Id { get; init; }
    [Id(1)] public required IssueReport Report { get; init; }
    [Id(2)] public required string CommunityCode { get; init; }
    [Id(3)] public required string ReportedBy { get; init; }
    [Id(4)] public required IssueStatus Status { get; init; }
    /// <summary>Counts every change; the HTTP ETag. Starts at 1 on report.</summary>
    [Id(5)] public required int Version { get; init; }
    [Id(6)] public Assignee? Assignee { get; init; }
    [Id(7)] public DateTimeOffset? DispatchedUtc { get; init; }
    [Id(8)] public DateTimeOffset? DeadlineUtc { get; init; }
    /// <summary>0 on time; 1 overdue (超期督办 to the committee); 2 still open a whole handling period later (督办 to the street).</summary>
    [Id(9)] public int EscalationLevel { get; init; }
    [Id(10)] public int ReworkCount { get; init; }
    [Id(11)] public int ReopenCount { get; init; }
    [Id(12)] public IssueRating? Rating { get; init; }
    [Id(13)] public Whistle? Whistle { get; init; }
    [Id(14)] public ImmutableArray<IssuePhoto> Photos { get; init; } = [];
    [Id(15)] public ImmutableArray<IssueHistoryEntry> History { get; init; } = [];
    [Id(16)] public required DateTimeOffset CreatedUtc { get; init; }
    [Id(17)] public DateTimeOffset? ResolvedUtc { get; init; }
    [Id(18)] public DateTimeOffset? ClosedUtc { get; init; }
    [Id(19)] public required string CategoryName { get; init; }
    [Id(20)] public int HandlingHours { get; init; }

    public bool IsOpen => Status is not (IssueStatus.Rejected or IssueStatus.Closed);

    private bool PrintMembers(System.Text.StringBuilder builder)
    {
        builder.Append("Id = ").Append(Id).Append(", Status = ").Append(Status).Append(", Version = ").Append(Version);
        return true;
    }
}

/// <summary>A step someone asks for; which fields matter depends on the action.</summary>
[GenerateSerializer, Immutable, Alias("grid.IssueCommand")]
public sealed record IssueCommand
{
    [Id(0)] public required IssueAction Action { get; init; }
    [Id(1)] public required string Actor { get; init; }
    [Id(2)] public string Note { get; init; } = "";
    [Id(3)] public Assignee? Assignee { get; init; }
    /// <summary>For Verify: whether the work passed.</summary>
    [Id(4)] public bool? Passed { get; init; }
    [Id(5)] public int? Score { get; init; }
    [Id(6)] public string? OrganCode { get; init; }
    /// <summary>The version the caller saw (If-Match); null when the caller did not say.</summary>
    [Id(7)] public int? ExpectedVersion { get; init; }
}

/// <summary>A line of an inbox or a cell's issue list.</summary>
[GenerateSerializer, Immutable, Alias("grid.IssueSummary")]
public sealed record IssueSummary
{
    [Id(0)] public required string Id { get; init; }
    [Id(1)] public required string CellCode { get; init; }
    [Id(2)] public required string Title { get; init; }
    [Id(3)] public required string CategoryCode { get; init; }
    [Id(4)] public required string CategoryName { get; init; }
    [Id(5)] public required IssueStatus Status { get; init; }
    [Id(6)] public DateTimeOffset? DeadlineUtc { get; init; }
    [Id(7)] public int EscalationLevel { get; init; }
    [Id(8)] public Assignee? Assignee { get; init; }
    [Id(9)] public required DateTimeOffset UpdatedUtc { get; init; }
    [Id(10)] public required int Version { get; init; }
    [Id(11)] public bool WhistleOverdue { get; init; }
    [Id(12)] public DateTimeOffset CreatedUtc { get; init; }
    /// <summary>When an organ whistled in must report by; null unless a whistle is pending.</summary>
    [Id(13)] public DateTimeOffset? WhistleReportByUtc { get; init; }
    [Id(14)] public string CommunityCode { get; init; } = "";
    /// <summary>Where it was reported, if a position was given; lets listings be drawn on a map.</summary>
    [Id(15)] public GeoPoint? Location { get; init; }

    public bool IsOpen => Status is not (IssueStatus.Rejected or IssueStatus.Closed);

    public static IssueSummary Of(IssueRecord r) => new()
    {
        Id = r.Id,
        CellCode = r.Report.CellCode,
        Title = r.Report.Title,
        CategoryCode = r.Report.CategoryCode,
        CategoryName = r.CategoryName,
        Status = r.Status,
        DeadlineUtc = r.DeadlineUtc,
        EscalationLevel = r.EscalationLevel,
        Assignee = r.Assignee,
        UpdatedUtc = r.History.IsDefaultOrEmpty ? r.CreatedUtc : r.History[^1].AtUtc,
        Version = r.Version,
        WhistleOverdue = r.Whistle is { ReportedUtc: null, Overdue: true },
        CreatedUtc = r.CreatedUtc,
        WhistleReportByUtc = r.Whistle is { ReportedUtc: null } w ? w.ReportByUtc : null,
        CommunityCode = r.CommunityCode,
        Location = r.Report.Location,
    };
}
