using System.Collections.Immutable;
using System.Text.RegularExpressions;
using Grid.Api.Problems;
using Grid.Contracts;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;

namespace Grid.Api.Auth;

public sealed record UserRequest(
    string? DisplayName, string? Role, string? CommunityCode, IReadOnlyList<string?>? CellCodes, string? MemberId, string? Password);

/// <summary>A login as the admin sees it: never the password hash.</summary>
public sealed record UserResponse(string Username, string DisplayName, string Role, string? CommunityCode, ImmutableArray<string> CellCodes, string? MemberId, bool IsDemo)
{
    public static UserResponse From(UserAccount a) => new(a.Username, a.DisplayName, a.Role, a.CommunityCode, a.CellCodes, a.MemberId, a.IsDemo);
}

public static partial class UserEndpoints
{
    [GeneratedRegex("^[a-z][a-z0-9._-]{2,31}$")]
    private static partial Regex UsernamePattern();

    public const int MinPasswordLength = 10;

    public static void MapUserEndpoints(this IEndpointRouteBuilder api)
    {
        var users = api.MapGroup("/users").WithTags("Auth").RequireAuthorization(p => p.RequireRole(Roles.Admin));
        users.MapPut("/{username}", Save).WithSummary("Create or update a login (admin). The password may be left out to keep the current one.");
        users.MapGet("/{username}", Get).WithSummary("One login (admin).");
        api.MapGet("/me", Me).WithTags("Auth").WithSummary("The caller's own login and scope.");
    }

    private static async Task<Results<Ok<UserResponse>, ValidationProblem>> Save(string username, UserRequest? request, IGrainFactory grains, TimeProvider clock)
    {
        var errors = new FieldErrors();
        errors.AddIf(!UsernamePattern().IsMatch(username), "username", "须为 3～32 个字符：小写字母、数字、「.」「_」或「-」，并以字母开头。");
        errors.Text("displayName", request?.DisplayName, 50);
        errors.AddIf(!Roles.IsKnown(request?.Role), "role", $"须为 {string.Join("、", Roles.All)} 之一。");
        var role = request?.Role;
        var cells = (request?.CellCodes ?? []).ToList();
        if (role is Roles.Committee or Roles.Scheduler or Roles.Member or Roles.GridWorker)
            errors.AddIfNotNull("communityCode", GridCodes.CommunityCodeError(request?.CommunityCode));
        if (role == Roles.GridWorker)
        {
            errors.AddIf(cells.Count == 0, "cellCodes", "网格员至少需要负责一个网格。");
            foreach (var (cell, i) in cells.Select((c, i) => (c, i)))
            {
                if (GridCodes.CellCodeError(cell) is { } error) errors.Add($"cellCodes[{i}]", error);
                else if (GridCodes.CommunityOf(cell!) != request?.CommunityCode) errors.Add($"cellCodes[{i}]", $"网格 {cell} 不属于社区 {request?.CommunityCode}。");
            }
        }
        if (role == Roles.Member) errors.AddIf(string.IsNullOrWhiteSpace(request?.MemberId), "memberId", "党员账号须指明对应的党员。");

        var grain = grains.GetGrain<IUserGrain>(username);
        var existing = await grain.Get();
        if (existing is null || request?.Password is not null)
            errors.AddIf(request?.Password is null || request.Password.Length < MinPasswordLength || request.Password.Length > 256,
                "password", $"须为 {MinPasswordLength}～256 个字符。");
        if (errors.Any) return errors.ToProblem();

        var community = request!.CommunityCode is { } code ? await grains.GetGrain<ICommunityGrain>(code).Get() : null;
        if (request.CommunityCode is not null && community is null) errors.Add("communityCode", $"社区 {request.CommunityCode} 不存在。");
        if (role == Roles.GridWorker && community is not null)
        {
            foreach (var (cell, i) in cells.Select((c, i) => (c, i)))
                errors.AddIf(!community.CellCodes.Contains(cell!), $"cellCodes[{i}]", $"网格 {cell} 不存在。");
        }
        if (role == Roles.Member && await grains.GetGrain<IPartyMemberGrain>(request.MemberId!).Get() is null)
            errors.Add("memberId", $"党员 {request.MemberId} 不存在。");
        if (errors.Any) return errors.ToProblem();

        var account = new UserAccount
        {
            Username = username,
            DisplayName = request.DisplayName!.Trim(),
            Role = role!,
            CommunityCode = role == Roles.Admin ? null : request.CommunityCode,
            CellCodes = role == Roles.GridWorker ? [.. cells.OfType<string>().Distinct()] : [],
            MemberId = role == Roles.Member ? request.MemberId : null,
            PasswordHash = request.Password is { } password ? Passwords.Hash(password) : existing!.PasswordHash,
            CreatedUtc = existing?.CreatedUtc ?? clock.GetUtcNow(),
        };
        await grain.Save(account);
        // The cells list their grid workers (for the map and for routing issues): keep them in step.
        var worker = new GridWorkerRef { Username = username, DisplayName = account.DisplayName };
        foreach (var cell in account.CellCodes) await grains.GetGrain<IGridCellGrain>(cell).SetGridWorker(worker, assigned: true);
        foreach (var cell in (existing?.CellCodes ?? []).Except(account.CellCodes))
            await grains.GetGrain<IGridCellGrain>(cell).SetGridWorker(worker, assigned: false);
        return TypedResults.Ok(UserResponse.From(account));
    }

    private static async Task<Results<Ok<UserResponse>, ProblemHttpResult>> Get(string username, IGrainFactory grains)
    {
        var account = UsernamePattern().IsMatch(username) ? await grains.GetGrain<IUserGrain>(username).Get() : null;
        return account is null ? Problem.NotFound($"用户 {username} 不存在。") : TypedResults.Ok(UserResponse.From(account));
    }

    private static async Task<Results<Ok<UserResponse>, ProblemHttpResult>> Me(Caller caller, IGrainFactory grains)
    {
        var account = await grains.GetGrain<IUserGrain>(caller.Username).Get();
        return account is null ? Problem.NotFound("您的账号已不存在。") : TypedResults.Ok(UserResponse.From(account));
    }
}
