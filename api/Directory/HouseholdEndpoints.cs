using System.Text.RegularExpressions;
using Grid.Api.Auth;
using Grid.Api.Problems;
using Grid.Contracts;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;

namespace Grid.Api.Directory;

public static partial class HouseholdEndpoints
{
    [GeneratedRegex(@"^\d{15}-\d{4,6}$")]
    private static partial Regex HouseholdIdPattern();

    public static void MapHouseholdEndpoints(this IEndpointRouteBuilder api)
    {
        var households = api.MapGroup("/households").WithTags("Directory");
        households.MapPost("/", Create)
            .RequireAuthorization(p => p.RequireRole(Roles.Admin, Roles.Committee, Roles.GridWorker))
            .WithSummary("Register a household. Idempotent on cell and address: a retry answers 200 with the same household.");
        households.MapGet("/{id}", Get).WithSummary("One household; residents' personal data is masked for roles that do not need it.");
    }

    private static async Task<Results<Created<HouseholdResponse>, Ok<HouseholdResponse>, ValidationProblem, ProblemHttpResult>> Create(
        HouseholdRequest? request, IGrainFactory grains, Caller caller)
    {
        var errors = new FieldErrors();
        var definition = RequestValidation.Validate(request, errors);
        if (definition is null) return errors.ToProblem();
        if (!caller.CanEditHouseholds(definition.CellCode)) return Problem.Forbidden($"You may not register households in cell {definition.CellCode}.");

        var cell = grains.GetGrain<IGridCellGrain>(definition.CellCode);
        if (await cell.Get() is not { } view) return Problem.Invalid("cellCode", $"No cell {definition.CellCode}.");
        if (definition.Location is { } at && GeoDistance.ToRingMeters(at, view.Definition.Boundary) > GeoDistance.CellToleranceMeters)
            return Problem.Invalid("location", $"The position is outside cell {definition.CellCode}.");
        var id = (await cell.ClaimHouseholdIds([definition.Address]))[0];
        var result = await grains.GetGrain<IHouseholdGrain>(id).Create(definition, caller.Username);
        var body = HouseholdResponse.For(result.Record, caller);
        return result.Outcome switch
        {
            CreateOutcome.Created => TypedResults.Created($"/api/households/{id}", body),
            CreateOutcome.AlreadyExists => TypedResults.Ok(body),
            _ => Problem.Conflict($"A different household is already registered at '{definition.Address}' in cell {definition.CellCode}.",
                new Dictionary<string, object?> { ["householdId"] = id }),
        };
    }

    private static async Task<Results<Ok<HouseholdResponse>, ValidationProblem, ProblemHttpResult>> Get(string id, IGrainFactory grains, Caller caller)
    {
        if (!HouseholdIdPattern().IsMatch(id) || !GridCodes.IsCellCode(id[..15]))
            return Problem.Invalid("id", "A household id is a 15-digit cell code, '-' and a number, e.g. 330503101001001-0001.");
        // The id names the cell, so scope is checked before the household is loaded: no existence leaks.
        if (!caller.CanSeeCell(id[..15])) return Problem.Forbidden($"Household {id} is outside your scope.");
        var household = await grains.GetGrain<IHouseholdGrain>(id).Get();
        return household is null ? Problem.NotFound($"No household {id}.") : TypedResults.Ok(HouseholdResponse.For(household, caller));
    }
}
