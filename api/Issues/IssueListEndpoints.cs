using System.Globalization;
using Grid.Api.Auth;
using Grid.Api.Problems;
using Grid.Contracts;
using Grid.Grains;
using Grid.Grains.Issues;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;

namespace Grid.Api.Issues;

public sealed record IssueList(IReadOnlyList<IssueSummary> Items);

public static class IssueListEndpoints
{
    public const int MaxItems = 500;

    public static void MapIssueListEndpoints(this IEndpointRouteBuilder api)
    {
        api.MapGet("/cells/{code}/issues", CellIssues).WithTags("Issues")
            .WithSummary("A cell's open issues; ?status= one of reported, accepted, rejected, dispatched, in_progress, resolved, closed (closed and rejected from the ledger, newest first).");
        api.MapGet("/communities/{code}/issues", CommunityIssues).WithTags("Issues")
            .WithSummary("A community's open issues; ?overdue=true for the overdue list (超期督办), ?status= as for cells.");
        api.MapGet("/communities/{code}/issue-counters", Counters).WithTags("Issues")
            .WithSummary("Live counters: open, overdue, awaiting acceptance, reported and closed today (China Standard Time).");
        api.MapGet("/communities/{code}/kpis", Kpis).WithTags("Issues")
            .RequireAuthorization(p => p.RequireRole(Roles.Admin, Roles.Committee, Roles.Scheduler))
            .WithSummary("Monthly KPIs per community, cell and assignee (?month=YYYY-MM, China Standard Time), computed from the issue ledger.");
        api.MapPost("/communities/{code}/issues/reindex", Reindex).WithTags("Issues")
            .RequireAuthorization(p => p.RequireRole(Roles.Admin))
            .WithSummary("Rebuild the community's and its cells' issue indexes from the issue grains (admin; for repair).");
        api.MapGet("/me/inbox", Inbox).WithTags("Issues").WithSummary("The open issues assigned to the caller (and, for members of an organ, to their organ), their assignments, and their activity reminders.");
    }

    private static IssueStatus? ParseStatus(string? status, FieldErrors errors)
    {
        if (string.IsNullOrEmpty(status)) return null;
        foreach (var s in Enum.GetValues<IssueStatus>())
            if (IssueWorkflow.Name(s) == status) return s;
        errors.Add("status", "应为 reported、accepted、rejected、dispatched、in_progress、resolved、closed 之一。");
        return null;
    }

    private static async Task<Results<Ok<IssueList>, ValidationProblem, ProblemHttpResult>> CellIssues(
        string code, string? status, IGrainFactory grains, IIssueLedger ledger, Caller caller)
    {
        var errors = new FieldErrors();
        var cell = errors.Id<CellCode>("code", code);
        var wanted = ParseStatus(status, errors);
        if (errors.Any) return errors.ToProblem();
        if (!caller.CanSeeCell(code)) return Problem.Forbidden($"网格「{code}」不在你的管辖范围内。");
        if (await grains.Cell(cell!.Value).Get() is null) return Problem.NotFound($"没有网格「{code}」。");
        // Open issues come from the cell's own index (live); closed and rejected ones from the ledger.
        var items = wanted is IssueStatus.Closed or IssueStatus.Rejected
            ? await ledger.CellIssues(code, wanted, MaxItems)
            : [.. (await grains.Cell(cell.Value).OpenIssues()).Where(i => wanted is null || i.Status == wanted)];
        return TypedResults.Ok(new IssueList([.. items.Take(MaxItems)]));
    }

    private static async Task<Results<Ok<IssueList>, ValidationProblem, ProblemHttpResult>> CommunityIssues(
        string code, string? status, bool? overdue, IGrainFactory grains, IIssueLedger ledger, Caller caller)
    {
        var errors = new FieldErrors();
        var community = errors.Id<CommunityCode>("code", code);
        var wanted = ParseStatus(status, errors);
        if (errors.Any) return errors.ToProblem();
        if (!caller.CanSeeCommunity(code)) return Problem.Forbidden($"社区「{code}」不在你的管辖范围内。");
        if (await grains.Community(community!.Value).Get() is null) return NoCommunity(community.Value);
        IReadOnlyList<IssueSummary> items;
        if (overdue == true)
            items = [.. (await grains.CommunityIssues(community.Value).OpenIssues()).Where(i => i.EscalationLevel > 0 || i.WhistleOverdue)
                .Where(i => wanted is null || i.Status == wanted)];
        else if (wanted is IssueStatus.Closed or IssueStatus.Rejected)
            items = await ledger.CommunityIssues(code, wanted, MaxItems);
        else
            items = [.. (await grains.CommunityIssues(community.Value).OpenIssues()).Where(i => wanted is null || i.Status == wanted)];
        return TypedResults.Ok(new IssueList([.. items.Take(MaxItems)]));
    }

