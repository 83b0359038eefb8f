using System.Text.RegularExpressions;
using Grid.Api.Auth;
using Grid.Api.Problems;
using Grid.Contracts;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;

namespace Grid.Api.Directory;

public static partial class MemberEndpoints
{
    [GeneratedRegex(@"^\d{12}M\d{5,7}$")]
    private static partial Regex MemberIdPattern();

    public static void MapMemberEndpoints(this IEndpointRouteBuilder api)
    {
        var members = api.MapGroup("/members").WithTags("Directory");
        members.MapPost("/", Create)
            .RequireAuthorization(p => p.RequireRole(Roles.Admin, Roles.Committee))
            .WithSummary("Register a Party member. Idempotent on community and phone: a retry answers 200 with the same member.");
        members.MapGet("/{id}", Get).WithSummary("One member; the phone is masked for roles that do not need it.");

        var organs = api.MapGroup("/organs").WithTags("Directory");
        organs.MapGet("/{code}", GetOrgan).WithSummary("An organ whose members sink down, with its registered members.");
        organs.MapPut("/{code}", DefineOrgan).RequireAuthorization(p => p.RequireRole(Roles.Admin))
            .WithSummary("Create or update an organ (admin).");
    }

    /// <summary>Checks that need the directory: the community, cell and organ a member names must exist.</summary>
    internal static async Task CheckReferences(MemberDefinition d, IGrainFactory grains, FieldErrors errors, string prefix = "")
    {
        var community = await grains.GetGrain<ICommunityGrain>(d.CommunityCode).Get();
        if (community is null) errors.Add(prefix + "communityCode", $"No community {d.CommunityCode}.");
        if (d.CellCode is { } cell && community is not null && !community.CellCodes.Contains(cell))
            errors.Add(prefix + "cellCode", $"No cell {cell} in community {d.CommunityCode}.");
        if (d.OrganCode is { } organ && await grains.GetGrain<IOrganGrain>(organ).Get() is null)
            errors.Add(prefix + "organCode", $"No organ {organ}.");
    }

    private static async Task<Results<Created<MemberResponse>, Ok<MemberResponse>, ValidationProblem, ProblemHttpResult>> Create(
        MemberRequest? request, IGrainFactory grains, Caller caller)
    {
        var errors = new FieldErrors();
        var definition = RequestValidation.Validate(request, errors);
        if (definition is null) return errors.ToProblem();
        if (!caller.CanEditDirectoryOf(definition.CommunityCode)) return Problem.Forbidden($"You may not register members in community {definition.CommunityCode}.");
        await CheckReferences(definition, grains, errors);
        if (errors.Any) return errors.ToProblem();

        var id = (await grains.GetGrain<ICommunityGrain>(definition.CommunityCode).ClaimMemberIds([definition.Phone]))[0];
        var result = await grains.GetGrain<IPartyMemberGrain>(id).Create(definition);
        var body = MemberResponse.For(result.Record, caller);
        return result.Outcome switch
        {
            CreateOutcome.Created => TypedResults.Created($"/api/members/{id}", body),
            CreateOutcome.AlreadyExists => TypedResults.Ok(body),
            _ => Problem.Conflict($"A different member is already registered with this phone in community {definition.CommunityCode}.",
                new Dictionary<string, object?> { ["memberId"] = id }),
        };
    }

    private static async Task<Results<Ok<MemberResponse>, ValidationProblem, ProblemHttpResult>> Get(string id, IGrainFactory grains, Caller caller)
    {
        if (!MemberIdPattern().IsMatch(id) || !GridCodes.IsCommunityCode(id[..12]))
            return Problem.Invalid("id", "A member id is a 12-digit community code, 'M' and a number, e.g. 330503101001M00001.");
        if (!caller.CanSeeCommunity(id[..12]) && caller.MemberId != id) return Problem.Forbidden($"Member {id} is outside your scope.");
        var member = await grains.GetGrain<IPartyMemberGrain>(id).Get();
        return member is null ? Problem.NotFound($"No member {id}.") : TypedResults.Ok(MemberResponse.For(member, caller));
    }

    private static async Task<Results<Ok<OrganResponse>, ValidationProblem, ProblemHttpResult>> GetOrgan(string code, IGrainFactory grains)
    {
        if (OrganCodes.Error(code) is { } error) return Problem.Invalid("code", error);
        var organ = await grains.GetGrain<IOrganGrain>(code).Get();
        return organ is null ? Problem.NotFound($"No organ {code}.") : TypedResults.Ok(OrganResponse.From(organ));
    }

    private static async Task<Results<Ok<OrganResponse>, ValidationProblem>> DefineOrgan(string code, OrganRequest? request, IGrainFactory grains)
    {
        var errors = new FieldErrors();
        errors.AddIfNotNull("code", OrganCodes.Error(code));
        errors.Text("name", request?.Name, 100);
        errors.AddIf(request?.MembersRequired is < 0 or > 100_000, "membersRequired", "must be between 0 and 100000.");
        if (errors.Any) return errors.ToProblem();
        var view = await grains.GetGrain<IOrganGrain>(code).Define(new OrganDefinition
        {
            Code = code,
            Name = request!.Name!.Trim(),
            MembersRequired = request.MembersRequired ?? 0,
        });
        return TypedResults.Ok(OrganResponse.From(view));
    }
}
