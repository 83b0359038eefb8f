using Grid.Api.Auth;
using Grid.Api.Problems;
using Grid.Contracts;
using Grid.Grains;
using Grid.Grains.Members;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Net.Http.Headers;

namespace Grid.Api.Members;

public sealed record AssignmentRequest(
    string? MemberId, string? CellCode, AssignmentKind? Kind, string? Title, string? Description, DateTimeOffset? DueUtc, string? HouseholdId);

public sealed record AssignmentActionRequest(string? Note);

public sealed record AssignmentResponse(
    string Id, string MemberId, string CellCode, AssignmentKind Kind, string Title, string Description, DateTimeOffset DueUtc,
    string? IssueId, string? HouseholdId, AssignmentStatus Status, string AssignedBy, DateTimeOffset AssignedUtc,
    System.Collections.Immutable.ImmutableArray<ServiceSpan> Spans, int ServiceMinutes, string CompletionNote, DateTimeOffset? CompletedUtc,
    int Version, bool Overdue)
{
    public static AssignmentResponse From(AssignmentRecord a, DateTimeOffset now) => new(
        a.Id, a.Definition.MemberId, a.Definition.CellCode, a.Definition.Kind, a.Definition.Title, a.Definition.Description, a.Definition.DueUtc,
        a.Definition.IssueId, a.Definition.HouseholdId, a.Status, a.AssignedBy, a.AssignedUtc, a.Spans, a.ServiceMinutes, a.CompletionNote,
        a.CompletedUtc, a.Version, a.IsOverdueAt(now));
}

/// <summary>任务: the committee or a cell's grid worker gives work to members placed in the cell.</summary>
public static class AssignmentEndpoints
{
    public static void MapAssignmentEndpoints(this IEndpointRouteBuilder api)
    {
        var assignments = api.MapGroup("/assignments").WithTags("Members");
        assignments.MapPost("/", Create).Produces<AssignmentResponse>(StatusCodes.Status201Created).ProducesValidationProblem().WithSummary("Assign work to a member placed in the cell: visit_household, patrol, activity_post or other.");
        assignments.MapGet("/{id}", Get).Produces<AssignmentResponse>().WithSummary("One assignment; overdue when its due time has passed before completion.");
        assignments.MapPost("/{id}/{action}", Act).Produces<AssignmentResponse>().ProducesProblem(StatusCodes.Status409Conflict).WithSummary("accept, check-in, check-out, complete (with note) by the member; cancel by the assigner.");
    }

    private static string? IdError(string id) =>
        id.Length >= 20 && GridCodes.IsCellCode(id[..15]) && id[15] == '-' && id.Length <= 40 ? null : "An assignment id starts with the cell code, e.g. 330503101001001-A2026-00001.";

    private static async Task<IResult> Create(AssignmentRequest? request, IGrainFactory grains, Caller caller, TimeProvider clock)
    {
        var errors = new FieldErrors();
        errors.AddIfNotNull("cellCode", GridCodes.CellCodeError(request?.CellCode));
        errors.Text("memberId", request?.MemberId, 20);
        errors.AddIf(request?.Kind is null or AssignmentKind.HandleIssue, "kind",
            "must be visit_household, patrol, activity_post or other (issues become assignments by dispatching them).");
        errors.Text("title", request?.Title, 100);
        errors.Text("description", request?.Description, 2000, required: false, multiline: true);
        var now = clock.GetUtcNow();
        errors.AddIf(request?.DueUtc is not { } due || due <= now || due > now.AddDays(366), "dueUtc", "must be a time in the coming year.");
        errors.AddIf(request?.Kind == AssignmentKind.VisitHousehold && request.HouseholdId is null, "householdId", "a visit names the household.");
        if (errors.Any) return errors.ToProblem();
        var cell = request!.CellCode!;
        var mayAssign = caller.CanEditDirectoryOf(GridCodes.CommunityOf(cell)) || (caller.Role == Roles.GridWorker && caller.CellCodes.Contains(cell));
        if (!mayAssign) return Problem.Forbidden($"Only the committee or the grid worker of cell {cell} assigns work there.");
        var member = await grains.GetGrain<IPartyMemberGrain>(request.MemberId!).Get();
        if (member?.Definition.CellCode != cell) return Problem.Invalid("memberId", $"{request.MemberId} is not a member placed in cell {cell}.");
        if (request.HouseholdId is { } household && (!household.StartsWith(cell + "-", StringComparison.Ordinal) || await grains.GetGrain<IHouseholdGrain>(household).Get() is null))
            return Problem.Invalid("householdId", $"No household {household} in cell {cell}.");

        var id = await grains.GetGrain<IGridCellGrain>(cell).NextAssignmentId(now.ToOffset(ChinaTime.Offset).Year);
        var created = await grains.GetGrain<IAssignmentGrain>(id).Create(new AssignmentDefinition
        {
            MemberId = member.Id, CellCode = cell, Kind = request.Kind!.Value, Title = request.Title!.Trim(),
            Description = request.Description?.Trim() ?? "", DueUtc = request.DueUtc!.Value, HouseholdId = request.HouseholdId,
        }, caller.Username);
        return TypedResults.Created($"/api/assignments/{id}", AssignmentResponse.From(created, now));
    }

