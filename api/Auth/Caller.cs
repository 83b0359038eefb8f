using System.Collections.Immutable;
using System.Security.Claims;
using Grid.Contracts;

namespace Grid.Api.Auth;

/// <summary>
/// Who is calling and where they may act. Roles are scoped: a committee, a scheduler and a
/// member to one community, a grid worker to their cells, an admin everywhere.
/// </summary>
public sealed record Caller(string Username, string Role, string? CommunityCode, ImmutableArray<string> CellCodes, string? MemberId)
{
    public static Caller From(ClaimsPrincipal user) => new(
        user.FindFirstValue(GridClaims.Subject) ?? "",
        user.FindFirstValue(GridClaims.Role) ?? "",
        user.FindFirstValue(GridClaims.Community),
        [.. user.FindAll(GridClaims.Cell).Select(c => c.Value)],
        user.FindFirstValue(GridClaims.Member));

    /// <summary>Lets endpoints take a Caller parameter, bound from the authenticated user.</summary>
    public static ValueTask<Caller?> BindAsync(Microsoft.AspNetCore.Http.HttpContext context) => ValueTask.FromResult<Caller?>(From(context.User));

    public bool IsAdmin => Role == Roles.Admin;

    public bool CanSeeCommunity(string communityCode) => IsAdmin || CommunityCode == communityCode;

    public bool CanSeeCell(string cellCode) => CanSeeCommunity(GridCodes.CommunityOf(cellCode));

    /// <summary>Residents' names, phones and ID numbers: the committee of the community and the cell's own grid worker.</summary>
    public bool CanSeeResidents(string cellCode) =>
        IsAdmin ||
        (Role == Roles.Committee && CommunityCode == GridCodes.CommunityOf(cellCode)) ||
        (Role == Roles.GridWorker && CellCodes.Contains(cellCode));

    public bool CanEditHouseholds(string cellCode) => CanSeeResidents(cellCode);

    public bool CanEditDirectoryOf(string communityCode) => IsAdmin || (Role == Roles.Committee && CommunityCode == communityCode);

    /// <summary>Recurring activities (红色星期六): the community's scheduler and committee, and admins.</summary>
    public bool CanScheduleIn(string communityCode) =>
        IsAdmin || ((Role is Roles.Committee or Roles.Scheduler) && CommunityCode == communityCode);

    /// <summary>A member's phone: the member, their committee, and the grid worker of the cell they serve in.</summary>
    public bool CanSeeMemberContact(MemberRecord member) =>
        CanEditDirectoryOf(member.Definition.CommunityCode) ||
        (MemberId is not null && MemberId == member.Id) ||
        (Role == Roles.GridWorker && member.Definition.CellCode is { } cell && CellCodes.Contains(cell));
}
