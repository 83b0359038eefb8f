using System.Collections.Immutable;
using Grid.Contracts;
using Orleans.Concurrency;

namespace Grid.Grains.Live;

/// <summary>What one batcher sends every node in one flush.</summary>
[GenerateSerializer, Immutable, Alias("grid.LiveBatch")]
public sealed record LiveBatch
{
    [Id(0)] public ImmutableArray<LiveEvent> Events { get; init; } = [];
}

/// <summary>
/// The per-silo batcher (a stateless worker, one activation per silo): grains publish to the
/// one on their own silo without waiting (one-way), and it flushes coalesced batches to every
/// node's <see cref="ILiveNodeObserver"/>.
/// </summary>
[Alias("grid.ILiveBatcherGrain")]
public interface ILiveBatcherGrain : IGrainWithIntegerKey
{
    [OneWay, Alias("Publish")] Task Publish(LiveEvent e);
}

/// <summary>One per node: hands a batch to that node's SignalR clients.</summary>
[Alias("grid.ILiveNodeObserver")]
public interface ILiveNodeObserver : IGrainObserver
{
    [Alias("Deliver")] Task Deliver(LiveBatch batch);
}

[GenerateSerializer, Immutable, Alias("grid.LiveNode")]
public sealed record LiveNode
{
    [Id(0)] public required SiloAddress Silo { get; init; }
    [Id(1)] public required ILiveNodeObserver Observer { get; init; }
}

/// <summary>
/// Which nodes take live events (key 0). Kept in memory only: every node registers again
/// periodically, so a registry that moved to another silo is whole again within one period.
/// </summary>
[Alias("grid.ILiveNodeRegistryGrain")]
public interface ILiveNodeRegistryGrain : IGrainWithIntegerKey
{
    [Alias("Register")] Task Register(LiveNode node);
    /// <summary>The nodes whose silos are active in the cluster; dead ones are forgotten.</summary>
    [Alias("Nodes")] Task<ImmutableArray<LiveNode>> Nodes();
}
