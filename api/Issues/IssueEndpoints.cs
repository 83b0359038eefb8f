using System.Text.Json;
using Grid.Api.Auth;
using Grid.Api.Problems;
using Grid.Contracts;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Net.Http.Headers;

namespace Grid.Api.Issues;

public static class IssueEndpoints
{
    public const string IdempotencyKeyHeader = "Idempotency-Key";

    public static void MapIssueEndpoints(this IEndpointRouteBuilder api)
    {
        var issues = api.MapGroup("/issues").WithTags("Issues");
        issues.MapPost("/", Report)
            .RequireRateLimiting(Security.RateLimits.Report)
            .Produces<IssueResponse>(StatusCodes.Status201Created).ProducesValidationProblem().ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status422UnprocessableEntity)
            .WithSummary("Report an issue (诉求/事件). Send an Idempotency-Key header: the same key never creates two issues.");
        issues.MapGet("/{id}", Get).Produces<IssueResponse>().ProducesProblem(StatusCodes.Status404NotFound).WithSummary("One issue with its full history; the ETag is its version.");
        issues.MapPost("/{id}/{action}", Act)
            .Produces<IssueResponse>().ProducesValidationProblem().ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status412PreconditionFailed).ProducesProblem(StatusCodes.Status403Forbidden)
            .WithSummary($"Take a step: {IssueRequestValidation.ActionNames}. Send If-Match with the version you saw; a step that does not apply answers 409.");
    }

    /// <summary>An issue use case's answer: the issue with its version as the ETag, or the problem, with where the issue stands.</summary>
    internal static IResult Answer(Outcome<IssueRecord> outcome, Caller caller, DateTimeOffset now, int okStatus = StatusCodes.Status200OK) =>
        outcome is { Succeeded: true, Value: { } issue }
            ? new IssueAnswer(IssueResponse.For(issue, caller, now), issue.Version, outcome.Kind == OutcomeKind.Created ? StatusCodes.Status201Created : okStatus)
            : Problem.For(outcome, Standing);

    /// <summary>What a refused caller needs to recover: the status the issue is in (409) and its version (412).</summary>
    private static Dictionary<string, object?> Standing(IssueRecord issue) => new()
    {
        ["currentStatus"] = JsonNamingPolicy.SnakeCaseLower.ConvertName(issue.Status.ToString()),
        ["version"] = issue.Version,
    };

    private static async Task<IResult> Report(HttpContext http, ReportIssueRequest? request, IGrainFactory grains, Caller caller, TimeProvider clock)
    {
        var errors = new FieldErrors();
        var source = caller.Role switch { Roles.GridWorker => "grid_worker", Roles.Member => "member", _ => "resident" };
        var report = IssueRequestValidation.Validate(request, source, errors);
        if (report is null || errors.Any) return errors.ToProblem();
        if (IssuePermissions.CannotReport(caller, report.CellCode, report.ResolveOnSpotNote is not null) is { } denied) return Problem.Forbidden(denied);

        var reporter = new IssueReporter(caller.Username, http.User.FindFirst(GridClaims.Name)?.Value ?? caller.Username);
        var key = http.Request.Headers[IdempotencyKeyHeader].ToString();
        var outcome = await grains.IssueIntake().Report(report, reporter, key.Length > 0 ? key : null);
        // A retry with the same key answers as the first report did.
        return Answer(outcome, caller, clock.GetUtcNow(), StatusCodes.Status201Created);
    }

    private static async Task<IResult> Get(string id, IGrainFactory grains, Caller caller, TimeProvider clock)
    {
        var errors = new FieldErrors();
        if (errors.Id<IssueId>("id", id) is not { } issueId) return errors.ToProblem();
        if (!caller.CanSeeCell(issueId.Cell.Value)) return OutOfScope(issueId);
        var issue = await grains.Issue(issueId).Get();
        return issue is null ? NoIssue(issueId) : Answer(Outcome.Done(issue), caller, clock.GetUtcNow());
    }

    internal static IResult OutOfScope(IssueId id) => Problem.Forbidden($"诉求「{id}」不在你的管辖范围内。");

    internal static IResult NoIssue(IssueId id) => Problem.NotFound($"没有诉求「{id}」。");

    private static async Task<IResult> Act(string id, string action, HttpContext http, IssueActionRequest? request, IGrainFactory grains, Caller caller, TimeProvider clock)
    {
        var errors = new FieldErrors();
        if (errors.Id<IssueId>("id", id) is not { } issueId) return errors.ToProblem();
        if (IssueRequestValidation.ParseAction(action) is not { } step)
            return Problem.NotFound($"没有操作「{action}」；可用的操作：{IssueRequestValidation.ActionNames}。", "issue.action");
        int? expected = null;
        var ifMatch = http.Request.Headers.IfMatch.ToString();
        if (ifMatch.Length > 0 && ifMatch != "*")
        {
            if (!EntityTagHeaderValue.TryParse(ifMatch, out var tag) || !int.TryParse(tag.Tag.AsSpan().Trim('"'), out var version))
                return Problem.Invalid("If-Match", "应为诉求的 ETag，例如 \"3\"。");
            expected = version;
        }
        if (!caller.CanSeeCell(issueId.Cell.Value)) return OutOfScope(issueId);
        var grain = grains.Issue(issueId);
        var issue = await grain.Get();
        if (issue is null) return NoIssue(issueId);

        string? callerOrgan = null;
        if (caller.MemberId is { } memberId && GridId.TryParse<MemberId>(memberId, out var member))
            callerOrgan = (await grains.Member(member).Get())?.Definition.OrganCode;
        if (IssuePermissions.CannotDo(caller, step, issue, callerOrgan) is { } denied) return Problem.Forbidden(denied);

        errors.Text("note", request?.Note, 1000, required: false, multiline: true);
        Assignee? assignee = null;
        if (step == IssueAction.Dispatch)
        {
            (assignee, var problem) = await ResolveAssignee(request?.Assignee, issue, grains, caller);
            if (problem is not null) return problem;
        }
        var organ = step == IssueAction.Whistle ? errors.Id<OrganCode>("organCode", request?.OrganCode) : null;
        if (errors.Any) return errors.ToProblem();

        var result = await grain.Execute(new IssueCommand
        {
            Action = step,
            Actor = caller.Username,
            Note = request?.Note ?? "",
            Assignee = assignee,
            Passed = request?.Passed,
            Score = request?.Score,
            OrganCode = organ?.Value,
            ExpectedVersion = expected,
        });
        return Answer(result, caller, clock.GetUtcNow());
    }

    /// <summary>The assignee named in a dispatch, checked against the directory; or the category's default route.</summary>
    private static async Task<(Assignee?, IResult?)> ResolveAssignee(AssigneeRequest? request, IssueRecord issue, IGrainFactory grains, Caller caller)
    {
        Assignee? target;
        MemberRecord? member = null;
        if (request is null)
        {
            var category = await grains.GetGrain<ICategoryCatalogGrain>(ICategoryCatalogGrain.Key).Find(issue.Report.CategoryCode);
            var cell = await grains.GetGrain<IGridCellGrain>(issue.Report.CellCode).Get();
            target = category switch
            {
                { DefaultRoute: AssigneeKind.Organ, RouteOrganCode: { } organ } => new Assignee { Kind = AssigneeKind.Organ, Id = organ },
                _ when cell?.Definition.GridWorkers is [var worker, ..] => new Assignee { Kind = AssigneeKind.GridWorker, Id = worker.Username, Name = worker.DisplayName },
                _ => null,
            };
            if (target is null) return (null, Problem.Invalid("assignee", "该网格没有网格员可派：请指定处置人。"));
        }
        else
        {
            if (request.Kind is not { } kind || string.IsNullOrWhiteSpace(request.Id) || request.Id.Length > 64)
                return (null, Problem.Invalid("assignee", "须有 kind（grid_worker、member 或 organ）和 id。"));
            switch (kind)
            {
                case AssigneeKind.GridWorker:
                    var user = await grains.GetGrain<IUserGrain>(request.Id).Get();
                    if (user is not { Role: Roles.GridWorker } || !user.CellCodes.Contains(issue.Report.CellCode))
                        return (null, Problem.Invalid("assignee.id", $"「{request.Id}」不是网格 {issue.Report.CellCode} 的网格员。"));
                    target = new Assignee { Kind = kind, Id = user.Username, Name = user.DisplayName };
                    break;
                case AssigneeKind.Member:
                    if (GridId.TryParse<MemberId>(request.Id, out var memberId)) member = await grains.Member(memberId).Get();
                    if (member is null || member.Definition.CommunityCode != issue.CommunityCode)
                        return (null, Problem.Invalid("assignee.id", $"「{request.Id}」不是社区 {issue.CommunityCode} 的党员。"));
                    target = new Assignee { Kind = kind, Id = member.Id, Name = member.Definition.Name };
                    break;
                default:
                    if (!GridId.TryParse<OrganCode>(request.Id, out var organCode)) return (null, Problem.Invalid("assignee.id", OrganCode.Error(request.Id)!));
                    var organ = await grains.Organ(organCode).Get();
                    if (organ is null) return (null, Problem.Invalid("assignee.id", $"没有单位「{organCode}」。"));
                    target = new Assignee { Kind = kind, Id = organ.Definition.Code, Name = organ.Definition.Name };
                    break;
            }
        }
        if (IssuePermissions.CannotDispatchTo(caller, issue, target, member) is { } denied) return (null, Problem.Forbidden(denied));
        return (target, null);
    }
}

/// <summary>An issue answer with its version as the ETag.</summary>
internal sealed class IssueAnswer(IssueResponse body, int version, int status) : IResult
{
    public Task ExecuteAsync(HttpContext http)
    {
        http.Response.StatusCode = status;
        http.Response.Headers.ETag = $"\"{version}\"";
        if (status == StatusCodes.Status201Created) http.Response.Headers.Location = $"/api/issues/{body.Id}";
        return http.Response.WriteAsJsonAsync(body, http.RequestServices.GetRequiredService<Microsoft.Extensions.Options.IOptions<Microsoft.AspNetCore.Http.Json.JsonOptions>>().Value.SerializerOptions);
    }
}
