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
        organs.MapPut("/roster", SetRoster).RequireAuthorization(p => p.RequireRole(Roles.Admin))
            .WithSummary("The people the organ must send down (admin): [{name, phone}]. Registrations already made are kept.");
        organs.MapGet("/roster", Roster).WithSummary("The roster with who has registered; ?unregistered=true lists those who have not.");
        organs.MapPost("/communities/{communityCode}", RegisterWith).RequireAuthorization(p => p.RequireRole(Roles.Admin, Roles.Committee))
            .WithSummary("单位报到: the organ registers with a community.");
        organs.MapPost("/registrations", Register).RequireAuthorization(p => p.RequireRole(Roles.Admin, Roles.Committee))
            .WithSummary("个人报到: a person on the roster registers with a community; they become a member there (idempotent on phone).");
        organs.MapGet("/figures", Figures).WithSummary("报到率: members required, on the roster, registered, placed, and service time.");
    }

    private static async Task<OrganView?> Organ(string code, IGrainFactory grains) =>
        OrganCodes.IsValid(code) ? await grains.GetGrain<IOrganGrain>(code).Get() : null;

    /// <summary>An organ's people are seen by admins and the committees of the communities it works with.</summary>
    private static async Task<bool> MaySee(Caller caller, string code, IGrainFactory grains) =>
        caller.IsAdmin || (caller.Role == Roles.Committee && (await grains.GetGrain<IOrganGrain>(code).Figures()).Communities.Contains(caller.CommunityCode!));

    private static async Task<Results<Ok<RosterResponse>, ValidationProblem, ProblemHttpResult>> SetRoster(string code, List<RosterLine?>? lines, IGrainFactory grains)
    {
        var errors = new FieldErrors();
        errors.AddIfNotNull("code", OrganCodes.Error(code));
        if (lines is null) errors.Add("body", "A list of {name, phone} is required.");
        else if (lines.Count > MaxRoster) errors.Add("body", $"At most {MaxRoster} people.");
        var phones = new HashSet<string>();
        for (var i = 0; lines is not null && i < Math.Min(lines.Count, MaxRoster); i++)
        {
            var line = lines[i];
            errors.Text($"[{i}].name", line?.Name, 50);
            if (!PersonalData.IsMobile(line?.Phone)) errors.Add($"[{i}].phone", "must be a mainland mobile number.");
            else if (!phones.Add(line!.Phone!)) errors.Add($"[{i}].phone", "appears twice.");
        }
        if (errors.Any) return errors.ToProblem();
        if (await Organ(code, grains) is null) return Problem.NotFound($"No organ {code}.");
        var organ = grains.GetGrain<IOrganGrain>(code);
        await organ.SetRoster([.. lines!.Select(l => new RosterEntry { Name = l!.Name!.Trim(), Phone = l.Phone! })]);
        return TypedResults.Ok(await View(organ, unregisteredOnly: false));
    }

    private static async Task<RosterResponse> View(IOrganGrain organ, bool unregisteredOnly) =>
        new([.. (await organ.Roster()).Where(e => !unregisteredOnly || e.MemberId is null)
            .Select(e => new RosterView(e.Name, e.Phone, e.MemberId, e.CommunityCode, e.RegisteredUtc))]);

    private static async Task<Results<Ok<RosterResponse>, ValidationProblem, ProblemHttpResult>> Roster(string code, bool? unregistered, IGrainFactory grains, Caller caller)
    {
        if (OrganCodes.Error(code) is { } error) return Problem.Invalid("code", error);
        if (await Organ(code, grains) is null) return Problem.NotFound($"No organ {code}.");
        if (!await MaySee(caller, code, grains)) return Problem.Forbidden("Only admins and the committees the organ works with see its roster.");
        return TypedResults.Ok(await View(grains.GetGrain<IOrganGrain>(code), unregistered == true));
    }

    private static async Task<Results<Ok<OrganFigures>, ValidationProblem, ProblemHttpResult>> RegisterWith(string code, string communityCode, IGrainFactory grains, Caller caller)
    {
        var errors = new FieldErrors();
        errors.AddIfNotNull("code", OrganCodes.Error(code));
        errors.AddIfNotNull("communityCode", GridCodes.CommunityCodeError(communityCode));
        if (errors.Any) return errors.ToProblem();
        if (!caller.CanEditDirectoryOf(communityCode)) return Problem.Forbidden($"You may not register organs with community {communityCode}.");
        if (await Organ(code, grains) is null) return Problem.NotFound($"No organ {code}.");
        if (await grains.GetGrain<ICommunityGrain>(communityCode).Get() is null) return Problem.NotFound($"No community {communityCode}.");
        await grains.GetGrain<IOrganGrain>(code).RegisterWith(communityCode);
        return TypedResults.Ok(await grains.GetGrain<IOrganGrain>(code).Figures());
    }

    private static async Task<Results<Created<MemberResponse>, Ok<MemberResponse>, ValidationProblem, ProblemHttpResult>> Register(
        string code, RegistrationRequest? request, IGrainFactory grains, Caller caller)
    {
        var errors = new FieldErrors();
        errors.AddIfNotNull("code", OrganCodes.Error(code));
        if (errors.Any) return errors.ToProblem();
        var organ = await Organ(code, grains);
        if (organ is null) return Problem.NotFound($"No organ {code}.");
        var grain = grains.GetGrain<IOrganGrain>(code);
        var onRoster = (await grain.Roster()).FirstOrDefault(e => e.Phone == request?.Phone);
        var member = RequestValidation.Validate(new MemberRequest(request?.Name ?? onRoster?.Name, request?.Phone, request?.CommunityCode,
            request?.Branch ?? $"{organ.Definition.Name}机关党支部", code, request?.CellCode, null, null, false, null, null), errors);
        if (member is null) return errors.ToProblem();
        if (!caller.CanEditDirectoryOf(member.CommunityCode)) return Problem.Forbidden($"You may not register members in community {member.CommunityCode}.");
        if (!(await grain.Figures()).Communities.Contains(member.CommunityCode))
            return Problem.Conflict($"Organ {code} has not registered with community {member.CommunityCode} (单位报到) yet.");
        await MemberEndpoints.CheckReferences(member, grains, errors);
        if (errors.Any) return errors.ToProblem();

        var id = (await grains.GetGrain<ICommunityGrain>(member.CommunityCode).ClaimMemberIds([member.Phone]))[0];
        var result = await grains.GetGrain<IPartyMemberGrain>(id).Create(member);
        var body = MemberResponse.For(result.Record, caller);
        return result.Outcome switch
        {
            CreateOutcome.Created => TypedResults.Created($"/api/members/{id}", body),
            CreateOutcome.AlreadyExists => TypedResults.Ok(body),
            _ => Problem.Conflict($"A different member is already registered with this phone in community {member.CommunityCode}.",
                new Dictionary<string, object?> { ["memberId"] = id }),
        };
    }

    private static async Task<Results<Ok<OrganFigures>, ValidationProblem, ProblemHttpResult>> Figures(string code, IGrainFactory grains)
    {
        if (OrganCodes.Error(code) is { } error) return Problem.Invalid("code", error);
        if (await Organ(code, grains) is null) return Problem.NotFound($"No organ {code}.");
        return TypedResults.Ok(await grains.GetGrain<IOrganGrain>(code).Figures());
    }
}
