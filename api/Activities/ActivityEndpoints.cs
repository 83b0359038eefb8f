using System.Collections.Immutable;
using System.Globalization;
using Grid.Api.Auth;
using Grid.Api.Problems;
using Grid.Contracts;
using Grid.Grains;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Grid.Api.Activities;

public sealed record LeaveBody(string? Reason);

/// <summary>签到: <c>code</c> is the code shown at the venue; <c>remote</c> true (no code) is for mobile members (流动党员).</summary>
public sealed record SignInBody(string? Code, bool? Remote);

public sealed record PostBody(string? MemberId);

public sealed record Counts(int Expected, int SignedUp, int OnLeave, int SignedIn, int Remote, int Absent);

public sealed record PersonLine(string MemberId, string Name, string Branch, DateTimeOffset? AtUtc, string? Reason, bool Remote, Attendance? Attendance);

public sealed record PostLine(string Post, string? MemberId, string? Name);

/// <summary>An occurrence. Organisers (scheduler, committee, admin) get the lists of names; a member gets the counts and their own line.</summary>
public sealed record ActivityResponse(
    string Id, string CommunityCode, string ScheduleId, ActivityKind Kind, string Title, string Theme, string Place,
    DateTimeOffset StartUtc, DateTimeOffset EndUtc, DateTimeOffset SignInOpensUtc, ActivityStatus Status, bool SignInOpen, Counts Counts,
    PersonLine? Me, ImmutableArray<PersonLine> People, ImmutableArray<PostLine> Posts, ImmutableArray<ReminderProgress> Reminders,
    DateTimeOffset? ClosedUtc, int Version);

public sealed record ActivityListItem(
    string Id, string ScheduleId, ActivityKind Kind, string Title, string Theme, DateTimeOffset StartUtc, DateTimeOffset EndUtc,
    ActivityStatus Status, Counts? Counts, int RemindersSent);

/// <summary>Occurrences (活动): sign-up, leave, sign-in with the venue code, posts, close.</summary>
public static class ActivityEndpoints
{
    private const int MaxListed = 100;

    public static void MapActivityEndpoints(this IEndpointRouteBuilder api)
    {
        // Signed-in callers; scope, organiser and member-only rules are decided per request (Caller).
        api.MapGet("/communities/{code}/activities", List).WithTags("Activities").RequireAuthorization()
            .WithSummary("Occurrences between ?from= and ?to= (yyyy-MM-dd, China Standard Time; default the last day and the next 62 days), with counts.");
        var activities = api.MapGroup("/activities/{id}").WithTags("Activities").RequireAuthorization();
        activities.MapGet("/", Get).WithSummary("One occurrence; organisers see who signed up, asked leave, signed in; members see counts and their own line.");
        activities.MapPost("/sign-up", SignUp).WithSummary("报名: the calling member signs up (before the start).");
        activities.MapPost("/leave", Leave).WithSummary("请假: the calling member asks leave with a reason (before the start); leave is not an absence.");
        activities.MapPost("/sign-in", SignIn)
            .WithSummary("签到: the calling member signs in while sign-in is open, with the code shown at the venue; mobile members (流动党员) may sign in remotely (remote: true).");
        activities.MapGet("/code", Code).WithSummary("The venue code to show now (organisers); it changes every 5 minutes.");
        activities.MapPut("/posts/{post}", StaffPost).WithSummary("Staff a post with a member of the community (organisers); memberId null frees it.");
        activities.MapPost("/close", Close).WithSummary("Make attendance final and award points now (organisers; after sign-in closes). Happens by itself at the end.");
    }

    /// <summary>The occurrence the path names, if the caller may see it; otherwise the problem.</summary>
    private static async Task<(IActivityGrain, ActivityView?, IResult?)> Load(string id, IGrainFactory grains, Caller caller)
    {
        var errors = new FieldErrors();
        if (errors.Id<ActivityId>("id", id) is not { } activityId) return (null!, null, errors.ToProblem());
        if (!caller.CanSeeCommunity(activityId.Community.Value)) return (null!, null, Problem.Forbidden($"活动「{id}」不在你的管辖范围内。"));
        var grain = grains.Activity(activityId);
        var view = await grain.Get();
        return view is null ? (grain, null, Problem.NotFound($"没有活动「{id}」。")) : (grain, view, null);
    }

    private static Counts CountsOf(ActivityView v)
    {
        var absent = v.Status == ActivityStatus.Closed ? v.Outcomes.Count(o => o.Value == Attendance.Absent) : 0;
        return new Counts(v.Plan.ExpectedMemberIds.Length, v.SignUps.Count, v.Leaves.Count, v.SignIns.Count, v.SignIns.Count(s => s.Value.Remote), absent);
    }

