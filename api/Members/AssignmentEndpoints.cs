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

    private static async Task<IResult> Create(AssignmentRequest? request, IGrainFactory grains, Caller caller, TimeProvider clock)
    {
        var errors = new FieldErrors();
        var cell = errors.Id<CellCode>("cellCode", request?.CellCode);
        var memberId = errors.Id<MemberId>("memberId", request?.MemberId);
        errors.AddIf(request?.Kind is null or AssignmentKind.HandleIssue, "kind",
            "应为 visit_household、patrol、activity_post 或 other（诉求经派遣成为任务）。");
        errors.Text("title", request?.Title, 100);
        errors.Text("description", request?.Description, 2000, required: false, multiline: true);
        var now = clock.GetUtcNow();
        errors.AddIf(request?.DueUtc is not { } due || due <= now || due > now.AddDays(366), "dueUtc", "应为今后一年内的时间。");
        errors.AddIf(request?.Kind == AssignmentKind.VisitHousehold && request.HouseholdId is null, "householdId", "走访任务须指定住户。");
        var household = request?.HouseholdId is { } householdText ? errors.Id<HouseholdId>("householdId", householdText) : null;
        if (errors.Any) return errors.ToProblem();
        var cellCode = cell!.Value;
        var mayAssign = caller.CanEditDirectoryOf(cellCode.Community.Value) || (caller.Role == Roles.GridWorker && caller.CellCodes.Contains(cellCode.Value));
        if (!mayAssign) return Problem.Forbidden($"只有社区党委或网格 {cellCode} 的网格员可以在该网格派任务。");
        var member = await grains.Member(memberId!.Value).Get();
        if (member?.Definition.CellCode != cellCode.Value) return Problem.Invalid("memberId", $"「{memberId}」不是网格 {cellCode} 的党员。");
        if (household is { } h && (h.Cell != cellCode || await grains.Household(h).Get() is null))
            return Problem.Invalid("householdId", $"网格 {cellCode} 没有住户「{h}」。");

        var id = GridId.Parse<AssignmentId>(await grains.Cell(cellCode).NextAssignmentId(now.ToOffset(ChinaTime.Offset).Year));
        var created = await grains.Assignment(id).Create(new AssignmentDefinition
        {
            MemberId = member.Id, CellCode = cellCode.Value, Kind = request!.Kind!.Value, Title = request.Title!.Trim(),
            Description = request.Description?.Trim() ?? "", DueUtc = request.DueUtc!.Value, HouseholdId = household?.Value,
        }, caller.Username);
        return TypedResults.Created($"/api/assignments/{id}", AssignmentResponse.From(created, now));
    }

    private static bool MaySee(Caller caller, AssignmentRecord a) =>
        caller.MemberId == a.Definition.MemberId || caller.CanEditDirectoryOf(GridCodes.CommunityOf(a.Definition.CellCode)) ||
        (caller.Role == Roles.GridWorker && caller.CellCodes.Contains(a.Definition.CellCode));

    private static async Task<IResult> Get(string id, IGrainFactory grains, Caller caller, TimeProvider clock)
    {
        var errors = new FieldErrors();
        if (errors.Id<AssignmentId>("id", id) is not { } assignmentId) return errors.ToProblem();
        var a = await grains.Assignment(assignmentId).Get();
        if (a is null) return NoAssignment(assignmentId);
        if (!MaySee(caller, a)) return Problem.Forbidden("只有任务所派的党员、其社区党委和本网格的网格员能查看该任务。");
        return TypedResults.Ok(AssignmentResponse.From(a, clock.GetUtcNow()));
    }

    private static IResult NoAssignment(AssignmentId id) => Problem.NotFound($"没有任务「{id}」。");

    private static async Task<IResult> Act(string id, string action, HttpContext http, AssignmentActionRequest? request, IGrainFactory grains, Caller caller, TimeProvider clock)
    {
        var errors = new FieldErrors();
        if (errors.Id<AssignmentId>("id", id) is not { } assignmentId) return errors.ToProblem();
        AssignmentAction? step = action.ToLowerInvariant() switch
        {
            "accept" => AssignmentAction.Accept,
            "check-in" or "check_in" => AssignmentAction.CheckIn,
            "check-out" or "check_out" => AssignmentAction.CheckOut,
            "complete" => AssignmentAction.Complete,
            "cancel" => AssignmentAction.Cancel,
            _ => null,
        };
        if (step is null) return Problem.NotFound($"没有操作「{action}」；可用的操作：accept、check-in、check-out、complete、cancel。", "assignment.action");
        int? expected = null;
        var ifMatch = http.Request.Headers.IfMatch.ToString();
        if (ifMatch.Length > 0 && ifMatch != "*")
        {
            if (!EntityTagHeaderValue.TryParse(ifMatch, out var tag) || !int.TryParse(tag.Tag.AsSpan().Trim('"'), out var v))
                return Problem.Invalid("If-Match", "应为任务的 ETag，例如 \"3\"。");
            expected = v;
        }
        var grain = grains.Assignment(assignmentId);
        var a = await grain.Get();
        if (a is null) return NoAssignment(assignmentId);
        var isMember = caller.MemberId == a.Definition.MemberId;
        var isAssigner = caller.Username == a.AssignedBy || caller.CanEditDirectoryOf(GridCodes.CommunityOf(a.Definition.CellCode));
        if (step == AssignmentAction.Cancel ? !isAssigner : !isMember)
            return Problem.Forbidden(step == AssignmentAction.Cancel ? "只有派任务的人（或社区党委）可以取消。" : "只有任务所派的党员可以这样做。");
        if (a.Definition.Kind == AssignmentKind.HandleIssue && step is AssignmentAction.Complete or AssignmentAction.Cancel)
            return Problem.Conflict($"该任务随诉求「{a.Definition.IssueId}」而定：请办结或改派诉求。", code: "assignment.follows_issue");
        errors.Text("note", request?.Note, 1000, required: step == AssignmentAction.Complete, multiline: true);
        if (errors.Any) return errors.ToProblem();

        var result = await grain.Act(step.Value, caller.Username, request?.Note ?? "", expected);
        return result is { Succeeded: true, Value: { } done }
            ? TypedResults.Ok(AssignmentResponse.From(done, clock.GetUtcNow()))
            : Problem.For(result, current => new Dictionary<string, object?> { ["currentStatus"] = AssignmentWorkflow.Name(current.Status) });
    }
}
