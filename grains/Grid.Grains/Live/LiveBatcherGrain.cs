using System.Collections.Immutable;
using System.Diagnostics;
using Grid.Contracts;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Concurrency;

namespace Grid.Grains.Live;

/// <summary>
/// One per silo. The first event after a quiet spell opens a flush window; events arriving in
/// the window are coalesced; at its end the batch goes to every node at once. Reentrant, so
/// publishing never waits behind a delivery in flight; the activation's single thread keeps the
/// buffer consistent, and batches leave in order because one flush loop runs at a time.
/// Windows and refreshes run on real time (Task.Delay, Stopwatch), not the grains' clock.
/// </summary>
[StatelessWorker(1), Reentrant]
public sealed class LiveBatcherGrain(IOptions<LiveOptions> options, ILogger<LiveBatcherGrain> logger) : Grain, ILiveBatcherGrain
{
    private readonly LiveOptions settings = options.Value;
    private readonly LiveCoalescer pending = new(options.Value.TickerCap);
    private ImmutableArray<LiveNode> nodes = [];
    private long nodesReadAt;
    private bool flushing;

    public Task Publish(LiveEvent e)
    {
        pending.Add(e);
        if (!flushing)
        {
            flushing = true;
            _ = FlushLoop();
        }
        return Task.CompletedTask;
    }

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        if (!pending.IsEmpty) await Deliver(pending.Drain());
        await base.OnDeactivateAsync(reason, cancellationToken);
    }

    private async Task FlushLoop()
    {
        try
        {
            while (!pending.IsEmpty)
            {
                await Task.Delay(settings.FlushInterval);
                await Deliver(pending.Drain());
            }
        }
        catch (Exception e)
        {
            logger.LogWarning(e, "Live events not delivered");
        }
        finally
        {
            flushing = false;
        }
    }

    private async Task Deliver(LiveBatch batch)
    {
        if (batch.Events.IsEmpty) return;
        if (nodes.IsEmpty || Stopwatch.GetElapsedTime(nodesReadAt) > settings.NodeRefreshInterval) await ReadNodes();
        var delivered = await Task.WhenAll(nodes.Select(node => Send(node, batch)));
        // A node that failed is asked about again at the next flush: it may have gone.
        if (delivered.Contains(false)) nodesReadAt = 0;
    }

    private async Task<bool> Send(LiveNode node, LiveBatch batch)
    {
        try
        {
            await node.Observer.Deliver(batch).WaitAsync(settings.DeliveryTimeout);
            return true;
        }
        catch (Exception e)
        {
            logger.LogWarning(e, "Live batch of {Count} events not delivered to node {Silo}", batch.Events.Length, node.Silo);
            return false;
        }
    }

    private async Task ReadNodes()
    {
        try
        {
            nodes = await GrainFactory.GetGrain<ILiveNodeRegistryGrain>(0).Nodes();
            nodesReadAt = Stopwatch.GetTimestamp();
        }
        catch (Exception e)
        {
            // Keep the nodes known so far; the next flush asks again.
            logger.LogWarning(e, "The list of live nodes could not be read");
        }
    }
}

/// <summary>Every node's observer, as the nodes registered them, filtered by cluster membership.</summary>
public sealed class LiveNodeRegistryGrain(IClusterMembershipService membership) : Grain, ILiveNodeRegistryGrain
{
    private readonly Dictionary<SiloAddress, LiveNode> nodes = [];

    public Task Register(LiveNode node)
    {
        nodes[node.Silo] = node;
        return Task.CompletedTask;
    }

    public Task<ImmutableArray<LiveNode>> Nodes()
    {
        var members = membership.CurrentSnapshot;
        foreach (var silo in nodes.Keys.Where(s => members.GetSiloStatus(s) == SiloStatus.Dead).ToList()) nodes.Remove(silo);
        return Task.FromResult<ImmutableArray<LiveNode>>([.. nodes.Values.Where(n => members.GetSiloStatus(n.Silo) == SiloStatus.Active)]);
    }
}

/// <summary>
/// Grains' way in: a one-way call to the batcher of their own silo (a stateless worker is
/// always local), so publishing costs a local message and never waits.
/// </summary>
public sealed class ClusterLiveEvents(IGrainFactory grains, ILogger<ClusterLiveEvents> logger) : ILiveEvents
{
    public void Publish(LiveEvent e)
    {
        try
        {
            grains.GetGrain<ILiveBatcherGrain>(0).Publish(e).Ignore();
        }
        catch (Exception ex)
        {
            // Live events are a view: losing one must never fail the change that caused it.
            logger.LogWarning(ex, "Live event {Kind} not published", e.GetType().Name);
        }
    }
}
