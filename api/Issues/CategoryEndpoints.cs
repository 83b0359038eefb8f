using System.Collections.Immutable;
using System.Text.RegularExpressions;
using Grid.Api.Problems;
using Grid.Contracts;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;

namespace Grid.Api.Issues;

public sealed record CategoryRequest(string? Name, string? Kind, int? HandlingHours, AssigneeKind? DefaultRoute, string? RouteOrganCode);

public static partial class CategoryEndpoints
{
    [GeneratedRegex(@"^\d{2}(\.\d{2})?$")]
    private static partial Regex CodePattern();

    public static void MapCategoryEndpoints(this IEndpointRouteBuilder api)
    {
        var categories = api.MapGroup("/categories").WithTags("Issues");
        categories.MapGet("/", All).WithSummary("The category tree: classes (01) and subclasses (01.01) with handling hours and default route.");
        categories.MapPut("/{code}", Save).RequireAuthorization(p => p.RequireRole(Roles.Admin))
            .WithSummary("Create or change a category (admin).");
    }

    private static async Task<Ok<ImmutableArray<IssueCategory>>> All(IGrainFactory grains) =>
        TypedResults.Ok(await grains.GetGrain<ICategoryCatalogGrain>(ICategoryCatalogGrain.Key).All());

    private static async Task<Results<Ok<ImmutableArray<IssueCategory>>, ValidationProblem>> Save(string code, CategoryRequest? request, IGrainFactory grains)
    {
        var errors = new FieldErrors();
        errors.AddIf(!CodePattern().IsMatch(code), "code", "must be two digits for a class (10) or class.subclass (10.01).");
        errors.Text("name", request?.Name, 50);
        errors.AddIf(request?.Kind is not ("component" or "event"), "kind", "must be component (部件) or event (事件).");
        errors.AddIf(request?.HandlingHours is not (>= 1 and <= 24 * 90), "handlingHours", "must be 1 to 2160 hours.");
        if (request?.DefaultRoute == AssigneeKind.Organ) errors.AddIfNotNull("routeOrganCode", OrganCodes.Error(request.RouteOrganCode));
        errors.AddIf(request?.DefaultRoute == AssigneeKind.Member, "defaultRoute", "must be grid_worker or organ.");
        var catalog = grains.GetGrain<ICategoryCatalogGrain>(ICategoryCatalogGrain.Key);
        var parent = code.Length == 5 ? code[..2] : null;
        if (parent is not null && await catalog.Find(parent) is null) errors.Add("code", $"class {parent} does not exist; create it first.");
        if (request?.DefaultRoute == AssigneeKind.Organ && request.RouteOrganCode is { } organ && OrganCodes.IsValid(organ) &&
            await grains.GetGrain<IOrganGrain>(organ).Get() is null)
            errors.Add("routeOrganCode", $"No organ {organ}.");
        if (errors.Any) return errors.ToProblem();
        return TypedResults.Ok(await catalog.Save(new IssueCategory
        {
            Code = code,
            Name = request!.Name!.Trim(),
            Kind = request.Kind!,
            ParentCode = parent,
            HandlingHours = request.HandlingHours!.Value,
            DefaultRoute = request.DefaultRoute ?? AssigneeKind.GridWorker,
            RouteOrganCode = request.DefaultRoute == AssigneeKind.Organ ? request.RouteOrganCode : null,
        }));
    }
}
