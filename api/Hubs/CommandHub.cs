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

    public static string GroupOf(CommunityCode community) => $"community:{community}";

    /// <summary>A member's own connections: their reminders are pushed there.</summary>
    public static string MemberGroupOf(MemberId member) => $"member:{member}";

    public override async Task OnConnectedAsync()
    {
        if (MemberId.TryParse(Caller.From(Context.User!).MemberId, null, out var member))
            await Groups.AddToGroupAsync(Context.ConnectionId, MemberGroupOf(member));
        await base.OnConnectedAsync();
    }

    public async Task JoinCommunity(string communityCode)
    {
        var code = Parse(communityCode);
        var caller = Caller.From(Context.User!);
        if (!caller.CanSeeCommunity(code.Value)) throw new HubException($"社区 {code} 不在您的权限范围内。");
        var community = grains.Community(code);
        if (await community.Get() is not { } view) throw new HubException($"社区 {code} 不存在。");

        // Join first, then read: a change after the read reaches the client as a delta stamped
        // later than the snapshot, and the client keeps the newer of the two.
        await Groups.AddToGroupAsync(Context.ConnectionId, GroupOf(code));
        var at = clock.GetUtcNow();
        var cells = await Task.WhenAll(view.CellCodes.Select(c => grains.GetGrain<IGridCellGrain>(c).Get()));
        var counters = await grains.CommunityIssues(code).DashboardCounters();
        await Clients.Caller.SendAsync(LiveMessages.Snapshot, LiveMessages.ForSnapshot(code, at, cells.OfType<CellView>(), counters));
    }

    public Task LeaveCommunity(string communityCode) =>
        Groups.RemoveFromGroupAsync(Context.ConnectionId, GroupOf(Parse(communityCode)));

    private static CommunityCode Parse(string communityCode) =>
        CommunityCode.TryParse(communityCode, null, out var code) ? code : throw new HubException(CommunityCode.Error(communityCode));
}
