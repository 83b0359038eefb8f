namespace Grid.Contracts;

// Live events: what grains tell the dashboards, one sealed record per kind of news. The type
// decides how a burst is coalesced (Grid.Grains.Live.LiveCoalescer) and which message the hub
// sends (Grid.Api.Hubs.LiveMessages). They travel between silos, so every one is serializable;
// none is ever stored. They never carry residents' personal data, nor members' names.

/// <summary>News for the live clients of one community, as of <see cref="AtUtc"/>.</summary>
[GenerateSerializer, Immutable, Alias("grid.live.LiveEvent")]
public abstract record LiveEvent
{
    [Id(0)] public required CommunityCode CommunityCode { get; init; }
    /// <summary>When the state it carries was read: the newer of two wins, at the client and in a burst.</summary>
    [Id(1)] public required DateTimeOffset AtUtc { get; init; }
}

/// <summary>A cell's map colour changed. Carries the whole state: in a burst the latest per cell wins.</summary>
[GenerateSerializer, Immutable, Alias("grid.live.CellStatusChanged")]
public sealed record CellStatusChanged : LiveEvent
{
    [Id(0)] public required CellCode CellCode { get; init; }
    [Id(1)] public required CellStatus Status { get; init; }

    public static CellStatusChanged Of(CellCode cell, CellStatus status, DateTimeOffset atUtc) =>
        new() { CommunityCode = cell.Community, CellCode = cell, Status = status, AtUtc = atUtc };
}

/// <summary>The community's dashboard counters changed. Carries them all: in a burst the latest per community wins.</summary>
[GenerateSerializer, Immutable, Alias("grid.live.CountersChanged")]
public sealed record CountersChanged : LiveEvent
{
    [Id(0)] public required DashboardCounters Counters { get; init; }

    public static CountersChanged Of(CommunityCode community, DashboardCounters counters, DateTimeOffset atUtc) =>
        new() { CommunityCode = community, Counters = counters, AtUtc = atUtc };
}

/// <summary>What a ticker line reports; the hub names each kind on the wire.</summary>
[GenerateSerializer, Alias("grid.live.TickerKind")]
public enum TickerKind
{
    Issue = 0,
    Escalation = 1,
    Whistle = 2,
    Assignment = 3,
    SignIn = 4,
    /// <summary>Stands for the lines a burst left out.</summary>
    Skipped = 5,
}

/// <summary>One line of the dashboard's ticker. Lines are not coalesced; a burst keeps the newest, up to a cap.</summary>
[GenerateSerializer, Immutable, Alias("grid.live.TickerLine")]
public sealed record TickerLine : LiveEvent
{
    [Id(0)] public required TickerKind Kind { get; init; }
    /// <summary>Titles, categories and what happened; never a resident's name or phone.</summary>
    [Id(1)] public required string Text { get; init; }
    [Id(2)] public CellCode? CellCode { get; init; }
    [Id(3)] public IssueId? IssueId { get; init; }
    /// <summary>The issue's status after the change, for an issue's line.</summary>
    [Id(4)] public IssueStatus? IssueStatus { get; init; }

    /// <summary>A change of an issue, as its history <paramref name="entry"/> records it.</summary>
    public static TickerLine ForIssue(IssueRecord issue, IssueHistoryEntry entry, string text)
    {
        var cell = Contracts.CellCode.Parse(issue.Report.CellCode);
        return new()
        {
            Kind = entry.Action switch
            {
                IssueAction.Escalate => TickerKind.Escalation,
                IssueAction.Whistle or IssueAction.OrganReport => TickerKind.Whistle,
                _ => TickerKind.Issue,
            },
            CommunityCode = cell.Community, CellCode = cell, IssueId = Contracts.IssueId.Parse(issue.Id), IssueStatus = issue.Status,
            AtUtc = entry.AtUtc, Text = text,
        };
    }

    /// <summary>A member was given a task in a cell.</summary>
    public static TickerLine ForAssignment(AssignmentDefinition task, DateTimeOffset atUtc) => InCell(TickerKind.Assignment, task.CellCode, $"任务派发：{task.Title}", atUtc);

