using System.Collections.Immutable;
using Grid.Api.Auth;
using Grid.Api.Directory;
using Grid.Api.Problems;
using Grid.Contracts;
using Grid.Grains.Members;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;

namespace Grid.Api.Members;

public sealed record PlacementRequest(string? CellCode);

public sealed record ManualPointsRequest(int? Points, string? Reason);

public sealed record MobileRequest(bool? IsMobile, string? Location);

public sealed record VisitRequest(string? Note);

/// <summary>亮身份: what anyone may see of a member. No phone, no address.</summary>
public sealed record MemberCard(string Id, string Name, string Branch, int Stars, ImmutableArray<string> Pledges, string? OrganName, string? CellName, bool IsMobile);

public sealed record StandingResponse(
    string MemberId, int PointsThisYear, int PointsTotal, int Stars, int ServiceMinutes, ImmutableArray<Placement> Placements,
    ImmutableArray<PointsEntry> Points, ImmutableArray<string> OpenAssignmentIds, ImmutableArray<string> LinkedHouseholds);

public sealed record HouseholdVisits(string HouseholdId, int? IntervalDays, ImmutableArray<VisitRecord> Visits);

public static class MemberServiceEndpoints
{
    public static void MapMemberServiceEndpoints(this IEndpointRouteBuilder api)
    {
        var members = api.MapGroup("/members/{id}").WithTags("Members");
        members.MapPost("/placement", Place).WithSummary("Place the member in a cell (committee); {cellCode: null} removes the placement. History is kept.");
        members.MapGet("/standing", Standing).Produces<StandingResponse>().WithSummary("Points ledger, stars, service time, placements and open assignments.");
        members.MapGet("/card", Card).Produces<MemberCard>().WithSummary("The member's public card (亮身份): name, branch, stars, pledges; no contact data.");
        members.MapPost("/points", ManualPoints).WithSummary("A manual points entry with a reason (committee); audited by actor. Send an Idempotency-Key.");
        members.MapPut("/mobile", SetMobile).WithSummary("流动党员: mark the member as working away, and where.");
        members.MapPut("/households/{householdId}", Link).WithSummary("党员联户: link the member to a household they look after.");
        members.MapDelete("/households/{householdId}", Unlink).WithSummary("Unlink a household.");

        api.MapPost("/households/{id}/visits", Visit).WithTags("Members").WithSummary("Log a visit (走访) to a household.");
        api.MapGet("/households/{id}/visits", Visits).WithTags("Members").WithSummary("A household's visit log and visit interval.");
        api.MapGet("/cells/{code}/visits-due", VisitsDue).WithTags("Members").WithSummary("Households in the cell whose regular visit is overdue.");
        api.MapGet("/communities/{code}/leaderboard", Leaderboard).WithTags("Members")
            .WithSummary("This year's points, best first; ?branch= for one branch.");
        api.MapGet("/communities/{code}/point-rules", Rules).WithTags("Members").WithSummary("积分规则 and star thresholds of the community.");
        api.MapPut("/communities/{code}/point-rules", SetRules).WithTags("Members").WithSummary("Change the community's point rules (committee).");
    }

    /// <summary>The member named in the path, or the problem to answer: 400 for a malformed id, 404 for an unknown one.</summary>
    private static async Task<(MemberId Id, MemberRecord? Member, IResult? Problem)> Load(string id, IGrainFactory grains)
    {
        var errors = new FieldErrors();
        if (errors.Id<MemberId>("id", id) is not { } member) return (default, null, errors.ToProblem());
        var record = await grains.Member(member).Get();
        return record is null ? (member, null, Problem.NotFound($"党员 {member} 不存在。")) : (member, record, null);
    }

    private static async Task<IResult> Place(string id, PlacementRequest? request, IGrainFactory grains, Caller caller)
    {
        var (memberId, member, problem) = await Load(id, grains);
        if (problem is not null) return problem;
        if (!caller.CanEditDirectoryOf(member!.Definition.CommunityCode)) return Problem.Forbidden("只有党员所在社区的党委可以安排其网格。");
        CellCode? cell = null;
        if (request?.CellCode is { } text)
        {
            var errors = new FieldErrors();
            cell = RequestValidation.CellIn(memberId.Community, text, "cellCode", errors);
            if (errors.Any) return errors.ToProblem();
            if (await grains.Cell(cell!.Value).Get() is null) return Problem.Invalid("cellCode", $"网格 {cell} 不存在。");
        }
        var placed = await grains.Member(memberId).Place(cell, caller.Username);
        return TypedResults.Ok(MemberResponse.For(placed, caller));
    }

    private static bool MaySeeStanding(Caller caller, MemberRecord m) =>
        caller.MemberId == m.Id || caller.CanEditDirectoryOf(m.Definition.CommunityCode) ||
        (caller.Role == Roles.GridWorker && m.Definition.CellCode is { } cell && caller.CellCodes.Contains(cell));