    private static async Task<IResult> List(string code, string? from, string? to, IGrainFactory grains, Caller caller, TimeProvider clock)
    {
        var now = clock.GetUtcNow();
        var errors = new FieldErrors();
        var community = errors.Id<CommunityCode>("code", code);
        var fromUtc = Day(from, "from", errors) ?? now.AddDays(-1);
        var toUtc = Day(to, "to", errors)?.AddDays(1) ?? now.AddDays(62);
        errors.AddIf(toUtc < fromUtc, "to", "不能早于 from。");
        errors.AddIf(toUtc - fromUtc > TimeSpan.FromDays(400), "to", "一次最多 400 天。");
        if (errors.Any) return errors.ToProblem();
        if (!caller.CanSeeCommunity(code)) return Problem.Forbidden($"社区「{code}」不在你的管辖范围内。");
        var grain = grains.Community(community!.Value);
        if (await grain.Get() is null) return Problem.NotFound($"没有社区「{code}」。");
        var index = (await grains.CommunitySchedule(community.Value).Activities(fromUtc, toUtc)).Take(MaxListed).ToList();
        var views = await Task.WhenAll(index.Select(a => grains.GetGrain<IActivityGrain>(a.Id).Get()));
        return TypedResults.Ok(index.Zip(views).Select(p => new ActivityListItem(
            p.First.Id, p.First.ScheduleId, p.First.Kind, p.First.Title, p.First.Theme, p.First.StartUtc, p.First.EndUtc, p.First.Status,
            p.Second is null ? null : CountsOf(p.Second), p.Second?.Reminders.Sum(r => r.Delivered) ?? 0)).ToList());
    }

