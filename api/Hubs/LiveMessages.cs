using Grid.Contracts;
using Grid.Grains;
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

    public static CountersMessage ForCounters(string communityCode, DashboardCounters c, DateTimeOffset atUtc) => new(
        communityCode, atUtc, c.Issues.Open, c.Issues.Overdue, c.Issues.AwaitingAcceptance, c.Issues.ReportedToday, c.Issues.ClosedToday,
        c.Month, c.ClosedThisMonth, c.ClosedOnTimeThisMonth, c.OnTimeClosureRate, c.MembersOnDuty,
        c.RedSaturday is { } r ? new RedSaturdayMessage(r.Date, r.Expected, r.Attended, r.Rate) : null);

    public static SnapshotMessage ForSnapshot(string communityCode, DateTimeOffset atUtc, IEnumerable<CellView> cells, DashboardCounters counters) => new(
        communityCode, atUtc,
        [.. cells.Select(c => new CellStatusMessage(communityCode, c.Definition.Code, CellStatusRule.Name(c.Status), atUtc))],
        ForCounters(communityCode, counters, atUtc));

    /// <summary>The hub method and message for one live event.</summary>
    public static LiveItem For(LiveEvent e) => e.Kind switch
    {
        LiveEvent.KindCellStatus => new(CellStatus, new CellStatusMessage(e.CommunityCode, e.CellCode ?? "", e.Status ?? "normal", e.AtUtc)),
        LiveEvent.KindCounters when e.Counters is { } c => new(Counters, ForCounters(e.CommunityCode, c, e.AtUtc)),
        LiveEvent.KindActivity => new(Activity, new ActivityMessage(e.CommunityCode, e.ActivityId, e.Status, e.AtUtc, Counts(e.Text))),
        LiveEvent.KindReminderProgress => new(ReminderProgress, new ActivityMessage(e.CommunityCode, e.ActivityId, e.Status, e.AtUtc, Counts(e.Text))),
        LiveEvent.KindReminder => new(Reminder, new ReminderMessage(e.ActivityId, e.Text, e.AtUtc)),
        _ => new(Event, new TickerMessage(e.Kind, e.CommunityCode, e.CellCode, e.Text, e.AtUtc, e.IssueId, e.Status)),
    };

    /// <summary>The counts an activity event carries as JSON (see ActivityGrain); null when there are none.</summary>
    private static System.Text.Json.JsonElement? Counts(string text) =>
        text.StartsWith('{') ? System.Text.Json.JsonDocument.Parse(text).RootElement.Clone() : null;
}

/// <summary>One message of a <see cref="LiveMessages.Batch"/>: what would otherwise be sent as <c>method(message)</c>.</summary>
public sealed record LiveItem(string Method, object Message);

public sealed record ActivityMessage(string CommunityCode, string? ActivityId, string? Status, DateTimeOffset AtUtc, System.Text.Json.JsonElement? Counts);

public sealed record ReminderMessage(string? ActivityId, string Title, DateTimeOffset AtUtc);

public sealed record CellStatusMessage(string CommunityCode, string CellCode, string Status, DateTimeOffset AtUtc);

/// <summary>The dashboard's counters; <c>onTimeRate</c> is 按期结案率 this month (null before the first closure).</summary>
public sealed record CountersMessage(
    string CommunityCode, DateTimeOffset AtUtc, int Open, int Overdue, int AwaitingAcceptance, int ReportedToday, int ClosedToday,
    string Month, int ClosedThisMonth, int ClosedOnTimeThisMonth, double? OnTimeRate, int MembersOnDuty, RedSaturdayMessage? RedSaturday);

public sealed record RedSaturdayMessage(DateOnly Date, int Expected, int Attended, double? Rate);

public sealed record TickerMessage(string Kind, string CommunityCode, string? CellCode, string Text, DateTimeOffset AtUtc, string? IssueId, string? Status);

public sealed record SnapshotMessage(string CommunityCode, DateTimeOffset AtUtc, IReadOnlyList<CellStatusMessage> Cells, CountersMessage Counters);
