using Grid.Contracts;

namespace Grid.Grains;

/// <summary>A small live event for the dashboards of one community. Never residents' personal data.</summary>
[GenerateSerializer, Immutable, Alias("grid.LiveEvent")]
public sealed record LiveEvent
{
    /// <summary>The map colour of a cell changed: coalesced, the latest per cell wins.</summary>
    public const string KindCellStatus = "cell_status";
    /// <summary>The community's counters changed: coalesced, the latest per community wins.</summary>
    public const string KindCounters = "counters";
    /// <summary>A ticker line stands for events left out of a burst (see <see cref="Live.LiveCoalescer"/>).</summary>
    public const string KindSkipped = "skipped";

    /// <summary>An occurrence's counts changed (sign-up, leave, sign-in, close): coalesced, the latest per occurrence wins.</summary>
    public const string KindActivity = "activity";
    /// <summary>A reminder's fan-out progressed: coalesced, the latest per occurrence and lead wins.</summary>
    public const string KindReminderProgress = "reminder_progress";
    /// <summary>A reminder for one member (<see cref="MemberId"/>): sent to that member's own connections, never dropped.</summary>
    public const string KindReminder = "reminder";

    /// <summary>cell_status, counters, activity, reminder_progress, reminder, or a ticker line: issue, escalation, whistle, assignment, sign_in, skipped.</summary>
    [Id(0)] public required string Kind { get; init; }
    [Id(1)] public required string CommunityCode { get; init; }
    [Id(2)] public string? CellCode { get; init; }
    /// <summary>One line for the ticker; never residents' personal data.</summary>
    [Id(3)] public string Text { get; init; } = "";
    [Id(4)] public required DateTimeOffset AtUtc { get; init; }
    [Id(5)] public string? IssueId { get; init; }
    [Id(6)] public string? Status { get; init; }
    /// <summary>Set for events meant for one member's own clients (a reminder), not the community's dashboards.</summary>
    [Id(7)] public string? MemberId { get; init; }
    [Id(8)] public string? ActivityId { get; init; }
    /// <summary>With <see cref="KindCounters"/>: the community's counters at <see cref="AtUtc"/>.</summary>
    [Id(9)] public DashboardCounters? Counters { get; init; }

    public bool IsTicker => Kind is not (KindCellStatus or KindCounters or KindActivity or KindReminderProgress or KindReminder);
}

/// <summary>
/// Where grains send live events; the node fans them out to the SignalR clients of every node.
/// Called from inside grain code: it must be cheap and must never wait on delivery.
/// </summary>
public interface ILiveEvents
{
    void Publish(LiveEvent e);
}

/// <summary>For hosts without live clients (tests of grains alone).</summary>
public sealed class NoLiveEvents : ILiveEvents
{
    public void Publish(LiveEvent e) { }
}