    private static bool MaySee(Caller caller, AssignmentRecord a) =>
        caller.MemberId == a.Definition.MemberId || caller.CanEditDirectoryOf(GridCodes.CommunityOf(a.Definition.CellCode)) ||
        (caller.Role == Roles.GridWorker && caller.CellCodes.Contains(a.Definition.CellCode));

    private static async Task<IResult> Get(string id, IGrainFactory grains, Caller caller, TimeProvider clock)
    {
        if (IdError(id) is { } error) return Problem.Invalid("id", error);
        var a = await grains.GetGrain<IAssignmentGrain>(id).Get();
        if (a is null) return Problem.NotFound($"No assignment {id}.");
        if (!MaySee(caller, a)) return Problem.Forbidden("Only the member, their committee and the cell's grid worker see this assignment.");
        return TypedResults.Ok(AssignmentResponse.From(a, clock.GetUtcNow()));
    }

    private static async Task<IResult> Act(string id, string action, HttpContext http, AssignmentActionRequest? request, IGrainFactory grains, Caller caller, TimeProvider clock)
    {
        if (IdError(id) is { } error) return Problem.Invalid("id", error);
        AssignmentAction? step = action.ToLowerInvariant() switch
        {
            "accept" => AssignmentAction.Accept,
            "check-in" or "check_in" => AssignmentAction.CheckIn,
            "check-out" or "check_out" => AssignmentAction.CheckOut,
            "complete" => AssignmentAction.Complete,
            "cancel" => AssignmentAction.Cancel,
            _ => null,
        };
        if (step is null) return Problem.NotFound($"No action '{action}'; actions are accept, check-in, check-out, complete, cancel.");
        int? expected = null;
        var ifMatch = http.Request.Headers.IfMatch.ToString();
        if (ifMatch.Length > 0 && ifMatch != "*")
        {
            if (!EntityTagHeaderValue.TryParse(ifMatch, out var tag) || !int.TryParse(tag.Tag.AsSpan().Trim('"'), out var v))
                return Problem.Invalid("If-Match", "must be the assignment's ETag, e.g. \"3\".");
            expected = v;
        }
        var grain = grains.GetGrain<IAssignmentGrain>(id);
        var a = await grain.Get();
        if (a is null) return Problem.NotFound($"No assignment {id}.");
        var isMember = caller.MemberId == a.Definition.MemberId;
        var isAssigner = caller.Username == a.AssignedBy || caller.CanEditDirectoryOf(GridCodes.CommunityOf(a.Definition.CellCode));
        if (step == AssignmentAction.Cancel ? !isAssigner : !isMember)
            return Problem.Forbidden(step == AssignmentAction.Cancel ? "Only whoever assigned it (or the committee) may cancel." : "Only the member it is assigned to may do this.");
        if (a.Definition.Kind == AssignmentKind.HandleIssue && step is AssignmentAction.Complete or AssignmentAction.Cancel)
            return Problem.Conflict($"This assignment follows issue {a.Definition.IssueId}: resolve or re-dispatch the issue instead.");
        var errors = new FieldErrors();
        errors.Text("note", request?.Note, 1000, required: step == AssignmentAction.Complete, multiline: true);
        if (errors.Any) return errors.ToProblem();

        var result = await grain.Act(step.Value, caller.Username, request?.Note ?? "", expected);
        var now = clock.GetUtcNow();
        return result.Outcome switch
        {
            IssueOutcome.Done => TypedResults.Ok(AssignmentResponse.From(result.Assignment!, now)),
            IssueOutcome.NotAllowed => Problem.Conflict(result.Message, new Dictionary<string, object?> { ["currentStatus"] = AssignmentWorkflow.Name(result.Assignment!.Status) }),
            IssueOutcome.VersionMismatch => TypedResults.Problem(title: "Precondition failed", detail: result.Message, statusCode: StatusCodes.Status412PreconditionFailed),
            IssueOutcome.NotFound => Problem.NotFound(result.Message),
            _ => Problem.Invalid("note", result.Message),
        };
    }
}
