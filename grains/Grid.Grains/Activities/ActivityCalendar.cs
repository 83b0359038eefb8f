using System.Collections.Immutable;
using System.Globalization;
using Cronos;
using Grid.Contracts;

namespace Grid.Grains.Activities;

/// <summary>A moment a schedule must act: a reminder before an occurrence, or its close.</summary>
public enum TriggerKind { Remind = 0, Close = 1 }

public sealed record ScheduleTrigger(TriggerKind Kind, DateTimeOffset AtUtc, DateTimeOffset StartUtc, int LeadMinutes);

/// <summary>A Hangfire recurring job derived from a schedule: its id, what it triggers and its cron (China Standard Time).</summary>
public sealed record RecurringTrigger(string JobId, string Trigger, string Cron);

/// <summary>
/// Occurrence dates of schedules. Every rule is read in China Standard Time (UTC+8, no daylight
/// saving) and every instant returned is UTC, whatever the server's own time zone.
/// </summary>
public static class ActivityCalendar
{
    /// <summary>The zone Hangfire's recurring jobs run in.</summary>
    public static TimeZoneInfo ChinaZone { get; } = TimeZoneInfo.FindSystemTimeZoneById("Asia/Shanghai");

    public const int MaxLeadMinutes = 30 * 24 * 60;
    /// <summary>Occurrences are planned this far ahead (and the next one always).</summary>
    public static readonly TimeSpan PlanAhead = TimeSpan.FromDays(32);

    /// <summary>The date of the first … fourth or the last Saturday of a month.</summary>
    public static DateOnly Saturday(int year, int month, SaturdayOfMonth which)
    {
        if (which == SaturdayOfMonth.Last)
        {
            var last = new DateOnly(year, month, DateTime.DaysInMonth(year, month));
            return last.AddDays(-(((int)last.DayOfWeek + 1) % 7)); // Saturday is 6: back 0 … 6 days
        }
        var first = new DateOnly(year, month, 1);
        var firstSaturday = first.AddDays((6 - (int)first.DayOfWeek + 7) % 7);
        return firstSaturday.AddDays(7 * ((int)which - 1));
    }

    /// <summary>A China Standard Time date and time as a UTC instant.</summary>
    public static DateTimeOffset ToUtc(DateOnly day, TimeOnly time) =>
        new DateTimeOffset(day.ToDateTime(time), ChinaTime.Offset).ToUniversalTime();

    /// <summary>Occurrence starts in (<paramref name="afterUtc"/>, <paramref name="untilUtc"/>], in order.</summary>
    public static IEnumerable<DateTimeOffset> Starts(ActivitySchedule schedule, DateTimeOffset afterUtc, DateTimeOffset untilUtc)
    {
        if (untilUtc <= afterUtc) yield break;
        if (schedule.Saturday is { } which)
        {
            var month = afterUtc.ToOffset(ChinaTime.Offset);
            var (year, m) = (month.Year, month.Month);
            while (true)
            {
                var start = ToUtc(Saturday(year, m, which), schedule.StartTime);
                if (start > untilUtc) yield break;
                if (start > afterUtc) yield return start;
                (year, m) = m == 12 ? (year + 1, 1) : (year, m + 1);
            }
        }
        var cron = CronExpression.Parse(schedule.Cron!);
        foreach (var t in cron.GetOccurrences(afterUtc.UtcDateTime, untilUtc.UtcDateTime, ChinaZone, fromInclusive: false, toInclusive: true))
            yield return new DateTimeOffset(DateTime.SpecifyKind(t, DateTimeKind.Utc));
    }

    /// <summary>The first start after <paramref name="afterUtc"/>, looking at most two years ahead.</summary>
    public static DateTimeOffset? Next(ActivitySchedule schedule, DateTimeOffset afterUtc) =>
        Starts(schedule, afterUtc, afterUtc.AddYears(2)).Cast<DateTimeOffset?>().FirstOrDefault();

    /// <summary>The cron rule of the schedule: a Saturday rule as "m h * * 6#n" or "m h * * 6L".</summary>
    public static string CronOf(ActivitySchedule schedule) => schedule.Saturday is { } which
        ? $"{schedule.StartTime.Minute} {schedule.StartTime.Hour} * * {(which == SaturdayOfMonth.Last ? "6L" : $"6#{(int)which}")}"
        : schedule.Cron!;

    /// <summary>
    /// Why a cron rule is not usable, or null: five fields, a single minute and hour (they give
    /// the start time), and at least one occurrence in the next two years.
    /// </summary>
    public static string? CronError(string? cron, out TimeOnly startTime)
    {
        startTime = default;
        if (string.IsNullOrWhiteSpace(cron)) return "未给出 saturday 时必填。";
        var fields = cron.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (fields.Length != 5) return "须有五个字段：分 时 日 月 星期。";
        if (!int.TryParse(fields[0], NumberStyles.None, CultureInfo.InvariantCulture, out var minute) || minute > 59 ||
            !int.TryParse(fields[1], NumberStyles.None, CultureInfo.InvariantCulture, out var hour) || hour > 23)
            return "分和时须各为单个数字（它们给出开始时间），例如「0 19 * * 1#1」。";
        CronExpression parsed;
        try { parsed = CronExpression.Parse(string.Join(' ', fields)); }
        catch (CronFormatException e) { return $"不是有效的 cron 规则：{e.Message}"; }
        if (parsed.GetNextOccurrence(DateTime.UtcNow, ChinaZone) is null) return "该规则永远不会触发。";
        startTime = new TimeOnly(hour, minute);
        return null;
    }

