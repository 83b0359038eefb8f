using Grid.Api.Auth;
using Grid.Contracts;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.SignalR;

namespace Grid.Api.Hubs;

/// <summary>
/// The command dashboard's live channel. Clients join the communities their role lets them
/// see; events are sent to one SignalR group per community.
/// </summary>
[Authorize]
public sealed class CommandHub : Hub
{
    public const string Path = "/hubs/command";

    public static string GroupOf(string communityCode) => $"community:{communityCode}";

    public async Task JoinCommunity(string communityCode)
    {
        if (GridCodes.CommunityCodeError(communityCode) is { } error) throw new HubException(error);
        var caller = Caller.From(Context.User!);
        if (!caller.CanSeeCommunity(communityCode)) throw new HubException($"Community {communityCode} is outside your scope.");
        await Groups.AddToGroupAsync(Context.ConnectionId, GroupOf(communityCode));
    }

    public Task LeaveCommunity(string communityCode) =>
        Groups.RemoveFromGroupAsync(Context.ConnectionId, GroupOf(communityCode));
}
