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

    /// <summary>cell_status, counters, or a ticker line: issue, escalation, whistle, assignment, sign_in, skipped.</summary>
    [Id(0)] public required string Kind { get; init; }
    [Id(1)] public required string CommunityCode { get; init; }
    [Id(2)] public string? CellCode { get; init; }
    /// <summary>One line for the ticker; never residents' personal data.</summary>
    [Id(3)] public string Text { get; init; } = "";
    [Id(4)] public required DateTimeOffset AtUtc { get; init; }
    [Id(5)] public string? IssueId { get; init; }
    [Id(6)] public string? Status { get; init; }
    /// <summary>With <see cref="KindCounters"/>: the community's counters at <see cref="AtUtc"/>.</summary>
    // 7 and 8 are left to the activities' member reminders (issue 5), developed at the same time.
    [Id(9)] public DashboardCounters? Counters { get; init; }

    public bool IsTicker => Kind is not (KindCellStatus or KindCounters);
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