    private static async Task<Results<Ok<CommunityIssueCounters>, ValidationProblem, ProblemHttpResult>> Counters(string code, IGrainFactory grains, Caller caller)
    {
        var errors = new FieldErrors();
        if (errors.Id<CommunityCode>("code", code) is not { } community) return errors.ToProblem();
        if (!caller.CanSeeCommunity(code)) return Problem.Forbidden($"社区「{code}」不在你的管辖范围内。");
        if (await grains.Community(community).Get() is null) return NoCommunity(community);
        return TypedResults.Ok(await grains.CommunityIssues(community).IssueCounters());
    }

    private static async Task<Results<Ok<KpiReport>, ValidationProblem, ProblemHttpResult>> Kpis(
        string code, string? month, IGrainFactory grains, IIssueLedger ledger, Caller caller, TimeProvider clock)
    {
        var errors = new FieldErrors();
        var community = errors.Id<CommunityCode>("code", code);
        var when = clock.GetUtcNow().ToOffset(ChinaTime.Offset);
        if (month is not null)
        {
            if (DateTime.TryParseExact(month, "yyyy-MM", CultureInfo.InvariantCulture, DateTimeStyles.None, out var parsed) && parsed.Year >= 2000)
                when = new DateTimeOffset(parsed, ChinaTime.Offset);
            else errors.Add("month", "应为 YYYY-MM 格式的月份，例如 2026-11。");
        }
        if (errors.Any) return errors.ToProblem();
        if (!caller.CanSeeCommunity(code)) return Problem.Forbidden($"社区「{code}」不在你的管辖范围内。");
        if (await grains.Community(community!.Value).Get() is null) return NoCommunity(community.Value);
        var (from, to) = ChinaTime.Month(when.Year, when.Month);
        var events = await ledger.EventsOfIssuesActiveBetween(code, from, to);
        return TypedResults.Ok(KpiCalculator.Compute(code, when.Year, when.Month, events));
    }

    private static ProblemHttpResult NoCommunity(CommunityCode code) => Problem.NotFound($"没有社区「{code}」。");

    public sealed record ReindexReport(int Issues);

    private static async Task<Results<Ok<ReindexReport>, ValidationProblem, ProblemHttpResult>> Reindex(string code, IGrainFactory grains, IIssueLedger ledger)
    {
        var errors = new FieldErrors();
        if (errors.Id<CommunityCode>("code", code) is not { } community) return errors.ToProblem();
        if (await grains.Community(community).Get() is null) return NoCommunity(community);
        return TypedResults.Ok(new ReindexReport(await IssueIndexRebuild.Run(grains, ledger, code)));
    }

    private static async Task<Ok<InboxResponse>> Inbox(IGrainFactory grains, Caller caller, TimeProvider clock)
    {
        var keys = new List<string>();
        if (caller.Role == Roles.GridWorker || caller.Role != Roles.Member) keys.Add($"user:{caller.Username}");
        if (caller.MemberId is { } memberId)
        {
            keys.Add($"member:{memberId}");
            if ((await grains.GetGrain<IPartyMemberGrain>(memberId).Get())?.Definition.OrganCode is { } organ) keys.Add($"organ:{organ}");
        }
        var lists = await Task.WhenAll(keys.Select(k => grains.GetGrain<IInboxGrain>(k).Items()));
        var assignments = new List<Members.AssignmentResponse>();
        if (caller.MemberId is { } me)
        {
            var open = (await grains.GetGrain<IPartyMemberGrain>(me).Standing()).AssignmentIds;
            foreach (var record in await Task.WhenAll(open.Select(id => grains.GetGrain<IAssignmentGrain>(id).Get())))
                if (record is not null) assignments.Add(Members.AssignmentResponse.From(record, clock.GetUtcNow()));
        }
        var reminders = caller.MemberId is { } owner ? await grains.GetGrain<IReminderInboxGrain>(owner).Items() : [];
        return TypedResults.Ok(new InboxResponse(
            [.. lists.SelectMany(l => l).DistinctBy(i => i.Id).OrderBy(i => i.DeadlineUtc ?? DateTimeOffset.MaxValue)],
            [.. assignments.OrderBy(a => a.DueUtc)],
            reminders));
    }
}
