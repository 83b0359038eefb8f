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
        errors.AddIf(!CodePattern().IsMatch(code), "code", "大类须为两位数字（如 10），小类须为 大类.小类（如 10.01）。");
        errors.Text("name", request?.Name, 50);
        errors.AddIf(request?.Kind is not ("component" or "event"), "kind", "须为 component（部件）或 event（事件）。");
        errors.AddIf(request?.HandlingHours is not (>= 1 and <= 24 * 90), "handlingHours", "须为 1～2160 小时。");
        if (request?.DefaultRoute == AssigneeKind.Organ) errors.AddIfNotNull("routeOrganCode", OrganCodes.Error(request.RouteOrganCode));
        errors.AddIf(request?.DefaultRoute == AssigneeKind.Member, "defaultRoute", "须为 grid_worker 或 organ。");
        var catalog = grains.GetGrain<ICategoryCatalogGrain>(ICategoryCatalogGrain.Key);
        var parent = code.Length == 5 ? code[..2] : null;
        if (parent is not null && await catalog.Find(parent) is null) errors.Add("code", $"大类 {parent} 不存在，请先建立。");
        if (request?.DefaultRoute == AssigneeKind.Organ && request.RouteOrganCode is { } organ && OrganCodes.IsValid(organ) &&
            await grains.GetGrain<IOrganGrain>(organ).Get() is null)
            errors.Add("routeOrganCode", $"机关 {organ} 不存在。");
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
