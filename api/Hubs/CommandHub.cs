using Grid.Api.Auth;
using Grid.Contracts;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.SignalR;

namespace Grid.Api.Hubs;

/// <summary>
/// The command dashboard's live channel. Clients join the communities their role lets them
/// see and get a snapshot of the community at once; events are sent to one SignalR group per
/// community by the node's live fan-out. Clients join again after a reconnect, and so get a
/// fresh snapshot.
/// </summary>
[Authorize]
public sealed class CommandHub(IGrainFactory grains, TimeProvider clock) : Hub
{
    public const string Path = "/hubs/command";

    public static string GroupOf(string communityCode) => $"community:{communityCode}";

    /// <summary>A member's own connections: their reminders are pushed there.</summary>
    public static string MemberGroupOf(string memberId) => $"member:{memberId}";

    public override async Task OnConnectedAsync()
    {
        if (Caller.From(Context.User!).MemberId is { Length: > 0 } memberId)
            await Groups.AddToGroupAsync(Context.ConnectionId, MemberGroupOf(memberId));
        await base.OnConnectedAsync();
    }

    public async Task JoinCommunity(string communityCode)
    {
        if (GridCodes.CommunityCodeError(communityCode) is { } error) throw new HubException(error);
        var caller = Caller.From(Context.User!);
        if (!caller.CanSeeCommunity(communityCode)) throw new HubException($"Community {communityCode} is outside your scope.");
        var community = grains.GetGrain<ICommunityGrain>(communityCode);
        if (await community.Get() is not { } view) throw new HubException($"No community {communityCode}.");

        // Join first, then read: a change after the read reaches the client as a delta stamped
        // later than the snapshot, and the client keeps the newer of the two.
        await Groups.AddToGroupAsync(Context.ConnectionId, GroupOf(communityCode));
        var at = clock.GetUtcNow();
        var cells = await Task.WhenAll(view.CellCodes.Select(c => grains.GetGrain<IGridCellGrain>(c).Get()));
        var counters = await grains.GetGrain<ICommunityIssuesGrain>(communityCode).DashboardCounters();
        await Clients.Caller.SendAsync(LiveMessages.Snapshot, LiveMessages.ForSnapshot(communityCode, at, cells.OfType<CellView>(), counters));
    }

    public Task LeaveCommunity(string communityCode) =>
        Groups.RemoveFromGroupAsync(Context.ConnectionId, GroupOf(communityCode));
}
