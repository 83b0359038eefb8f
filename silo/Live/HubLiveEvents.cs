using Grid.Api.Hubs;
using Grid.Grains;
using Microsoft.AspNetCore.SignalR;

namespace Grid.Silo.Live;

/// <summary>
/// Delivers grain events to this node's SignalR clients, one group per community. A hub context
/// reaches only the clients of its own node; a cluster needs the per-node fan-out (issue 6).
/// </summary>
public sealed class HubLiveEvents(IHubContext<CommandHub> hub, ILogger<HubLiveEvents> logger) : ILiveEvents
{
    public void Publish(LiveEvent e)
    {
        var group = hub.Clients.Group(CommandHub.GroupOf(e.CommunityCode));
        var send = e.Kind switch
        {
            "cell_status" => group.SendAsync("cellStatus", new { cellCode = e.CellCode, status = e.Status }),
            "counters" => group.SendAsync("counters", System.Text.Json.JsonDocument.Parse(e.Text).RootElement),
            _ => group.SendAsync("event", new { kind = e.Kind, cellCode = e.CellCode, text = e.Text, atUtc = e.AtUtc, issueId = e.IssueId, status = e.Status }),
        };
        // Fire and forget: a slow browser must not hold up the grain that changed.
        send.ContinueWith(t => logger.LogWarning(t.Exception, "Live event {Kind} not delivered", e.Kind), TaskContinuationOptions.OnlyOnFaulted);
    }
}