    /// <summary>The occurrence's key: community, China Standard Time date, schedule id.</summary>
    public static string ActivityId(string communityCode, string scheduleId, DateTimeOffset startUtc) =>
        Contracts.ActivityId.Of(CommunityCode.Parse(communityCode), ChinaTime.Day(startUtc), scheduleId).Value;

    /// <summary>The month's theme, else the schedule's default.</summary>
    public static string ThemeFor(ActivitySchedule schedule, DateTimeOffset startUtc) =>
        schedule.Themes.TryGetValue(startUtc.ToOffset(ChinaTime.Offset).ToString("yyyy-MM", CultureInfo.InvariantCulture), out var theme)
            ? theme : schedule.DefaultTheme;

    public static ActivityPlan PlanFor(string communityCode, ActivitySchedule schedule, DateTimeOffset startUtc, ImmutableArray<string> expected) => new()
    {
        Id = ActivityId(communityCode, schedule.Id, startUtc),
        CommunityCode = communityCode,
        ScheduleId = schedule.Id,
        Kind = schedule.Kind,
        Title = schedule.Title,
        Theme = ThemeFor(schedule, startUtc),
        Place = schedule.Place,
        StartUtc = startUtc,
        EndUtc = startUtc.AddMinutes(schedule.DurationMinutes),
        SignInOpensUtc = startUtc.AddMinutes(-schedule.SignInOpensMinutesBefore),
        ExpectedMemberIds = expected,
        Posts = schedule.Posts,
        ReminderLeadMinutes = schedule.ReminderLeadMinutes,
    };

    /// <summary>
    /// The triggers due in (<paramref name="afterUtc"/>, <paramref name="untilUtc"/>], oldest first:
    /// each reminder (lead before a start) and each close (at the end).
    /// </summary>
    public static ImmutableArray<ScheduleTrigger> Due(ActivitySchedule schedule, DateTimeOffset afterUtc, DateTimeOffset untilUtc)
    {
        if (untilUtc <= afterUtc) return [];
        var maxLead = schedule.ReminderLeadMinutes.IsDefaultOrEmpty ? 0 : schedule.ReminderLeadMinutes.Max();
        var triggers = new List<ScheduleTrigger>();
        foreach (var start in Starts(schedule, afterUtc.AddMinutes(-schedule.DurationMinutes - 1), untilUtc.AddMinutes(maxLead + 1)))
        {
            foreach (var lead in schedule.ReminderLeadMinutes.Distinct())
            {
                var at = start.AddMinutes(-lead);
                if (at > afterUtc && at <= untilUtc) triggers.Add(new ScheduleTrigger(TriggerKind.Remind, at, start, lead));
            }
            var close = start.AddMinutes(schedule.DurationMinutes);
            if (close > afterUtc && close <= untilUtc) triggers.Add(new ScheduleTrigger(TriggerKind.Close, close, start, 0));
        }
        return [.. triggers.OrderBy(t => t.AtUtc).ThenBy(t => t.Kind)];
    }

    /// <summary>"3d", "2h", "90m": a lead time as it appears in job ids.</summary>
    public static string LeadName(int minutes) =>
        minutes % 1440 == 0 ? $"{minutes / 1440}d" : minutes % 60 == 0 ? $"{minutes / 60}h" : $"{minutes}m";

    public static string JobPrefix(string communityCode, string scheduleId) => $"activity:{communityCode}:{scheduleId}:";

    /// <summary>
    /// The recurring jobs of a schedule: one per reminder lead and one for the close, each with
    /// the schedule's cron shifted by its offset. Where a shift crosses midnight and the rule cannot
    /// say "n days before the first Saturday", the job fires on a superset of days (that weekday, or
    /// daily); every run handles exactly the triggers that are due, so an extra run does nothing.
    /// </summary>
    public static ImmutableArray<RecurringTrigger> Jobs(string communityCode, ActivitySchedule schedule)
    {
        var cron = CronOf(schedule);
        var prefix = JobPrefix(communityCode, schedule.Id);
        var jobs = schedule.ReminderLeadMinutes.Distinct().OrderByDescending(l => l)
            .Select(lead => new RecurringTrigger($"{prefix}remind-{LeadName(lead)}", $"remind-{LeadName(lead)}", Shift(cron, -lead)))
            .ToList();
        jobs.Add(new RecurringTrigger($"{prefix}close", "close", Shift(cron, schedule.DurationMinutes)));
        return [.. jobs];
    }

    /// <summary>A cron rule (single minute and hour) moved by <paramref name="offsetMinutes"/>.</summary>
    public static string Shift(string cron, int offsetMinutes)
    {
        var f = cron.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var total = int.Parse(f[1], CultureInfo.InvariantCulture) * 60 + int.Parse(f[0], CultureInfo.InvariantCulture) + offsetMinutes;
        var days = (int)Math.Floor(total / 1440.0);
        var inDay = total - days * 1440;
        var (minute, hour) = (inDay % 60, inDay / 60);
        if (days == 0) return $"{minute} {hour} {f[2]} {f[3]} {f[4]}";
        var weekday = System.Text.RegularExpressions.Regex.Match(f[4], "^([0-7])(#[1-5]|L)?$");
        if (f[2] == "*" && f[3] == "*" && weekday.Success)
        {
            var day = (int.Parse(weekday.Groups[1].Value, CultureInfo.InvariantCulture) % 7 + days % 7 + 7) % 7;
            return $"{minute} {hour} * * {day}";
        }
        return $"{minute} {hour} * * *";
    }
}
