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

    private static string? MemberIdError(string id) =>
        id.Length is >= 18 and <= 20 && GridCodes.IsCommunityCode(id[..12]) && id[12] == 'M' && id[13..].All(char.IsAsciiDigit)
            ? null : "A member id is a 12-digit community code, 'M' and a number, e.g. 330503101001M00001.";

    private static async Task<(MemberRecord?, IResult?)> Load(string id, IGrainFactory grains)
    {
        if (MemberIdError(id) is { } error) return (null, Problem.Invalid("id", error));
        var member = await grains.GetGrain<IPartyMemberGrain>(id).Get();
        return member is null ? (null, Problem.NotFound($"No member {id}.")) : (member, null);
    }

    private static async Task<IResult> Place(string id, PlacementRequest? request, IGrainFactory grains, Caller caller)
    {
        var (member, problem) = await Load(id, grains);
        if (problem is not null) return problem;
        if (!caller.CanEditDirectoryOf(member!.Definition.CommunityCode)) return Problem.Forbidden("Only the member's community committee places members.");
        if (request?.CellCode is { } cell)
        {
            if (GridCodes.CellCodeError(cell) is { } error) return Problem.Invalid("cellCode", error);
            if (GridCodes.CommunityOf(cell) != member.Definition.CommunityCode || await grains.GetGrain<IGridCellGrain>(cell).Get() is null)
                return Problem.Invalid("cellCode", $"No cell {cell} in community {member.Definition.CommunityCode}.");
        }
        var placed = await grains.GetGrain<IPartyMemberGrain>(id).Place(request?.CellCode, caller.Username);
        return TypedResults.Ok(MemberResponse.For(placed, caller));
    }

    private static bool MaySeeStanding(Caller caller, MemberRecord m) =>
        caller.MemberId == m.Id || caller.CanEditDirectoryOf(m.Definition.CommunityCode) ||
        (caller.Role == Roles.GridWorker && m.Definition.CellCode is { } cell && caller.CellCodes.Contains(cell));

    private static async Task<IResult> Standing(string id, IGrainFactory grains, Caller caller)
    {
        var (member, problem) = await Load(id, grains);
        if (problem is not null) return problem;
        if (!MaySeeStanding(caller, member!)) return Problem.Forbidden("Only the member, their committee and their grid worker see their standing.");
        var grain = grains.GetGrain<IPartyMemberGrain>(id);
        var s = await grain.Standing();
        return TypedResults.Ok(new StandingResponse(id, s.PointsThisYear, s.PointsTotal, s.Stars, s.ServiceMinutes, s.Placements, s.Points,
            s.AssignmentIds, await grain.LinkedHouseholds()));
    }

    private static async Task<IResult> Card(string id, IGrainFactory grains)
    {
        var (member, problem) = await Load(id, grains);
        if (problem is not null) return problem;
        var d = member!.Definition;
        var standing = await grains.GetGrain<IPartyMemberGrain>(id).Standing();
        var organ = d.OrganCode is { } o ? (await grains.GetGrain<IOrganGrain>(o).Get())?.Definition.Name : null;
        var cell = d.CellCode is { } c ? (await grains.GetGrain<IGridCellGrain>(c).Get())?.Definition.Name : null;
        return TypedResults.Ok(new MemberCard(id, d.Name, d.Branch, standing.Stars, d.Pledges, organ, cell, d.IsMobile));
    }

    private static async Task<IResult> ManualPoints(string id, HttpContext http, ManualPointsRequest? request, IGrainFactory grains, Caller caller, TimeProvider clock)
    {
        var (member, problem) = await Load(id, grains);
        if (problem is not null) return problem;
        if (!caller.CanEditDirectoryOf(member!.Definition.CommunityCode)) return Problem.Forbidden("Only the member's community committee enters points by hand.");
        var errors = new FieldErrors();
        errors.AddIf(request?.Points is not (>= -100 and <= 100) || request.Points == 0, "points", "must be a non-zero whole number from -100 to 100.");
        errors.Text("reason", request?.Reason, 200);
        var key = http.Request.Headers["Idempotency-Key"].ToString();
        errors.AddIf(key.Length > 100, "Idempotency-Key", "must be at most 100 characters.");
        if (errors.Any) return errors.ToProblem();
        var entry = new PointsEntry
        {
            // With a key a retry is the same entry; without one every call is a new entry.
            SourceId = $"manual:{caller.Username}:{(key.Length > 0 ? key : Guid.NewGuid().ToString("N"))}",
            AtUtc = clock.GetUtcNow(), Rule = "manual", Points = request!.Points!.Value, Reason = request.Reason!.Trim(), Actor = caller.Username,
        };
        var added = await grains.GetGrain<IPartyMemberGrain>(id).AwardPoints(entry);
        return added ? TypedResults.Created($"/api/members/{id}/standing", entry) : TypedResults.Ok(entry);
    }

    private static async Task<IResult> SetMobile(string id, MobileRequest? request, IGrainFactory grains, Caller caller)
    {
        var (member, problem) = await Load(id, grains);
        if (problem is not null) return problem;
        if (caller.MemberId != id && !caller.CanEditDirectoryOf(member!.Definition.CommunityCode)) return Problem.Forbidden("Only the member or their committee may change this.");
        var errors = new FieldErrors();
        errors.AddIf(request?.IsMobile is null, "isMobile", "is required.");
        errors.Text("location", request?.Location, 100, required: request?.IsMobile == true);
        if (errors.Any) return errors.ToProblem();
        return TypedResults.Ok(MemberResponse.For(await grains.GetGrain<IPartyMemberGrain>(id).SetMobile(request!.IsMobile!.Value, request.Location?.Trim() ?? ""), caller));
    }

    private static async Task<IResult> Link(string id, string householdId, IGrainFactory grains, Caller caller) => await SetLink(id, householdId, true, grains, caller);

    private static async Task<IResult> Unlink(string id, string householdId, IGrainFactory grains, Caller caller) => await SetLink(id, householdId, false, grains, caller);

    private static async Task<IResult> SetLink(string id, string householdId, bool linked, IGrainFactory grains, Caller caller)
    {
        var (member, problem) = await Load(id, grains);
        if (problem is not null) return problem;
        if (householdId.Length < 16 || !GridCodes.IsCellCode(householdId[..15]) || await grains.GetGrain<IHouseholdGrain>(householdId).Get() is null)
            return Problem.Invalid("householdId", $"No household {householdId}.");
        var cell = householdId[..15];
        if (GridCodes.CommunityOf(cell) != member!.Definition.CommunityCode) return Problem.Invalid("householdId", "The household is in another community.");
        if (!caller.CanEditHouseholds(cell)) return Problem.Forbidden("Only the committee or the cell's grid worker link members to households.");
        await grains.GetGrain<IPartyMemberGrain>(id).LinkHousehold(householdId, linked);
        return TypedResults.NoContent();
    }

    private static async Task<IResult> Visit(string id, VisitRequest? request, IGrainFactory grains, Caller caller, TimeProvider clock)
    {
        if (id.Length < 16 || !GridCodes.IsCellCode(id[..15])) return Problem.Invalid("id", "A household id is a cell code, '-' and a number.");
        var household = await grains.GetGrain<IHouseholdGrain>(id).Get();
        if (household is null) return Problem.NotFound($"No household {id}.");
        var linked = caller.MemberId is { } me && (await grains.GetGrain<IPartyMemberGrain>(me).LinkedHouseholds()).Contains(id);
        if (!linked && !caller.CanEditHouseholds(id[..15])) return Problem.Forbidden("Only the grid worker, the committee or a member linked to the household logs visits.");
        var errors = new FieldErrors();
        errors.Text("note", request?.Note, 1000, multiline: true);
        if (errors.Any) return errors.ToProblem();
        var visit = new VisitRecord { AtUtc = clock.GetUtcNow(), By = caller.Username, Note = request!.Note!.Trim() };
        await grains.GetGrain<IHouseholdGrain>(id).RecordVisit(visit);
        return TypedResults.Created($"/api/households/{id}/visits", visit);
    }

    private static async Task<IResult> Visits(string id, IGrainFactory grains, Caller caller)
    {
        if (id.Length < 16 || !GridCodes.IsCellCode(id[..15])) return Problem.Invalid("id", "A household id is a cell code, '-' and a number.");
        if (!caller.CanSeeCell(id[..15])) return Problem.Forbidden($"Household {id} is outside your scope.");
        var household = await grains.GetGrain<IHouseholdGrain>(id).Get();
        if (household is null) return Problem.NotFound($"No household {id}.");
        return TypedResults.Ok(new HouseholdVisits(id, VisitRule.IntervalDays(household.Definition.Tags), await grains.GetGrain<IHouseholdGrain>(id).Visits()));
    }

    private static async Task<IResult> VisitsDue(string code, IGrainFactory grains, Caller caller)
    {
        if (GridCodes.CellCodeError(code) is { } error) return Problem.Invalid("code", error);
        if (!caller.CanSeeCell(code)) return Problem.Forbidden($"Cell {code} is outside your scope.");
        if (await grains.GetGrain<IGridCellGrain>(code).Get() is null) return Problem.NotFound($"No cell {code}.");
        return TypedResults.Ok(await grains.GetGrain<IGridCellGrain>(code).VisitsDue());
    }

    private static async Task<IResult> Leaderboard(string code, string? branch, IGrainFactory grains, Caller caller)
    {
        if (GridCodes.CommunityCodeError(code) is { } error) return Problem.Invalid("code", error);
        if (branch is { Length: > 100 }) return Problem.Invalid("branch", "must be at most 100 characters.");
        if (!caller.CanSeeCommunity(code)) return Problem.Forbidden($"Community {code} is outside your scope.");
        if (await grains.GetGrain<ICommunityGrain>(code).Get() is null) return Problem.NotFound($"No community {code}.");
        return TypedResults.Ok(await grains.GetGrain<ICommunityPointsGrain>(code).Leaderboard(branch, 100));
    }

    private static async Task<IResult> Rules(string code, IGrainFactory grains, Caller caller)
    {
        if (GridCodes.CommunityCodeError(code) is { } error) return Problem.Invalid("code", error);
        if (!caller.CanSeeCommunity(code)) return Problem.Forbidden($"Community {code} is outside your scope.");
        if (await grains.GetGrain<ICommunityGrain>(code).Get() is null) return Problem.NotFound($"No community {code}.");
        return TypedResults.Ok(await grains.GetGrain<ICommunityPointsGrain>(code).PointRules());
    }

    private static async Task<IResult> SetRules(string code, PointRules? rules, IGrainFactory grains, Caller caller)
    {
        if (GridCodes.CommunityCodeError(code) is { } error) return Problem.Invalid("code", error);
        if (!caller.CanEditDirectoryOf(code)) return Problem.Forbidden("Only the community committee sets its point rules.");
        var errors = new FieldErrors();
        if (rules is null) errors.Add("body", "Point rules are required.");
        else
        {
            foreach (var (field, value) in new[] { ("attendance", rules.Attendance), ("assignmentCompleted", rules.AssignmentCompleted),
                         ("issueClosed", rules.IssueClosed), ("serviceHour", rules.ServiceHour), ("absenceWithoutLeave", rules.AbsenceWithoutLeave) })
                errors.AddIf(value is < -100 or > 100, field, "must be from -100 to 100.");
            errors.AddIfNotNull("starThresholds", rules.StarThresholds.IsDefault ? "is required." : PointsLedger.ThresholdsError(rules.StarThresholds));
        }
        if (errors.Any) return errors.ToProblem();
        if (await grains.GetGrain<ICommunityGrain>(code).Get() is null) return Problem.NotFound($"No community {code}.");
        await grains.GetGrain<ICommunityPointsGrain>(code).SetPointRules(rules!);
        return TypedResults.Ok(rules);
    }
}
