using Grid.Api.Auth;
using Grid.Api.Problems;
using Grid.Contracts;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;

namespace Grid.Api.Directory;

public static class CommunityEndpoints
{
    public static void MapCommunityEndpoints(this IEndpointRouteBuilder api)
    {
        var communities = api.MapGroup("/communities").WithTags("Directory");
        communities.MapGet("/", List).WithSummary("Communities the caller may see.");
        communities.MapGet("/{code}", Get).WithSummary("One community, with its cell codes.");
        communities.MapPut("/{code}", Define).RequireAuthorization(p => p.RequireRole(Roles.Admin))
            .WithSummary("Create or update a community (admin).");
        communities.MapGet("/{code}/cells", Cells).WithSummary("The cells of a community, with boundaries.");

        api.MapGet("/cells/{code}", Cell).WithTags("Directory").WithSummary("One grid cell.");
    }

    private static async Task<Ok<List<CommunityView>>> List(IGrainFactory grains, Caller caller)
    {
        var codes = await grains.GetGrain<IDirectoryGrain>(IDirectoryGrain.RootKey).CommunityCodes();
        var views = await Task.WhenAll(codes.Where(caller.CanSeeCommunity).Select(c => grains.GetGrain<ICommunityGrain>(c).Get()));
        return TypedResults.Ok(views.OfType<CommunityView>().ToList());
    }

    private static async Task<Results<Ok<CommunityView>, ValidationProblem, ProblemHttpResult>> Get(string code, IGrainFactory grains, Caller caller)
    {
        if (CommunityCode.Error(code) is { } error) return Problem.Invalid("code", error);
        if (!caller.CanSeeCommunity(code)) return Problem.Forbidden($"社区 {code} 不在您的管辖范围内。");
        var view = await grains.GetGrain<ICommunityGrain>(code).Get();
        return view is null ? Problem.NotFound($"社区 {code} 不存在。") : TypedResults.Ok(view);
    }

    private static async Task<Results<Ok<CommunityView>, ValidationProblem>> Define(string code, CommunityRequest? request, IGrainFactory grains)
    {
        var errors = new FieldErrors();
        errors.Id<CommunityCode>("code", code);
        errors.Text("name", request?.Name, 50);
        errors.AddIf(request?.Kind is not (null or "社区" or "村"), "kind", "须为“社区”或“村”。");
        errors.Text("township", request?.Township, 50, required: false);
        var centre = RequestValidation.Point(request?.Centre, "centre", errors);
        errors.Text("serviceCentreAddress", request?.ServiceCentreAddress, 200, required: false);
        errors.Text("serviceCentreHours", request?.ServiceCentreHours, 100, required: false);
        if (errors.Any) return errors.ToProblem();

        var view = await grains.GetGrain<ICommunityGrain>(code).Define(new CommunityDefinition
        {
            Code = code,
            Name = request!.Name!.Trim(),
            Kind = request.Kind ?? "社区",
            Township = request.Township?.Trim() ?? "",
            Centre = centre!.Value,
            ServiceCentreAddress = request.ServiceCentreAddress?.Trim() ?? "",
            ServiceCentreHours = request.ServiceCentreHours?.Trim() ?? "",
        });
        return TypedResults.Ok(view);
    }

    private static async Task<Results<Ok<List<CellView>>, ValidationProblem, ProblemHttpResult>> Cells(string code, IGrainFactory grains, Caller caller)
    {
        if (CommunityCode.Error(code) is { } error) return Problem.Invalid("code", error);
        if (!caller.CanSeeCommunity(code)) return Problem.Forbidden($"社区 {code} 不在您的管辖范围内。");
        var community = await grains.GetGrain<ICommunityGrain>(code).Get();
        if (community is null) return Problem.NotFound($"社区 {code} 不存在。");
        var cells = await Task.WhenAll(community.CellCodes.Select(c => grains.GetGrain<IGridCellGrain>(c).Get()));
        return TypedResults.Ok(cells.OfType<CellView>().ToList());
    }

    private static async Task<Results<Ok<CellView>, ValidationProblem, ProblemHttpResult>> Cell(string code, IGrainFactory grains, Caller caller)
    {
        if (CellCode.Error(code) is { } error) return Problem.Invalid("code", error);
        if (!caller.CanSeeCell(code)) return Problem.Forbidden($"网格 {code} 不在您的管辖范围内。");
        var cell = await grains.GetGrain<IGridCellGrain>(code).Get();
        return cell is null ? Problem.NotFound($"网格 {code} 不存在。") : TypedResults.Ok(cell);
    }
}