    private static DateTimeOffset? Day(string? text, string field, FieldErrors errors)
    {
        if (text is null) return null;
        if (DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day))
            return new DateTimeOffset(day.ToDateTime(TimeOnly.MinValue), ChinaTime.Offset).ToUniversalTime();
        errors.Add(field, "应为 yyyy-MM-dd 格式的日期（北京时间）。");
        return null;
    }

    private static async Task<IResult> Get(string id, IGrainFactory grains, Caller caller, TimeProvider clock)
    {
        var (_, view, problem) = await Load(id, grains, caller);
        if (problem is not null) return problem;
        return TypedResults.Ok(await Response(view!, grains, caller, clock.GetUtcNow()));
    }

    private static async Task<ActivityResponse> Response(ActivityView v, IGrainFactory grains, Caller caller, DateTimeOffset now)
    {
        var organiser = caller.CanScheduleIn(v.Plan.CommunityCode);
        var roll = organiser ? v.Roll().ToList() : caller.MemberId is { } me && (v.Roll().Contains(me) || v.Leaves.ContainsKey(me)) ? [me] : [];
        roll = [.. roll.Union(organiser ? v.Leaves.Keys : [])];
        var members = (await Task.WhenAll(roll.Select(m => grains.GetGrain<IPartyMemberGrain>(m).Get()))).Where(m => m is not null).ToDictionary(m => m!.Id, m => m!);
        PersonLine Line(string m)
        {
            var name = members.TryGetValue(m, out var r) ? r.Definition.Name : "";
            var branch = r?.Definition.Branch ?? "";
            if (v.SignIns.TryGetValue(m, out var s)) return new PersonLine(m, name, branch, s.AtUtc, null, s.Remote, v.Outcomes.GetValueOrDefault(m, s.Remote ? Attendance.AttendedRemotely : Attendance.Attended));
            if (v.Leaves.TryGetValue(m, out var l)) return new PersonLine(m, name, branch, l.AtUtc, l.Reason, false, v.Status == ActivityStatus.Closed ? Attendance.OnLeave : null);
            return new PersonLine(m, name, branch, v.SignUps.TryGetValue(m, out var at) ? at : null, null, false, v.Outcomes.TryGetValue(m, out var o) ? o : null);
        }
        var people = organiser ? roll.Order(StringComparer.Ordinal).Select(Line).ToImmutableArray() : [];
        var mine = caller.MemberId is { } id && roll.Contains(id) ? Line(id) : null;
        var posts = v.Plan.Posts.Select(p => v.PostHolders.TryGetValue(p, out var holder)
            ? new PostLine(p, organiser || holder == caller.MemberId ? holder : null, organiser && members.TryGetValue(holder, out var h) ? h.Definition.Name : null)
            : new PostLine(p, null, null)).ToImmutableArray();
        return new ActivityResponse(v.Plan.Id, v.Plan.CommunityCode, v.Plan.ScheduleId, v.Plan.Kind, v.Plan.Title, v.Plan.Theme, v.Plan.Place,
            v.Plan.StartUtc, v.Plan.EndUtc, v.Plan.SignInOpensUtc, v.Status,
            v.Status == ActivityStatus.Planned && now >= v.Plan.SignInOpensUtc && now <= v.Plan.EndUtc,
            CountsOf(v), mine, people, posts, organiser ? v.Reminders : [], v.ClosedUtc, v.Version);
    }

    /// <summary>The calling member, for the steps a member takes only for themselves.</summary>
    private static (MemberId?, IResult?) Member(Caller caller) =>
        GridId.TryParse<MemberId>(caller.MemberId, out var member)
            ? (member, null)
            : (null, Problem.Forbidden("只有党员本人可以报名、请假或签到。"));

    private static async Task<IResult> Answer(Outcome<ActivityView> outcome, IGrainFactory grains, Caller caller, TimeProvider clock) =>
        outcome is { Succeeded: true, Value: { } view } ? TypedResults.Ok(await Response(view, grains, caller, clock.GetUtcNow())) : Problem.For(outcome);

    private static async Task<IResult> SignUp(string id, IGrainFactory grains, Caller caller, TimeProvider clock)
    {
        var (activity, _, problem) = await Load(id, grains, caller);
        var (member, notMember) = Member(caller);
        if ((problem ?? notMember) is { } refused) return refused;
        return await Answer(await activity.SignUp(member!.Value), grains, caller, clock);
    }

    private static async Task<IResult> Leave(string id, LeaveBody? body, IGrainFactory grains, Caller caller, TimeProvider clock)
    {
        var (activity, _, problem) = await Load(id, grains, caller);
        var (member, notMember) = Member(caller);
        if ((problem ?? notMember) is { } refused) return refused;
        var errors = new FieldErrors();
        errors.Text("reason", body?.Reason, 200, multiline: true);
        if (errors.Any) return errors.ToProblem();
        return await Answer(await activity.RequestLeave(member!.Value, body!.Reason!.Trim()), grains, caller, clock);
    }

    private static async Task<IResult> SignIn(string id, SignInBody? body, IGrainFactory grains, Caller caller, TimeProvider clock)
    {
        var (activity, _, problem) = await Load(id, grains, caller);
        var (member, notMember) = Member(caller);
        if ((problem ?? notMember) is { } refused) return refused;
        var remote = body?.Remote ?? false;
        var errors = new FieldErrors();
        if (remote) errors.AddIf(!string.IsNullOrEmpty(body?.Code), "code", "远程签到不用现场签到码。");
        else errors.AddIf(body?.Code is not { Length: 6 } c || !c.All(char.IsAsciiDigit), "code", "应为现场显示的六位签到码（流动党员可用 remote: true 远程签到）。");
        if (errors.Any) return errors.ToProblem();
        return await Answer(await activity.SignIn(member!.Value, body?.Code, remote), grains, caller, clock);
    }

    private static async Task<IResult> Code(string id, IGrainFactory grains, Caller caller)
    {
        var (activity, view, problem) = await Load(id, grains, caller);
        if (problem is not null) return problem;
        if (!caller.CanScheduleIn(view!.Plan.CommunityCode)) return Problem.Forbidden("只有活动组织者能看到签到码。");
        return TypedResults.Ok(await activity.SignInCode());
    }

    private static async Task<IResult> StaffPost(string id, string post, PostBody? body, IGrainFactory grains, Caller caller, TimeProvider clock)
    {
        var (activity, view, problem) = await Load(id, grains, caller);
        if (problem is not null) return problem;
        if (!caller.CanScheduleIn(view!.Plan.CommunityCode)) return Problem.Forbidden("只有活动组织者可以安排岗位。");
        MemberId? member = null;
        if (body?.MemberId is { } text)
        {
            var errors = new FieldErrors();
            member = errors.Id<MemberId>("memberId", text);
            if (member is { } m && await grains.Member(m).Get() is null) errors.Add("memberId", $"没有党员「{text}」。");
            if (errors.Any) return errors.ToProblem();
        }
        return await Answer(await activity.StaffPost(post, member), grains, caller, clock);
    }

    private static async Task<IResult> Close(string id, IGrainFactory grains, Caller caller, TimeProvider clock)
    {
        var (activity, view, problem) = await Load(id, grains, caller);
        if (problem is not null) return problem;
        if (!caller.CanScheduleIn(view!.Plan.CommunityCode)) return Problem.Forbidden("只有活动组织者可以结束活动。");
        return await Answer(await activity.Close(caller.Username), grains, caller, clock);
    }
}