    private static async Task<IResult> Standing(string id, IGrainFactory grains, Caller caller)
    {
        var (memberId, member, problem) = await Load(id, grains);
        if (problem is not null) return problem;
        if (!MaySeeStanding(caller, member!)) return Problem.Forbidden("只有党员本人、所在社区党委和所在网格的网格员可查看其积分和任务。");
        var grain = grains.Member(memberId);
        var s = await grain.Standing();
        return TypedResults.Ok(new StandingResponse(memberId.Value, s.PointsThisYear, s.PointsTotal, s.Stars, s.ServiceMinutes, s.Placements, s.Points,
            s.AssignmentIds, [.. (await grain.LinkedHouseholds()).Select(h => h.Value)]));
    }

    private static async Task<IResult> Card(string id, IGrainFactory grains)
    {
        var (memberId, member, problem) = await Load(id, grains);
        if (problem is not null) return problem;
        var d = member!.Definition;
        var standing = await grains.Member(memberId).Standing();
        var organ = d.OrganCode is { } o ? (await grains.Organ(OrganCode.Parse(o)).Get())?.Definition.Name : null;
        var cell = d.CellCode is { } c ? (await grains.Cell(CellCode.Parse(c)).Get())?.Definition.Name : null;
        return TypedResults.Ok(new MemberCard(memberId.Value, d.Name, d.Branch, standing.Stars, d.Pledges, organ, cell, d.IsMobile));
    }

    private static async Task<IResult> ManualPoints(string id, HttpContext http, ManualPointsRequest? request, IGrainFactory grains, Caller caller, TimeProvider clock)
    {
        var (memberId, member, problem) = await Load(id, grains);
        if (problem is not null) return problem;
        if (!caller.CanEditDirectoryOf(member!.Definition.CommunityCode)) return Problem.Forbidden("只有党员所在社区的党委可以手工记分。");
        var errors = new FieldErrors();
        errors.AddIf(request?.Points is not (>= -100 and <= 100) || request.Points == 0, "points", "须为 -100 到 100 之间的非零整数。");
        errors.Text("reason", request?.Reason, 200);
        var key = http.Request.Headers["Idempotency-Key"].ToString();
        errors.AddIf(key.Length > 100, "Idempotency-Key", "最多 100 个字符。");
        if (errors.Any) return errors.ToProblem();
        var entry = new PointsEntry
        {
            // With a key a retry is the same entry; without one every call is a new entry.
            SourceId = $"manual:{caller.Username}:{(key.Length > 0 ? key : Guid.NewGuid().ToString("N"))}",
            AtUtc = clock.GetUtcNow(), Rule = "manual", Points = request!.Points!.Value, Reason = request.Reason!.Trim(), Actor = caller.Username,
        };
        var added = await grains.Member(memberId).AwardPoints(entry);
        return added ? TypedResults.Created($"/api/members/{memberId}/standing", entry) : TypedResults.Ok(entry);
    }

    private static async Task<IResult> SetMobile(string id, MobileRequest? request, IGrainFactory grains, Caller caller)
    {
        var (memberId, member, problem) = await Load(id, grains);
        if (problem is not null) return problem;
        if (caller.MemberId != memberId.Value && !caller.CanEditDirectoryOf(member!.Definition.CommunityCode)) return Problem.Forbidden("只有党员本人或所在社区党委可以修改。");
        var errors = new FieldErrors();
        errors.AddIf(request?.IsMobile is null, "isMobile", "必填。");
        errors.Text("location", request?.Location, 100, required: request?.IsMobile == true);
        if (errors.Any) return errors.ToProblem();
        return TypedResults.Ok(MemberResponse.For(await grains.Member(memberId).SetMobile(request!.IsMobile!.Value, request.Location?.Trim() ?? ""), caller));
    }

    private static async Task<IResult> Link(string id, string householdId, IGrainFactory grains, Caller caller) => await SetLink(id, householdId, true, grains, caller);

    private static async Task<IResult> Unlink(string id, string householdId, IGrainFactory grains, Caller caller) => await SetLink(id, householdId, false, grains, caller);

    private static async Task<IResult> SetLink(string id, string householdId, bool linked, IGrainFactory grains, Caller caller)
    {
        var (memberId, member, problem) = await Load(id, grains);
        if (problem is not null) return problem;
        var errors = new FieldErrors();
        if (errors.Id<HouseholdId>("householdId", householdId) is not { } household) return errors.ToProblem();
        if (await grains.Household(household).Get() is null) return Problem.Invalid("householdId", $"住户 {household} 不存在。");
        if (household.Cell.Community != memberId.Community) return Problem.Invalid("householdId", "该住户在另一个社区。");
        if (!caller.CanEditHouseholds(household.Cell.Value)) return Problem.Forbidden("只有社区党委或该网格的网格员可以为党员联系住户。");
        await grains.Member(memberId).LinkHousehold(household, linked);
        return TypedResults.NoContent();
    }