    /// <summary>A member checked in on site (no name: the task's title says where).</summary>
    public static TickerLine ForSignIn(AssignmentDefinition task, DateTimeOffset atUtc) => InCell(TickerKind.SignIn, task.CellCode, $"党员到岗：{task.Title}", atUtc);

    /// <summary>Stands for <paramref name="count"/> lines of a burst left out, the last of them at <paramref name="lastAtUtc"/>.</summary>
    public static TickerLine Skipped(CommunityCode community, int count, DateTimeOffset lastAtUtc) =>
        new() { Kind = TickerKind.Skipped, CommunityCode = community, AtUtc = lastAtUtc, Text = $"短时间内事件较多，{count} 条未逐条显示" };

    private static TickerLine InCell(TickerKind kind, string cellCode, string text, DateTimeOffset atUtc)
    {
        var cell = Contracts.CellCode.Parse(cellCode);
        return new() { Kind = kind, CommunityCode = cell.Community, CellCode = cell, Text = text, AtUtc = atUtc };
    }
}

/// <summary>An occurrence's counts changed (sign-up, leave, sign-in, close). Counts only, never names; the latest per occurrence wins.</summary>
[GenerateSerializer, Immutable, Alias("grid.live.ActivityCountsChanged")]
public sealed record ActivityCountsChanged : LiveEvent
{
    [Id(0)] public required ActivityId ActivityId { get; init; }
    [Id(1)] public required ActivityStatus Status { get; init; }
    [Id(2)] public int Expected { get; init; }
    [Id(3)] public int SignedUp { get; init; }
    [Id(4)] public int OnLeave { get; init; }
    [Id(5)] public int SignedIn { get; init; }
    /// <summary>Of <see cref="SignedIn"/>, those who signed in remotely (流动党员).</summary>
    [Id(6)] public int Remote { get; init; }

    public static ActivityCountsChanged Of(ActivityView activity, DateTimeOffset atUtc) => new()
    {
        CommunityCode = Contracts.CommunityCode.Parse(activity.Plan.CommunityCode), ActivityId = Contracts.ActivityId.Parse(activity.Plan.Id),
        Status = activity.Status, AtUtc = atUtc,
        Expected = activity.Plan.ExpectedMemberIds.Length, SignedUp = activity.SignUps.Count, OnLeave = activity.Leaves.Count,
        SignedIn = activity.SignIns.Count, Remote = activity.SignIns.Count(s => s.Value.Remote),
    };
}

/// <summary>A reminder's fan-out progressed. Carries the whole progress: the latest per occurrence and lead time wins.</summary>
[GenerateSerializer, Immutable, Alias("grid.live.ReminderProgressChanged")]
public sealed record ReminderProgressChanged : LiveEvent
{
    [Id(0)] public required ActivityId ActivityId { get; init; }
    [Id(1)] public required int LeadMinutes { get; init; }
    [Id(2)] public int Delivered { get; init; }
    [Id(3)] public int Expected { get; init; }
    [Id(4)] public int Failed { get; init; }

    public static ReminderProgressChanged Of(ActivityPlan plan, ReminderProgress progress, DateTimeOffset atUtc) => new()
    {
        CommunityCode = Contracts.CommunityCode.Parse(plan.CommunityCode), ActivityId = Contracts.ActivityId.Parse(plan.Id), AtUtc = atUtc,
        LeadMinutes = progress.LeadMinutes, Delivered = progress.Delivered, Expected = progress.Expected, Failed = progress.Failed,
    };
}

/// <summary>A reminder for one member, pushed to that member's own connections only; never coalesced away.</summary>
[GenerateSerializer, Immutable, Alias("grid.live.MemberReminder")]
public sealed record MemberReminder : LiveEvent
{
    [Id(0)] public required MemberId MemberId { get; init; }
    [Id(1)] public required ActivityId ActivityId { get; init; }
    [Id(2)] public required string Title { get; init; }

    public static MemberReminder Of(ReminderNotice notice, DateTimeOffset atUtc) => new()
    {
        CommunityCode = Contracts.CommunityCode.Parse(notice.CommunityCode), MemberId = Contracts.MemberId.Parse(notice.MemberId),
        ActivityId = Contracts.ActivityId.Parse(notice.ActivityId), Title = notice.Title, AtUtc = atUtc,
    };
}
