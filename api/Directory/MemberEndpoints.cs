using Grid.Api.Auth;
using Grid.Api.Problems;
using Grid.Contracts;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;

namespace Grid.Api.Directory;

public static class MemberEndpoints
{
    public static void MapMemberEndpoints(this IEndpointRouteBuilder api)
    {
        var members = api.MapGroup("/members").WithTags("Directory");
        members.MapPost("/", Create)
            .RequireAuthorization(p => p.RequireRole(Roles.Admin, Roles.Committee))
            .Produces<MemberResponse>(StatusCodes.Status201Created).Produces<MemberResponse>().ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status403Forbidden).ProducesProblem(StatusCodes.Status409Conflict)
            .WithSummary("Register a Party member. Idempotent on community and phone: a retry answers 200 with the same member.");
        members.MapGet("/{id}", Get).WithSummary("One member; the phone is masked for roles that do not need it.");

        var organs = api.MapGroup("/organs").WithTags("Directory");
        organs.MapGet("/{code}", GetOrgan).WithSummary("An organ whose members sink down, with its registered members.");
        organs.MapPut("/{code}", DefineOrgan).RequireAuthorization(p => p.RequireRole(Roles.Admin))
            .WithSummary("Create or update an organ (admin).");
    }

    private static async Task<IResult> Create(MemberRequest? request, IGrainFactory grains, Caller caller)
    {
        var errors = new FieldErrors();
        var definition = RequestValidation.Validate(request, errors);
        if (definition is null) return errors.ToProblem();
        if (!caller.CanEditDirectoryOf(definition.CommunityCode)) return Problem.Forbidden($"您无权在社区 {definition.CommunityCode} 登记党员。");
        return Registered.Member(await grains.Registrations().RegisterMember(definition), caller);
    }

    private static async Task<Results<Ok<MemberResponse>, ValidationProblem, ProblemHttpResult>> Get(string id, IGrainFactory grains, Caller caller)
    {
        var errors = new FieldErrors();
        if (errors.Id<MemberId>("id", id) is not { } member) return errors.ToProblem();
        if (!caller.CanSeeCommunity(member.Community.Value) && caller.MemberId != member.Value) return Problem.Forbidden($"党员 {member} 不在您的管辖范围内。");
        var record = await grains.Member(member).Get();
        return record is null ? Problem.NotFound($"党员 {member} 不存在。") : TypedResults.Ok(MemberResponse.For(record, caller));
    }

    private static async Task<Results<Ok<OrganResponse>, ValidationProblem, ProblemHttpResult>> GetOrgan(string code, IGrainFactory grains)
    {
        var errors = new FieldErrors();
        if (errors.Id<OrganCode>("code", code) is not { } organ) return errors.ToProblem();
        var view = await grains.Organ(organ).Get();
        return view is null ? Problem.NotFound($"机关 {organ} 不存在。") : TypedResults.Ok(OrganResponse.From(view));
    }

    private static async Task<Results<Ok<OrganResponse>, ValidationProblem>> DefineOrgan(string code, OrganRequest? request, IGrainFactory grains)
    {
        var errors = new FieldErrors();
        var organ = errors.Id<OrganCode>("code", code);
        errors.Text("name", request?.Name, 100);
        errors.AddIf(request?.MembersRequired is < 0 or > 100_000, "membersRequired", "须在 0 到 100000 之间。");
        if (errors.Any) return errors.ToProblem();
        var view = await grains.Organ(organ!.Value).Define(new OrganDefinition
        {
            Code = organ.Value.Value,
            Name = request!.Name!.Trim(),
            MembersRequired = request.MembersRequired ?? 0,
        });
        return TypedResults.Ok(OrganResponse.From(view));
    }
}
