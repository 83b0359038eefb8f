using Grid.Api.Auth;
using Grid.Api.Problems;
using Grid.Contracts;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;

namespace Grid.Api.Directory;

public static class HouseholdEndpoints
{
    public static void MapHouseholdEndpoints(this IEndpointRouteBuilder api)
    {
        var households = api.MapGroup("/households").WithTags("Directory");
        households.MapPost("/", Create)
            .RequireAuthorization(p => p.RequireRole(Roles.Admin, Roles.Committee, Roles.GridWorker))
            .Produces<HouseholdResponse>(StatusCodes.Status201Created).Produces<HouseholdResponse>().ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status403Forbidden).ProducesProblem(StatusCodes.Status409Conflict)
            .WithSummary("Register a household. Idempotent on cell and address: a retry answers 200 with the same household.");
        households.MapGet("/{id}", Get).WithSummary("One household; residents' personal data is masked for roles that do not need it.");
    }

    private static async Task<IResult> Create(HouseholdRequest? request, IGrainFactory grains, Caller caller)
    {
        var errors = new FieldErrors();
        var definition = RequestValidation.Validate(request, errors);
        if (definition is null) return errors.ToProblem();
        if (!caller.CanEditHouseholds(definition.CellCode)) return Problem.Forbidden($"您无权在网格 {definition.CellCode} 登记住户。");
        return Registered.Household(await grains.Registrations().RegisterHousehold(definition, caller.Username), caller);
    }

    private static async Task<Results<Ok<HouseholdResponse>, ValidationProblem, ProblemHttpResult>> Get(string id, IGrainFactory grains, Caller caller)
    {
        var errors = new FieldErrors();
        if (errors.Id<HouseholdId>("id", id) is not { } household) return errors.ToProblem();
        // The id names the cell, so scope is checked before the household is loaded: no existence leaks.
        if (!caller.CanSeeCell(household.Cell.Value)) return Problem.Forbidden($"住户 {household} 不在您的管辖范围内。");
        var record = await grains.Household(household).Get();
        return record is null ? Problem.NotFound($"住户 {household} 不存在。") : TypedResults.Ok(HouseholdResponse.For(record, caller));
    }
}
