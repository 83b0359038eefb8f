using Grid.Contracts;
using Grid.Grains.Issues;

namespace Grid.Api.Hubs;

/// <summary>
/// What the command hub sends. Every message names its community and carries <c>atUtc</c>, the
/// moment its state was read: a client keeps, per cell and for the counters, whichever it got
/// is newer, so a snapshot and the deltas racing it can arrive in either order.
/// </summary>
public static class LiveMessages
{
    /// <summary>Sent to a client that joined a community (so also after every reconnect).</summary>
    public const string Snapshot = "snapshot";
    public const string CellStatus = "cellStatus";
    public const string Counters = "counters";
    /// <summary>A ticker line.</summary>
    public const string Event = "event";
    /// <summary>An occurrence's counts (the scheduler page); never names.</summary>
    public const string Activity = "activity";
    public const string ReminderProgress = "reminderProgress";
    /// <summary>A reminder, to the member's own connections only.</summary>
    public const string Reminder = "reminder";
    /// <summary>
    /// The frame every live message travels in: one flush of the fan-out sends each group one batch
    /// of <see cref="LiveItem"/>s, in publish order, so a busy community costs its dashboards one
    /// WebSocket frame per flush instead of one per event.
    /// </summary>
    public const string Batch = "batch";

    public static CountersMessage ForCounters(CommunityCode community, DashboardCounters c, DateTimeOffset atUtc) => new(
        community, atUtc, c.Issues.Open, c.Issues.Overdue, c.Issues.AwaitingAcceptance, c.Issues.ReportedToday, c.Issues.ClosedToday,
        c.Month, c.ClosedThisMonth, c.ClosedOnTimeThisMonth, c.OnTimeClosureRate, c.MembersOnDuty,
        c.RedSaturday is { } r ? new RedSaturdayMessage(r.Date, r.Expected, r.Attended, r.Rate) : null);

    public static SnapshotMessage ForSnapshot(CommunityCode community, DateTimeOffset atUtc, IEnumerable<CellView> cells, DashboardCounters counters) => new(
        community, atUtc,
        [.. cells.Select(c => new CellStatusMessage(community, CellCode.Parse(c.Definition.Code), CellStatusRule.Name(c.Status), atUtc))],
        ForCounters(community, counters, atUtc));

    /// <summary>The hub method and message for one live event.</summary>
    public static LiveItem For(LiveEvent e) => e switch
    {
        CellStatusChanged c => new(CellStatus, new CellStatusMessage(c.CommunityCode, c.CellCode, CellStatusRule.Name(c.Status), c.AtUtc)),
        CountersChanged c => new(Counters, ForCounters(c.CommunityCode, c.Counters, c.AtUtc)),
        TickerLine t => new(Event, new TickerMessage(KindName(t.Kind), t.CommunityCode, t.CellCode, t.Text, t.AtUtc, t.IssueId,
            t.IssueStatus is { } status ? IssueWorkflow.Name(status) : null)),
        ActivityCountsChanged a => new(Activity, new ActivityMessage(a.CommunityCode, a.ActivityId, a.Status.ToString().ToLowerInvariant(), a.AtUtc,
            new ActivityCounts(a.Expected, a.SignedUp, a.OnLeave, a.SignedIn, a.Remote))),
        // The lead time doubles as the status, which tells a page's progress rows apart.
        ReminderProgressChanged p => new(ReminderProgress, new ReminderProgressMessage(p.CommunityCode, p.ActivityId,
            p.LeadMinutes.ToString(System.Globalization.CultureInfo.InvariantCulture), p.AtUtc,
            new ReminderCounts(p.LeadMinutes, p.Delivered, p.Expected, p.Failed))),
        MemberReminder r => new(Reminder, new ReminderMessage(r.ActivityId, r.Title, r.AtUtc)),
        _ => throw new ArgumentException($"No live message for {e.GetType().Name}.", nameof(e)),
    };

    /// <summary>The SignalR group of the clients an event is for: a reminder its member's own connections, anything else its community's dashboards.</summary>
    public static string GroupOf(LiveEvent e) =>
        e is MemberReminder r ? CommandHub.MemberGroupOf(r.MemberId) : CommandHub.GroupOf(e.CommunityCode);

    /// <summary>The ticker line's <c>kind</c> on the wire.</summary>
    public static string KindName(TickerKind kind) => kind switch
    {
        TickerKind.Issue => "issue",
        TickerKind.Escalation => "escalation",
        TickerKind.Whistle => "whistle",
        TickerKind.Assignment => "assignment",
        TickerKind.SignIn => "sign_in",
        TickerKind.Skipped => "skipped",
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
    };
}

/// <summary>One message of a <see cref="LiveMessages.Batch"/>: what would otherwise be sent as <c>method(message)</c>.</summary>
public sealed record LiveItem(string Method, object Message);

/// <summary>An occurrence's counts; <c>status</c> is planned, closed or cancelled.</summary>
public sealed record ActivityMessage(CommunityCode CommunityCode, ActivityId ActivityId, string Status, DateTimeOffset AtUtc, ActivityCounts Counts);

public sealed record ActivityCounts(int Expected, int SignedUp, int OnLeave, int SignedIn, int Remote);

/// <summary>A reminder fan-out's progress; <c>status</c> is its lead time in minutes, as text.</summary>
public sealed record ReminderProgressMessage(CommunityCode CommunityCode, ActivityId ActivityId, string Status, DateTimeOffset AtUtc, ReminderCounts Counts);

public sealed record ReminderCounts(int LeadMinutes, int Delivered, int Expected, int Failed);

public sealed record ReminderMessage(ActivityId ActivityId, string Title, DateTimeOffset AtUtc);

public sealed record CellStatusMessage(CommunityCode CommunityCode, CellCode CellCode, string Status, DateTimeOffset AtUtc);

/// <summary>The dashboard's counters; <c>onTimeRate</c> is 按期结案率 this month (null before the first closure).</summary>
public sealed record CountersMessage(
    CommunityCode CommunityCode, DateTimeOffset AtUtc, int Open, int Overdue, int AwaitingAcceptance, int ReportedToday, int ClosedToday,
    string Month, int ClosedThisMonth, int ClosedOnTimeThisMonth, double? OnTimeRate, int MembersOnDuty, RedSaturdayMessage? RedSaturday);

public sealed record RedSaturdayMessage(DateOnly Date, int Expected, int Attended, double? Rate);

/// <summary>A ticker line; <c>kind</c> is issue, escalation, whistle, assignment, sign_in or skipped; <c>status</c> the issue's, for an issue's line.</summary>
public sealed record TickerMessage(string Kind, CommunityCode CommunityCode, CellCode? CellCode, string Text, DateTimeOffset AtUtc, IssueId? IssueId, string? Status);

public sealed record SnapshotMessage(CommunityCode CommunityCode, DateTimeOffset AtUtc, IReadOnlyList<CellStatusMessage> Cells, CountersMessage Counters);