    private static async Task<IResult> Visit(string id, VisitRequest? request, IGrainFactory grains, Caller caller, TimeProvider clock)
    {
        var errors = new FieldErrors();
        if (errors.Id<HouseholdId>("id", id) is not { } household) return errors.ToProblem();
        if (await grains.Household(household).Get() is null) return Problem.NotFound($"住户 {household} 不存在。");
        var linked = GridId.TryParse<MemberId>(caller.MemberId, out var me) && (await grains.Member(me).LinkedHouseholds()).Contains(household);
        if (!linked && !caller.CanEditHouseholds(household.Cell.Value)) return Problem.Forbidden("只有网格员、社区党委或联系该户的党员可以记录走访。");
        errors.Text("note", request?.Note, 1000, multiline: true);
        if (errors.Any) return errors.ToProblem();
        var visit = new VisitRecord { AtUtc = clock.GetUtcNow(), By = caller.Username, Note = request!.Note!.Trim() };
        await grains.Household(household).RecordVisit(visit);
        return TypedResults.Created($"/api/households/{household}/visits", visit);
    }

    private static async Task<IResult> Visits(string id, IGrainFactory grains, Caller caller)
    {
        var errors = new FieldErrors();
        if (errors.Id<HouseholdId>("id", id) is not { } household) return errors.ToProblem();
        if (!caller.CanSeeCell(household.Cell.Value)) return Problem.Forbidden($"住户 {household} 不在您的管辖范围内。");
        var record = await grains.Household(household).Get();
        if (record is null) return Problem.NotFound($"住户 {household} 不存在。");
        return TypedResults.Ok(new HouseholdVisits(household.Value, VisitRule.IntervalDays(record.Definition.Tags), await grains.Household(household).Visits()));
    }

    private static async Task<IResult> VisitsDue(string code, IGrainFactory grains, Caller caller)
    {
        var errors = new FieldErrors();
        if (errors.Id<CellCode>("code", code) is not { } cell) return errors.ToProblem();
        if (!caller.CanSeeCell(cell.Value)) return Problem.Forbidden($"网格 {cell} 不在您的管辖范围内。");
        if (await grains.Cell(cell).Get() is null) return Problem.NotFound($"网格 {cell} 不存在。");
        return TypedResults.Ok(await grains.Cell(cell).VisitsDue());
    }

    private static async Task<IResult> Leaderboard(string code, string? branch, IGrainFactory grains, Caller caller)
    {
        if (CommunityCode.Error(code) is { } error) return Problem.Invalid("code", error);
        if (branch is { Length: > 100 }) return Problem.Invalid("branch", "最多 100 个字符。");
        if (!caller.CanSeeCommunity(code)) return Problem.Forbidden($"社区 {code} 不在您的管辖范围内。");
        if (await grains.GetGrain<ICommunityGrain>(code).Get() is null) return Problem.NotFound($"社区 {code} 不存在。");
        return TypedResults.Ok(await grains.GetGrain<ICommunityPointsGrain>(code).Leaderboard(branch, 100));
    }

    private static async Task<IResult> Rules(string code, IGrainFactory grains, Caller caller)
    {
        if (CommunityCode.Error(code) is { } error) return Problem.Invalid("code", error);
        if (!caller.CanSeeCommunity(code)) return Problem.Forbidden($"社区 {code} 不在您的管辖范围内。");
        if (await grains.GetGrain<ICommunityGrain>(code).Get() is null) return Problem.NotFound($"社区 {code} 不存在。");
        return TypedResults.Ok(await grains.GetGrain<ICommunityPointsGrain>(code).PointRules());
    }

    private static async Task<IResult> SetRules(string code, PointRules? rules, IGrainFactory grains, Caller caller)
    {
        if (CommunityCode.Error(code) is { } error) return Problem.Invalid("code", error);
        if (!caller.CanEditDirectoryOf(code)) return Problem.Forbidden("只有社区党委可以设置积分规则。");
        var errors = new FieldErrors();
        if (rules is null) errors.Add("body", "请提供积分规则。");
        else
        {
            foreach (var (field, value) in new[] { ("attendance", rules.Attendance), ("assignmentCompleted", rules.AssignmentCompleted),
                         ("issueClosed", rules.IssueClosed), ("serviceHour", rules.ServiceHour), ("absenceWithoutLeave", rules.AbsenceWithoutLeave) })
                errors.AddIf(value is < -100 or > 100, field, "须在 -100 到 100 之间。");
            errors.AddIfNotNull("starThresholds", rules.StarThresholds.IsDefault ? "必填。" : PointsLedger.ThresholdsError(rules.StarThresholds));
        }
        if (errors.Any) return errors.ToProblem();
        if (await grains.GetGrain<ICommunityGrain>(code).Get() is null) return Problem.NotFound($"社区 {code} 不存在。");
        await grains.GetGrain<ICommunityPointsGrain>(code).SetPointRules(rules!);
        return TypedResults.Ok(rules);
    }
}
