using System.Collections.Immutable;
using Grid.Api.Auth;
using Grid.Api.Directory;
using Grid.Api.Problems;
using Grid.Contracts;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;

namespace Grid.Api.Members;

public sealed record RosterLine(string? Name, string? Phone);

/// <summary>个人报到: a person on an organ's roster registers with a community and becomes a member there.</summary>
public sealed record RegistrationRequest(string? Phone, string? Name, string? CommunityCode, string? Branch, string? CellCode);

public sealed record RosterResponse(ImmutableArray<RosterView> Entries);

public sealed record RosterView(string Name, string Phone, string? MemberId, string? CommunityCode, DateTimeOffset? RegisteredUtc);

/// <summary>双报到: organs register with communities, their members register one by one, and the figures that follow.</summary>
public static class OrganEndpoints
{
    public const int MaxRoster = 5000;

    public static void MapOrganEndpoints(this IEndpointRouteBuilder api)
    {
        var organs = api.MapGroup("/organs/{code}").WithTags("Sinking down");
        organs.MapPut("/roster", SetRoster).RequireAuthorization(p => p.RequireRole(Roles.Admin)).Produces<RosterResponse>()
            .WithSummary("The people the organ must send down (admin): [{name, phone}]. Registrations already made are kept.");
        organs.MapGet("/roster", Roster).Produces<RosterResponse>().WithSummary("The roster with who has registered; ?unregistered=true lists those who have not.");
        organs.MapPost("/communities/{communityCode}", RegisterWith).RequireAuthorization(p => p.RequireRole(Roles.Admin, Roles.Committee)).Produces<OrganFigures>()
            .WithSummary("单位报到: the organ registers with a community.");
        organs.MapPost("/registrations", Register).RequireAuthorization(p => p.RequireRole(Roles.Admin, Roles.Committee))
            .Produces<MemberResponse>(StatusCodes.Status201Created).Produces<MemberResponse>()
            .WithSummary("个人报到: a person on the roster registers with a community; they become a member there (idempotent on phone).");
        organs.MapGet("/figures", Figures).Produces<OrganFigures>().WithSummary("报到率: members required, on the roster, registered, placed, and service time.");
    }

    /// <summary>An organ's people are seen by admins and the committees of the communities it works with.</summary>
    private static async Task<bool> MaySee(Caller caller, OrganCode organ, IGrainFactory grains) =>
        caller.IsAdmin || (caller.Role == Roles.Committee && (await grains.Organ(organ).Figures()).Communities.Contains(caller.CommunityCode!));

    /// <summary>The organ named in the path, or the problem to answer: 400 for a malformed code, 404 for an unknown one.</summary>
    private static async Task<(OrganCode? Organ, IResult? Problem)> Find(string code, IGrainFactory grains)
    {
        var errors = new FieldErrors();
        if (errors.Id<OrganCode>("code", code) is not { } organ) return (null, errors.ToProblem());
        return await grains.Organ(organ).Get() is null ? (null, Problem.NotFound($"机关 {organ} 不存在。")) : (organ, null);
    }

    private static async Task<IResult> SetRoster(string code, List<RosterLine?>? lines, IGrainFactory grains)
    {
        var errors = new FieldErrors();
        var organ = errors.Id<OrganCode>("code", code);
        if (lines is null) errors.Add("body", "请提供名单：[{name, phone}]。");
        else if (lines.Count > MaxRoster) errors.Add("body", $"最多 {MaxRoster} 人。");
        var phones = new HashSet<string>();
        for (var i = 0; lines is not null && i < Math.Min(lines.Count, MaxRoster); i++)
        {
            var line = lines[i];
            errors.Text($"[{i}].name", line?.Name, 50);
            if (!PersonalData.IsMobile(line?.Phone)) errors.Add($"[{i}].phone", RequestValidation.MobileError);
            else if (!phones.Add(line!.Phone!)) errors.Add($"[{i}].phone", "名单中重复出现。");
        }
        if (errors.Any) return errors.ToProblem();
        if (await grains.Organ(organ!.Value).Get() is null) return Problem.NotFound($"机关 {organ} 不存在。");
        var grain = grains.Organ(organ.Value);
        await grain.SetRoster([.. lines!.Select(l => new RosterEntry { Name = l!.Name!.Trim(), Phone = l.Phone! })]);
        return TypedResults.Ok(await View(grain, unregisteredOnly: false));
    }

    private static async Task<RosterResponse> View(IOrganGrain organ, bool unregisteredOnly) =>
        new([.. (await organ.Roster()).Where(e => !unregisteredOnly || e.MemberId is null)
            .Select(e => new RosterView(e.Name, e.Phone, e.MemberId, e.CommunityCode, e.RegisteredUtc))]);

    private static async Task<IResult> Roster(string code, bool? unregistered, IGrainFactory grains, Caller caller)
    {
        var (organ, problem) = await Find(code, grains);
        if (organ is not { } found) return problem!;
        if (!await MaySee(caller, found, grains)) return Problem.Forbidden("只有管理员和与该机关结对的社区党委可查看其名单。");
        return TypedResults.Ok(await View(grains.Organ(found), unregistered == true));
    }

    private static async Task<IResult> RegisterWith(string code, string communityCode, IGrainFactory grains, Caller caller)
    {
        var errors = new FieldErrors();
        var organ = errors.Id<OrganCode>("code", code);
        var community = errors.Id<CommunityCode>("communityCode", communityCode);
        if (errors.Any) return errors.ToProblem();
        if (!caller.CanEditDirectoryOf(community!.Value.Value)) return Problem.Forbidden($"您无权为社区 {community} 办理机关报到。");
        if (await grains.Organ(organ!.Value).Get() is null) return Problem.NotFound($"机关 {organ} 不存在。");
        if (await grains.Community(community.Value).Get() is null) return Problem.NotFound($"社区 {community} 不存在。");
        await grains.Organ(organ.Value).RegisterWith(community.Value);
        return TypedResults.Ok(await grains.Organ(organ.Value).Figures());
    }

    private static async Task<IResult> Register(string code, RegistrationRequest? request, IGrainFactory grains, Caller caller)
    {
        var errors = new FieldErrors();
        var organ = errors.Id<OrganCode>("code", code);
        if (request is null) return errors.Add("body", "请提供报到信息。").ToProblem();
        errors.AddIf(!PersonalData.IsMobile(request.Phone), "phone", RequestValidation.MobileError);
        var community = errors.Id<CommunityCode>("communityCode", request.CommunityCode);
        errors.Text("name", request.Name, 50, required: false);
        errors.Text("branch", request.Branch, 100, required: false);
        var cell = request.CellCode is null ? null : RequestValidation.CellIn(community, request.CellCode, "cellCode", errors);
        if (errors.Any) return errors.ToProblem();
        if (!caller.CanEditDirectoryOf(community!.Value.Value)) return Problem.Forbidden($"您无权在社区 {community} 登记党员。");
        var outcome = await grains.Registrations().RegisterOrganMember(organ!.Value, new OrganRegistration
        {
            Phone = request.Phone!,
            Community = community.Value,
            Name = string.IsNullOrWhiteSpace(request.Name) ? null : request.Name.Trim(),
            Branch = string.IsNullOrWhiteSpace(request.Branch) ? null : request.Branch.Trim(),
            Cell = cell,
        });
        return Registered.Member(outcome, caller);
    }

    private static async Task<IResult> Figures(string code, IGrainFactory grains)
    {
        var (organ, problem) = await Find(code, grains);
        return organ is { } found ? TypedResults.Ok(await grains.Organ(found).Figures()) : problem!;
    }
}
