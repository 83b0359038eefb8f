using Grid.Contracts;

namespace Grid.Grains;

/// <summary>A small live event for the dashboards of one community.</summary>
[GenerateSerializer, Immutable, Alias("grid.LiveEvent")]
public sealed record LiveEvent
{
    /// <summary>issue, escalation, whistle, cell_status, counters …</summary>
    [Id(0)] public required string Kind { get; init; }
    [Id(1)] public required string CommunityCode { get; init; }
    [Id(2)] public string? CellCode { get; init; }
    /// <summary>One line for the ticker; never residents' personal data.</summary>
    [Id(3)] public string Text { get; init; } = "";
    [Id(4)] public required DateTimeOffset AtUtc { get; init; }
    [Id(5)] public string? IssueId { get; init; }
    [Id(6)] public string? Status { get; init; }
}

/// <summary>Where grains send live events; the node delivers them to SignalR clients.</summary>
public interface ILiveEvents
{
    void Publish(LiveEvent e);
}

/// <summary>For hosts without live clients (tests of grains alone).</summary>
public sealed class NoLiveEvents : ILiveEvents
{
    public void Publish(LiveEvent e) { }
}
