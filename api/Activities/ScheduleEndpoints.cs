using System.Collections.Immutable;
using System.Globalization;
using System.Text.RegularExpressions;
using Grid.Api.Auth;
using Grid.Api.Problems;
using Grid.Contracts;
using Grid.Grains;
using Grid.Grains.Activities;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Grid.Api.Activities;

/// <summary>A schedule as edited: either <c>saturday</c> (first … fourth, last) with <c>startTime</c>, or a five-field <c>cron</c>; times in China Standard Time.</summary>
public sealed record ScheduleRequest(
    ActivityKind? Kind, string? Title, SaturdayOfMonth? Saturday, string? Cron, string? StartTime, int? DurationMinutes, string? Place,
    string? DefaultTheme, Dictionary<string, string>? Themes, string[]? Branches, bool? IncludePlacedMembers, int[]? ReminderLeadMinutes,
    int? SignInOpensMinutesBefore, string[]? Posts);

public sealed record ScheduleResponse(
    string CommunityCode, string Id, ActivityKind Kind, string Title, SaturdayOfMonth? Saturday, string Cron, string StartTime, int DurationMinutes,
    string Place, string DefaultTheme, ImmutableDictionary<string, string> Themes, ImmutableArray<string> Branches, bool IncludePlacedMembers,
    ImmutableArray<int> ReminderLeadMinutes, int SignInOpensMinutesBefore, ImmutableArray<string> Posts, int Version, string UpdatedBy,
    DateTimeOffset UpdatedUtc, DateTimeOffset HandledUntilUtc, ImmutableArray<DateTimeOffset> NextStartsUtc, ImmutableArray<RecurringTrigger> Jobs)
{
    public static ScheduleResponse From(string community, ScheduleEntry entry, DateTimeOffset now)
    {
        var s = entry.Schedule;
        return new ScheduleResponse(community, s.Id, s.Kind, s.Title, s.Saturday, ActivityCalendar.CronOf(s), s.StartTime.ToString("HH:mm", CultureInfo.InvariantCulture),
            s.DurationMinutes, s.Place, s.DefaultTheme, s.Themes, s.Branches, s.IncludePlacedMembers, s.ReminderLeadMinutes, s.SignInOpensMinutesBefore,
            s.Posts, s.Version, s.UpdatedBy, s.UpdatedUtc, entry.HandledUntilUtc, [.. ActivityCalendar.Starts(s, now, now.AddYears(1)).Take(3)],
            ActivityCalendar.Jobs(community, s));
    }
}

/// <summary>Recurring activities of a community (红色星期六, 三会一课): edited by its scheduler or committee.</summary>
public static partial class ScheduleEndpoints
{
    public static void MapScheduleEndpoints(this IEndpointRouteBuilder api)
    {
        // Signed-in callers; who may read or edit which community is decided per request (Caller).
        var schedules = api.MapGroup("/communities/{code}/schedules").WithTags("Activities").RequireAuthorization();
        schedules.MapGet("/", List).WithSummary("The community's recurring activities, with their next starts and Hangfire jobs.");
        schedules.MapGet("/{scheduleId}", Get).WithSummary("One schedule.");
        schedules.MapPut("/{scheduleId}", Save)
            .WithSummary("Create or change a schedule (scheduler, committee): saturday (first…fourth, last) + startTime, or a cron rule, in China Standard Time. " +
                         "Its Hangfire jobs and coming occurrences follow at once; occurrences it no longer has are cancelled.");
        schedules.MapDelete("/{scheduleId}", Remove).WithSummary("Remove a schedule: its jobs go and its coming occurrences are cancelled.");
    }

    [GeneratedRegex("^[a-z0-9][a-z0-9-]{0,39}$")]
    private static partial Regex SlugPattern();

    [GeneratedRegex("^[0-9]{4}-(0[1-9]|1[0-2])$")]
    private static partial Regex MonthPattern();

    [GeneratedRegex("^([01][0-9]|2[0-3]):[0-5][0-9]$")]
    private static partial Regex TimePattern();

    private static IResult? Scope(string code, Caller caller, bool edit)
    {
        if (GridCodes.CommunityCodeError(code) is { } error) return Problem.Invalid("code", error);
        if (edit ? !caller.CanScheduleIn(code) : !caller.CanSeeCommunity(code))
            return Problem.Forbidden(edit ? $"只有社区 {code} 的活动组织者或社区党委可以编辑其活动。" : $"社区 {code} 不在您的权限范围内。");
        return null;
    }

