using System.Security.Cryptography;
using System.Text;
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

    internal static IResult Answer(IssueResult result, Caller caller, DateTimeOffset now, int okStatus = StatusCodes.Status200OK)
    {
        switch (result.Outcome)
        {
            case IssueOutcome.Done:
                var issue = result.Issue!;
                return new IssueAnswer(IssueResponse.For(issue, caller, now), issue.Version, okStatus);
            case IssueOutcome.NotAllowed:
                return Problem.Conflict(result.Message, new Dictionary<string, object?> { ["currentStatus"] = Name(result.Issue?.Status) });
            case IssueOutcome.VersionMismatch:
                return TypedResults.Problem(title: "Precondition failed", detail: result.Message, statusCode: StatusCodes.Status412PreconditionFailed,
                    extensions: new Dictionary<string, object?> { ["version"] = result.Issue?.Version });
            case IssueOutcome.NotFound:
                return Problem.NotFound(result.Message);
            default:
                return Problem.Invalid(result.Field ?? "body", result.Message);
        }
    }

    private static string? Name(IssueStatus? status) => status is null ? null : JsonNamingPolicy.SnakeCaseLower.ConvertName(status.Value.ToString());

    private static async Task<IResult> Report(HttpContext http, ReportIssueRequest? request, IGrainFactory grains, Caller caller, TimeProvider clock)
    {
        var errors = new FieldErrors();
        var source = caller.Role switch { Roles.GridWorker => "grid_worker", Roles.Member => "member", _ => "resident" };
        var report = IssueRequestValidation.Validate(request, source, errors);
        var key = http.Request.Headers[IdempotencyKeyHeader].ToString();
        errors.AddIf(key.Length > 100, IdempotencyKeyHeader, "must be at most 100 characters.");
        if (report is null || errors.Any) return errors.ToProblem();
        if (IssuePermissions.CannotReport(caller, report.CellCode, report.ResolveOnSpotNote is not null) is { } denied) return Problem.Forbidden(denied);
        if (await grains.GetGrain<IGridCellGrain>(report.CellCode).Get() is not { } cell) return Problem.Invalid("cellCode", $"No cell {report.CellCode}.");
        if (report.Location is { } at && GeoDistance.ToRingMeters(at, cell.Definition.Boundary) > GeoDistance.CellToleranceMeters)
            return Problem.Invalid("location", $"The position is outside cell {report.CellCode}.");
        var category = await grains.GetGrain<ICategoryCatalogGrain>(ICategoryCatalogGrain.Key).Find(report.CategoryCode);
        if (category is not { ParentCode: not null }) return Problem.Invalid("categoryCode", $"No category {report.CategoryCode} (use a subclass, e.g. 10.01; GET /api/categories).");

        var displayName = http.User.FindFirst(GridClaims.Name)?.Value ?? caller.Username;
        IssueResult? result;
        if (key.Length > 0)
        {
            // The fingerprint ties the key to this request: the same key with another body is refused.
            var fingerprint = Convert.ToHexString(SHA256.HashData(JsonSerializer.SerializeToUtf8Bytes(report)));
            result = await grains.GetGrain<IIdempotencyKeyGrain>($"{caller.Username}|{key}").ReportIssue(fingerprint, report, caller.Username, displayName);
            if (result is null)
                return TypedResults.Problem(title: "Idempotency-Key reused", statusCode: StatusCodes.Status422UnprocessableEntity,
                    detail: "This Idempotency-Key was already used for a different issue; use a new key for a new issue.");
        }
        else
        {
            var id = await IssueIds.Next(grains, report.CellCode, clock.GetUtcNow());
            result = await grains.GetGrain<IIssueGrain>(id).Report(report, caller.Username, displayName);
        }
        return Answer(result, caller, clock.GetUtcNow(), StatusCodes.Status201Created);
    }

    private static async Task<IResult> Get(string id, IGrainFactory grains, Caller caller, TimeProvider clock)
    {
        if (IdError(id) is { } error) return Problem.Invalid("id", error);
        if (!caller.CanSeeCell(id[..15])) return Problem.Forbidden($"Issue {id} is outside your scope.");
        var issue = await grains.GetGrain<IIssueGrain>(id).Get();
        return issue is null ? Problem.NotFound($"No issue {id}.") : Answer(new IssueResult { Outcome = IssueOutcome.Done, Issue = issue }, caller, clock.GetUtcNow());
    }

    private static async Task<IResult> Act(string id, string action, HttpContext http, IssueActionRequest? request, IGrainFactory grains, Caller caller, TimeProvider clock)
    {
        if (IdError(id) is { } error) return Problem.Invalid("id", error);
        if (IssueRequestValidation.ParseAction(action) is not { } step)
            return Problem.NotFound($"No action '{action}'; actions are {IssueRequestValidation.ActionNames}.");
        int? expected = null;
        var ifMatch = http.Request.Headers.IfMatch.ToString();
        if (ifMatch.Length > 0 && ifMatch != "*")
        {
            if (!EntityTagHeaderValue.TryParse(ifMatch, out var tag) || !int.TryParse(tag.Tag.AsSpan().Trim('"'), out var version))
                return Problem.Invalid("If-Match", "must be the issue's ETag, e.g. \"3\".");
            expected = version;
        }
        if (!caller.CanSeeCell(id[..15])) return Problem.Forbidden($"Issue {id} is outside your scope.");
        var grain = grains.GetGrain<IIssueGrain>(id);
        var issue = await grain.Get();
        if (issue is null) return Problem.NotFound($"No issue {id}.");

        string? callerOrgan = null;
        if (caller.MemberId is { } memberId) callerOrgan = (await grains.GetGrain<IPartyMemberGrain>(memberId).Get())?.Definition.OrganCode;
        if (IssuePermissions.CannotDo(caller, step, issue, callerOrgan) is { } denied) return Problem.Forbidden(denied);

        var errors = new FieldErrors();
        errors.Text("note", request?.Note, 1000, required: false, multiline: true);
        Assignee? assignee = null;
        if (step == IssueAction.Dispatch)
        {
            (assignee, var problem) = await ResolveAssignee(request?.Assignee, issue, grains, caller);
            if (problem is not null) return problem;
        }
        if (step == IssueAction.Whistle)
        {
            errors.AddIfNotNull("organCode", OrganCodes.Error(request?.OrganCode));
        }
        if (errors.Any) return errors.ToProblem();

        var result = await grain.Execute(new IssueCommand
        {
            Action = step,
            Actor = caller.Username,
            Note = request?.Note ?? "",
            Assignee = assignee,
            Passed = request?.Passed,
            Score = request?.Score,
            OrganCode = request?.OrganCode,
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
            if (target is null) return (null, Problem.Invalid("assignee", "The cell has no grid worker to route to; name an assignee."));
        }
        else
        {
            if (request.Kind is not { } kind || string.IsNullOrWhiteSpace(request.Id) || request.Id.Length > 64)
                return (null, Problem.Invalid("assignee", "needs kind (grid_worker, member or organ) and id."));
            switch (kind)
            {
                case AssigneeKind.GridWorker:
                    var user = await grains.GetGrain<IUserGrain>(request.Id).Get();
                    if (user is not { Role: Roles.GridWorker } || !user.CellCodes.Contains(issue.Report.CellCode))
                        return (null, Problem.Invalid("assignee.id", $"{request.Id} is not a grid worker of cell {issue.Report.CellCode}."));
                    target = new Assignee { Kind = kind, Id = user.Username, Name = user.DisplayName };
                    break;
                case AssigneeKind.Member:
                    member = await grains.GetGrain<IPartyMemberGrain>(request.Id).Get();
                    if (member is null || member.Definition.CommunityCode != issue.CommunityCode)
                        return (null, Problem.Invalid("assignee.id", $"{request.Id} is not a member of community {issue.CommunityCode}."));
                    target = new Assignee { Kind = kind, Id = member.Id, Name = member.Definition.Name };
                    break;
                default:
                    if (OrganCodes.Error(request.Id) is { } organError) return (null, Problem.Invalid("assignee.id", organError));
                    var organ = await grains.GetGrain<IOrganGrain>(request.Id).Get();
                    if (organ is null) return (null, Problem.Invalid("assignee.id", $"No organ {request.Id}."));
                    target = new Assignee { Kind = kind, Id = organ.Definition.Code, Name = organ.Definition.Name };
                    break;
            }
        }
        if (IssuePermissions.CannotDispatchTo(caller, issue, target, member) is { } denied) return (null, Problem.Forbidden(denied));
        return (target, null);
    }

    internal static string? IdError(string id) =>
        id.Length is >= 26 and <= 30 && GridCodes.IsCellCode(id[..15]) && id[15] == '-' && int.TryParse(id.AsSpan(16, 4), out _) && id[20] == '-' && id[21..].All(char.IsAsciiDigit)
            ? null
            : "An issue id is a cell code, the year and a number, e.g. 330503101001001-2026-00042.";
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
