using Grid.Api.Hubs;
using Grid.Grains.Live;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.Options;

namespace Grid.Silo.Live;

/// <summary>
/// This node's end of the live fan-out: the batchers of every silo hand it their batches, and it
/// sends each event to this node's SignalR clients in the event's community group. A hub context
/// reaches only the clients of its own node, which is why every node has one of these.
/// </summary>
public sealed class HubLiveNode(IHubContext<CommandHub> hub, ILogger<HubLiveNode> logger) : ILiveNodeObserver
{
    public Task Deliver(LiveBatch batch)
    {
        foreach (var group in batch.Events.GroupBy(LiveMessages.GroupOf))
        {
            LiveItem[] items = [.. group.Select(LiveMessages.For)];
            // Not awaited: a slow browser must not hold up the batcher, nor the other nodes it serves.
            // SignalR writes to each connection in the order of these calls.
            hub.Clients.Group(group.Key).SendAsync(LiveMessages.Batch, items)
                .ContinueWith(t => logger.LogWarning(t.Exception, "Live batch of {Count} events not sent to group {Group}", items.Length, group.Key),
                    CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
        }
        return Task.CompletedTask;
    }
}

/// <summary>
/// Registers this node's observer with the live-node registry at start and then periodically,
/// as the registry keeps no state: if it moves to another silo it is whole again within a period.
/// </summary>
public sealed class LiveNodeRegistration(
    IGrainFactory grains, ILocalSiloDetails silo, HubLiveNode node, IOptions<LiveOptions> options, ILogger<LiveNodeRegistration> logger)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // The observer object stays referenced by this service for the node's lifetime.
        var reference = grains.CreateObjectReference<ILiveNodeObserver>(node);
        var me = new LiveNode { Silo = silo.SiloAddress, Observer = reference };
        using var timer = new PeriodicTimer(options.Value.NodeRefreshInterval);
        try
        {
            do
            {
                try
                {
                    await grains.GetGrain<ILiveNodeRegistryGrain>(0).Register(me);
                }
                catch (Exception e) when (!stoppingToken.IsCancellationRequested)
                {
                    logger.LogWarning(e, "This node could not register for live events; trying again");
                }
            }
            while (await timer.WaitForNextTickAsync(stoppingToken));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        finally
        {
            grains.DeleteObjectReference<ILiveNodeObserver>(reference);
        }
    }
}