    private static async Task<IResult> List(string code, IGrainFactory grains, Caller caller, TimeProvider clock)
    {
        if (Scope(code, caller, edit: false) is { } refused) return refused;
        if (await grains.GetGrain<ICommunityGrain>(code).Get() is null) return Problem.NotFound($"社区 {code} 不存在。");
        var now = clock.GetUtcNow();
        return TypedResults.Ok((await grains.GetGrain<ICommunityScheduleGrain>(code).Schedules()).Select(e => ScheduleResponse.From(code, e, now)).ToList());
    }

    private static async Task<IResult> Get(string code, string scheduleId, IGrainFactory grains, Caller caller, TimeProvider clock)
    {
        if (Scope(code, caller, edit: false) is { } refused) return refused;
        if (!SlugPattern().IsMatch(scheduleId)) return Problem.Invalid("scheduleId", "须为 1～40 个小写字母、数字或连字符，例如 red-saturday。");
        var entry = await grains.GetGrain<ICommunityScheduleGrain>(code).Schedule(scheduleId);
        return entry is null ? Problem.NotFound($"社区 {code} 没有排期「{scheduleId}」。") : TypedResults.Ok(ScheduleResponse.From(code, entry, clock.GetUtcNow()));
    }

    private static async Task<IResult> Save(string code, string scheduleId, ScheduleRequest? request, IGrainFactory grains, Caller caller,
        IActivityScheduling scheduling, TimeProvider clock, CancellationToken cancellationToken)
    {
        if (Scope(code, caller, edit: true) is { } refused) return refused;
        var errors = new FieldErrors();
        errors.AddIf(!SlugPattern().IsMatch(scheduleId), "scheduleId", "须为 1～40 个小写字母、数字或连字符，例如 red-saturday。");
        var schedule = Validate(scheduleId, request, errors);
        if (errors.Any) return errors.ToProblem();
        var schedules = grains.GetGrain<ICommunityScheduleGrain>(code);
        if (await grains.GetGrain<ICommunityGrain>(code).Get() is null) return Problem.NotFound($"社区 {code} 不存在。");
        var existed = await schedules.Schedule(scheduleId) is not null;
        await schedules.SaveSchedule(schedule! with { UpdatedBy = caller.Username });
        await scheduling.ScheduleSavedAsync(code, scheduleId, cancellationToken);
        var response = ScheduleResponse.From(code, (await schedules.Schedule(scheduleId))!, clock.GetUtcNow());
        return existed ? TypedResults.Ok(response) : TypedResults.Created($"/api/communities/{code}/schedules/{scheduleId}", response);
    }

    private static async Task<IResult> Remove(string code, string scheduleId, IGrainFactory grains, Caller caller, IActivityScheduling scheduling, CancellationToken cancellationToken)
    {
        if (Scope(code, caller, edit: true) is { } refused) return refused;
        if (!SlugPattern().IsMatch(scheduleId)) return Problem.Invalid("scheduleId", "须为 1～40 个小写字母、数字或连字符，例如 red-saturday。");
        if (!await grains.GetGrain<ICommunityScheduleGrain>(code).RemoveSchedule(scheduleId)) return Problem.NotFound($"社区 {code} 没有排期「{scheduleId}」。");
        await scheduling.ScheduleRemovedAsync(code, scheduleId, cancellationToken);
        return TypedResults.NoContent();
    }

    internal static ActivitySchedule? Validate(string scheduleId, ScheduleRequest? r, FieldErrors errors)
    {
        if (r is null)
        {
            errors.Add("body", "须提供排期内容。");
            return null;
        }
        errors.Text("title", r.Title, 50);
        var startTime = default(TimeOnly);
        if (r.Saturday is not null && r.Cron is not null) errors.Add("cron", "saturday 和 cron 只能给出其一，不能同时给出。");
        else if (r.Saturday is null && r.Cron is null) errors.Add("saturday", "须给出 saturday（first、second、third、fourth、last）和 startTime，或给出 cron 规则。");
        else if (r.Saturday is { } saturday)
        {
            if (!Enum.IsDefined(saturday)) errors.Add("saturday", "须为 first、second、third、fourth 或 last。");
            if (r.StartTime is null || !TimePattern().IsMatch(r.StartTime)) errors.Add("startTime", "给出 saturday 时必填，格式为 HH:mm（北京时间），例如 09:00。");
            else startTime = TimeOnly.ParseExact(r.StartTime, "HH:mm", CultureInfo.InvariantCulture);
        }
        else
        {
            errors.AddIfNotNull("cron", ActivityCalendar.CronError(r.Cron, out startTime));
            if (r.StartTime is not null && (!TimePattern().IsMatch(r.StartTime) || TimeOnly.ParseExact(r.StartTime, "HH:mm", CultureInfo.InvariantCulture) != startTime))
                errors.Add("startTime", "使用 cron 时，开始时间取规则中的时和分；请省略 startTime，或给出与之相同的时间。");
        }
        errors.AddIf(r.Kind is { } kind && !Enum.IsDefined(kind), "kind", "须为 red_saturday、branch_meeting、party_lesson 或 other。");
        errors.AddIf(r.DurationMinutes is not (null or (>= 15 and <= 720)), "durationMinutes", "须为 15～720 分钟。");
        errors.Text("place", r.Place, 100, required: false);
        errors.Text("defaultTheme", r.DefaultTheme, 100, required: false);
        if (r.Themes is { } themes)
        {
            errors.AddIf(themes.Count > 36, "themes", "一次最多 36 个月。");
            foreach (var (month, theme) in themes)
            {
                errors.AddIf(!MonthPattern().IsMatch(month), "themes", $"「{month}」不是 YYYY-MM 格式的月份。");
                errors.Text("themes", theme, 100);
            }
        }
        if (r.Branches is { } branches)
        {
            errors.AddIf(branches.Length > 20, "branches", "最多 20 个支部。");
            foreach (var branch in branches) errors.Text("branches", branch, 100);
        }
        if (r.ReminderLeadMinutes is { } leads)
        {
            errors.AddIf(leads.Length > 5, "reminderLeadMinutes", "最多 5 次提醒。");
            errors.AddIf(leads.Any(l => l is < 1 or > ActivityCalendar.MaxLeadMinutes), "reminderLeadMinutes", $"每项须为 1～{ActivityCalendar.MaxLeadMinutes} 分钟（30 天）。");
            errors.AddIf(leads.Distinct().Count() != leads.Length, "reminderLeadMinutes", "提前时间不能重复。");
        }
        errors.AddIf(r.SignInOpensMinutesBefore is not (null or (>= 0 and <= 240)), "signInOpensMinutesBefore", "须为 0～240 分钟。");
        if (r.Posts is { } posts)
        {
            errors.AddIf(posts.Length > 20, "posts", "最多 20 个岗位。");
            foreach (var post in posts) errors.Text("posts", post, 50);
            errors.AddIf(posts.Select(p => p?.Trim()).Distinct().Count() != posts.Length, "posts", "岗位不能重复。");
        }
        if (errors.Any) return null;
        return new ActivitySchedule
        {
            Id = scheduleId,
            Kind = r.Kind ?? (r.Saturday is null ? ActivityKind.Other : ActivityKind.RedSaturday),
            Title = r.Title!.Trim(),
            Saturday = r.Saturday,
            Cron = r.Saturday is null ? string.Join(' ', r.Cron!.Split(' ', StringSplitOptions.RemoveEmptyEntries)) : null,
            StartTime = startTime,
            DurationMinutes = r.DurationMinutes ?? 180,
            Place = r.Place?.Trim() ?? "",
            DefaultTheme = r.DefaultTheme?.Trim() ?? "",
            Themes = (r.Themes ?? []).ToImmutableDictionary(t => t.Key, t => t.Value.Trim()),
            Branches = [.. (r.Branches ?? []).Select(b => b.Trim())],
            IncludePlacedMembers = r.IncludePlacedMembers ?? false,
            ReminderLeadMinutes = r.ReminderLeadMinutes is { } given ? [.. given.OrderDescending()] : [3 * 24 * 60, 120],
            SignInOpensMinutesBefore = r.SignInOpensMinutesBefore ?? 30,
            Posts = [.. (r.Posts ?? []).Select(p => p.Trim())],
        };
    }
}
