using System.Collections.Immutable;
using Cronos;
using Grid.Contracts;
using Grid.Grains.Activities;

namespace Grid.Tests.Activities;

/// <summary>Occurrence dates, triggers, job crons, venue codes and attendance points: plain rules, no silo.</summary>
[Trait("Tier", "Unit")]
public class ActivityRulesTests
{
    private static ActivitySchedule RedSaturday(SaturdayOfMonth which, int hour = 9, int minute = 0, int duration = 180) => new()
    {
        Id = "red-saturday", Title = "红色星期六主题党日", Saturday = which, StartTime = new TimeOnly(hour, minute), DurationMinutes = duration,
    };

    private static DateTimeOffset Utc(int y, int mo, int d, int h = 0, int mi = 0) => new(y, mo, d, h, mi, 0, TimeSpan.Zero);

    [Theory]
    [InlineData(2026, 11, SaturdayOfMonth.First, "2026-11-07")]
    [InlineData(2026, 11, SaturdayOfMonth.Fourth, "2026-11-28")]
    [InlineData(2026, 11, SaturdayOfMonth.Last, "2026-11-28")] // the fourth is the last
    [InlineData(2026, 12, SaturdayOfMonth.Last, "2026-12-26")]
    [InlineData(2027, 1, SaturdayOfMonth.First, "2027-01-02")]
    [InlineData(2027, 1, SaturdayOfMonth.Last, "2027-01-30")]
    [InlineData(2027, 7, SaturdayOfMonth.Last, "2027-07-31")]  // on the month's last day
    [InlineData(2028, 1, SaturdayOfMonth.First, "2028-01-01")] // on the month's (and year's) first day
    [InlineData(2028, 2, SaturdayOfMonth.Last, "2028-02-26")]  // leap February
    public void Saturdays_of_a_month(int year, int month, SaturdayOfMonth which, string expected) =>
        Assert.Equal(DateOnly.Parse(expected), ActivityCalendar.Saturday(year, month, which));

    [Fact]
    public void Starts_are_China_Standard_Time_instants_in_UTC_across_month_and_year_ends()
    {
        // The server runs in UTC (as CI does); nothing may depend on its local zone.
        var nineAm = RedSaturday(SaturdayOfMonth.First);
        Assert.Equal(
            [Utc(2026, 12, 5, 1), Utc(2027, 1, 2, 1), Utc(2027, 2, 6, 1)],
            ActivityCalendar.Starts(nineAm, Utc(2026, 11, 30), Utc(2027, 2, 28)).ToArray());

        // 07:00 CST on Saturday 1 January 2028 is Friday 31 December 2027, 23:00 UTC: another day, month and year in UTC.
        var early = RedSaturday(SaturdayOfMonth.First, hour: 7);
        var start = ActivityCalendar.Starts(early, Utc(2027, 12, 15), Utc(2028, 1, 15)).Single();
        Assert.Equal(Utc(2027, 12, 31, 23), start);
        Assert.Equal("330503101001-2028-01-01-red-saturday", ActivityCalendar.ActivityId("330503101001", "red-saturday", start));

        // The last Saturday of December at 07:30 CST is still in December in UTC; the next one is in January.
        var last = RedSaturday(SaturdayOfMonth.Last, hour: 7, minute: 30);
        Assert.Equal([Utc(2026, 12, 25, 23, 30), Utc(2027, 1, 29, 23, 30)], ActivityCalendar.Starts(last, Utc(2026, 12, 20), Utc(2027, 1, 31)).ToArray());
        // An instant just before a start does not include it twice, and the bounds are (after, until].
        Assert.Empty(ActivityCalendar.Starts(last, Utc(2026, 12, 25, 23, 30), Utc(2027, 1, 29, 23, 29)));
    }

    [Theory]
    [InlineData(SaturdayOfMonth.First)]
    [InlineData(SaturdayOfMonth.Second)]
    [InlineData(SaturdayOfMonth.Third)]
    [InlineData(SaturdayOfMonth.Fourth)]
    [InlineData(SaturdayOfMonth.Last)]
    public void Saturday_rules_agree_with_the_cron_rule_Hangfire_runs_for_ten_years(SaturdayOfMonth which)
    {
        var schedule = RedSaturday(which, hour: 6, minute: 30);
        var cron = CronExpression.Parse(ActivityCalendar.CronOf(schedule));
        var (from, to) = (Utc(2026, 1, 1), Utc(2036, 1, 1));
        var byCron = cron.GetOccurrences(from.UtcDateTime, to.UtcDateTime, ActivityCalendar.ChinaZone, true, true)
            .Select(t => new DateTimeOffset(t, TimeSpan.Zero)).ToArray();
        Assert.Equal(120, byCron.Length);
        Assert.Equal(byCron, ActivityCalendar.Starts(schedule, from, to).ToArray());
    }

    [Fact]
    public void General_cron_rules_give_the_start_time_and_are_checked()
    {
        Assert.Null(ActivityCalendar.CronError("0 19 * * 1#1", out var time)); // first Monday, 19:00: monthly branch meeting
        Assert.Equal(new TimeOnly(19, 0), time);
        Assert.Null(ActivityCalendar.CronError("30 14 1 1,4,7,10 *", out time)); // quarterly Party lesson
        Assert.Equal(new TimeOnly(14, 30), time);
        Assert.NotNull(ActivityCalendar.CronError("0 */2 * * *", out _));
        Assert.NotNull(ActivityCalendar.CronError("0 9 * *", out _));
        Assert.NotNull(ActivityCalendar.CronError("0 9 31 2 *", out _)); // never
        Assert.NotNull(ActivityCalendar.CronError("0 9 * * 9", out _));

        var lesson = new ActivitySchedule { Id = "party-lesson", Title = "党课", Cron = "30 14 1 1,4,7,10 *", StartTime = new TimeOnly(14, 30) };
        Assert.Equal([Utc(2027, 1, 1, 6, 30), Utc(2027, 4, 1, 6, 30)], ActivityCalendar.Starts(lesson, Utc(2026, 12, 1), Utc(2027, 6, 1)).ToArray());
        Assert.Equal(Utc(2027, 1, 1, 6, 30), ActivityCalendar.Next(lesson, Utc(2026, 10, 1, 6, 30)));
    }

    [Fact]
    public void Triggers_due_are_the_reminders_before_and_the_close_after_each_start_in_order()
    {
        var schedule = RedSaturday(SaturdayOfMonth.First); // 2026-12-05 01:00Z, ends 04:00Z
        var due = ActivityCalendar.Due(schedule, Utc(2026, 11, 30), Utc(2026, 12, 5, 4));
        Assert.Equal(
            [(TriggerKind.Remind, Utc(2026, 12, 2, 1), 4320), (TriggerKind.Remind, Utc(2026, 12, 4, 23), 120), (TriggerKind.Close, Utc(2026, 12, 5, 4), 0)],
            due.Select(t => (t.Kind, t.AtUtc, t.LeadMinutes)).ToArray());
        Assert.All(due, t => Assert.Equal(Utc(2026, 12, 5, 1), t.StartUtc));
        // Handled up to the 3-day reminder: only the rest is due.
        Assert.Equal(2, ActivityCalendar.Due(schedule, Utc(2026, 12, 2, 1), Utc(2026, 12, 5, 4)).Length);
        // The next month's 3-day reminder falls in the previous month (Wednesday 30 December for Saturday 2 January).
        var january = ActivityCalendar.Due(schedule, Utc(2026, 12, 20), Utc(2026, 12, 31));
        Assert.Equal((TriggerKind.Remind, Utc(2026, 12, 30, 1)), (january.Single().Kind, january.Single().AtUtc));
    }

    [Fact]
    public void Recurring_jobs_are_the_schedule_cron_shifted_per_trigger()
    {
        var jobs = ActivityCalendar.Jobs("330503101001", RedSaturday(SaturdayOfMonth.First));
        Assert.Equal(
            [("activity:330503101001:red-saturday:remind-3d", "0 9 * * 3"), // Wednesdays: a superset of "3 days before the first Saturday"
             ("activity:330503101001:red-saturday:remind-2h", "0 7 * * 6#1"),
             ("activity:330503101001:red-saturday:close", "0 12 * * 6#1")],
            jobs.Select(j => (j.JobId, j.Cron)).ToArray());
        var last = ActivityCalendar.Jobs("330503101001", RedSaturday(SaturdayOfMonth.Last, hour: 1) with { ReminderLeadMinutes = [90] });
        Assert.Equal(["30 23 * * 5", "0 4 * * 6L"], last.Select(j => j.Cron).ToArray()); // 90 minutes before 01:00 Saturday is Friday 23:30
        Assert.Equal("0 21 * * *", ActivityCalendar.Shift("0 9 1 1,4,7,10 *", -12 * 60)); // the day before the 1st: daily, a superset
        Assert.Equal("15 0 * * 0", ActivityCalendar.Shift("15 22 * * 6", 120));
        // Every trigger moment is a moment its job's cron fires at.
        var schedule = RedSaturday(SaturdayOfMonth.Last, hour: 8);
        foreach (var trigger in ActivityCalendar.Due(schedule, Utc(2026, 1, 1), Utc(2028, 1, 1)))
        {
            var name = trigger.Kind == TriggerKind.Close ? "close" : $"remind-{ActivityCalendar.LeadName(trigger.LeadMinutes)}";
            var cron = CronExpression.Parse(ActivityCalendar.Jobs("1", schedule).Single(j => j.Trigger == name).Cron);
            Assert.Equal(trigger.AtUtc.UtcDateTime, cron.GetNextOccurrence(trigger.AtUtc.UtcDateTime.AddSeconds(-1), ActivityCalendar.ChinaZone));
        }
    }

    [Fact]
    public void The_venue_code_changes_every_five_minutes_and_the_previous_one_still_counts()
    {
        var secret = new byte[32];
        Random.Shared.NextBytes(secret);
        var now = Utc(2026, 12, 5, 1, 2);
        var code = SignInRules.CodeAt(secret, now);
        Assert.Matches("^[0-9]{6}$", code);
        Assert.True(SignInRules.CodeMatches(secret, code, now));
        Assert.True(SignInRules.CodeMatches(secret, code, now.AddMinutes(5))); // the previous step
        Assert.False(SignInRules.CodeMatches(secret, code, now.AddMinutes(10)));
        Assert.False(SignInRules.CodeMatches(secret, code, now.AddMinutes(-5))); // not a future code
        Assert.False(SignInRules.CodeMatches(secret, null, now));
        var other = (byte[])secret.Clone();
        other[0] ^= 1;
        Assert.NotEqual(code, SignInRules.CodeAt(other, now)); // every occurrence has codes of its own
        Assert.Equal(Utc(2026, 12, 5, 1, 5), SignInRules.CodeChangesAt(now));
        // Well spread: 1,000 steps give (nearly) 1,000 different codes.
        Assert.True(Enumerable.Range(0, 1000).Select(i => SignInRules.Code(secret, i)).Distinct().Count() > 990);
    }

    [Fact]
    public void Sign_in_opens_before_the_start_and_closes_at_the_end()
    {
        var plan = ActivityCalendar.PlanFor("330503101001", RedSaturday(SaturdayOfMonth.First), Utc(2026, 12, 5, 1), []);
        Assert.Equal(Utc(2026, 12, 5, 0, 30), plan.SignInOpensUtc);
        Assert.Contains("2026-12-05 08:30", SignInRules.WindowError(plan, Utc(2026, 12, 5, 0, 29)));
        Assert.Null(SignInRules.WindowError(plan, Utc(2026, 12, 5, 0, 30)));
        Assert.Null(SignInRules.WindowError(plan, Utc(2026, 12, 5, 4)));
        Assert.Contains("2026-12-05 12:00", SignInRules.WindowError(plan, Utc(2026, 12, 5, 4, 1)));
    }

    [Fact]
    public void Attendance_earns_absence_without_leave_costs_and_leave_is_neutral()
    {
        var plan = ActivityCalendar.PlanFor("330503101001", RedSaturday(SaturdayOfMonth.First), Utc(2026, 12, 5, 1), ["A", "B", "C", "D"]);
        var view = new ActivityView
        {
            Plan = plan,
            SignIns = ImmutableDictionary<string, SignInRecord>.Empty
                .Add("A", new SignInRecord { AtUtc = Utc(2026, 12, 5, 1) }).Add("D", new SignInRecord { AtUtc = Utc(2026, 12, 5, 1), Remote = true }),
            Leaves = ImmutableDictionary<string, LeaveRequest>.Empty.Add("B", new LeaveRequest { Reason = "出差", AtUtc = Utc(2026, 12, 1) }),
            SignUps = ImmutableDictionary<string, DateTimeOffset>.Empty.Add("E", Utc(2026, 12, 1)), // not expected, signed up, did not come
        };
        var final = AttendanceRules.Final(view);
        Assert.Equal(
            [("A", Attendance.Attended), ("B", Attendance.OnLeave), ("C", Attendance.Absent), ("D", Attendance.AttendedRemotely), ("E", Attendance.Absent)],
            final.OrderBy(f => f.Key).Select(f => (f.Key, f.Value)).ToArray());
        var rules = new PointRules(); // attendance 5, absence without leave -3
        var a = AttendanceRules.Points(plan, "A", Attendance.Attended, rules, "system")!;
        Assert.Equal(("activity:330503101001-2026-12-05-red-saturday:attended", "attendance", 5), (a.SourceId, a.Rule, a.Points));
        Assert.Equal(plan.StartUtc, a.AtUtc); // counts in the activity's year
        var c = AttendanceRules.Points(plan, "C", Attendance.Absent, rules, "system")!;
        Assert.Equal(("activity:330503101001-2026-12-05-red-saturday:absent", "absence_without_leave", -3), (c.SourceId, c.Rule, c.Points));
        Assert.Null(AttendanceRules.Points(plan, "B", Attendance.OnLeave, rules, "system"));
        Assert.Null(AttendanceRules.Points(plan, "C", Attendance.Absent, rules with { AbsenceWithoutLeave = 0 }, "system"));
    }

    [Fact]
    public void Reminder_text_is_in_China_Standard_Time()
    {
        var notice = new ReminderNotice
        {
            Key = "k", ActivityId = "a", MemberId = "m", CommunityCode = "330503101001", LeadMinutes = 120, Title = "红色星期六主题党日",
            Theme = "冬季安全隐患大排查", Place = "练溪社区党群服务中心", StartUtc = Utc(2026, 12, 5, 1),
        };
        Assert.Equal("【练溪社区】提醒：红色星期六主题党日将于12月5日（周六）09:00在练溪社区党群服务中心举行，主题：冬季安全隐患大排查。请准时参加，不能参加请在系统中请假。",
            ReminderText.For(notice, "练溪社区"));
    }
}

/// <summary>Activities' live events in the per-silo coalescer: reminders are never dropped, counts keep the latest.</summary>
[Trait("Tier", "Unit")]
public class ActivityLiveEventTests
{
    [Fact]
    public void A_burst_of_reminders_keeps_every_member_and_activity_counts_keep_the_latest()
    {
        var coalescer = new Grid.Grains.Live.LiveCoalescer(tickerCap: 5);
        var at = new DateTimeOffset(2026, 12, 2, 1, 0, 0, TimeSpan.Zero);
        var community = CommunityCode.Parse("330503101001");
        var activity = ActivityId.Parse("330503101001-2026-12-05-red-saturday");
        for (var i = 0; i < 50; i++)
            coalescer.Add(new MemberReminder { CommunityCode = community, MemberId = MemberId.Of(community, i + 1), ActivityId = activity, AtUtc = at, Title = "红色星期六" });
        for (var i = 0; i < 20; i++)
            coalescer.Add(new ActivityCountsChanged { CommunityCode = community, ActivityId = activity, Status = ActivityStatus.Planned, AtUtc = at.AddSeconds(i), SignedIn = i });
        coalescer.Add(new ReminderProgressChanged { CommunityCode = community, ActivityId = activity, LeadMinutes = 120, AtUtc = at });
        coalescer.Add(new ReminderProgressChanged { CommunityCode = community, ActivityId = activity, LeadMinutes = 4320, AtUtc = at });
        var batch = coalescer.Drain().Events;
        Assert.Equal(50, batch.OfType<MemberReminder>().Count());
        Assert.Equal(19, Assert.Single(batch.OfType<ActivityCountsChanged>()).SignedIn);
        Assert.Equal(2, batch.OfType<ReminderProgressChanged>().Count()); // one per lead time
        Assert.Empty(batch.OfType<TickerLine>());
        var (method, message) = Grid.Api.Hubs.LiveMessages.For(batch.OfType<MemberReminder>().First());
        Assert.Equal(("reminder", "红色星期六"), (method, ((Grid.Api.Hubs.ReminderMessage)message).Title));
    }
}

[Trait("Tier", "Unit")]
public class WebhookOptionsTests
{
    [Fact]
    public void The_webhook_is_off_by_default_and_needs_an_http_url_when_on()
    {
        Assert.Null(Grid.Silo.Activities.WebhookOptions.Error(new()));
        Assert.False(new Grid.Silo.Activities.WebhookOptions().Enabled);
        Assert.NotNull(Grid.Silo.Activities.WebhookOptions.Error(new() { Enabled = true }));
        Assert.NotNull(Grid.Silo.Activities.WebhookOptions.Error(new() { Enabled = true, Url = "ftp://127.0.0.1/x" }));
        Assert.NotNull(Grid.Silo.Activities.WebhookOptions.Error(new() { Enabled = true, Url = "/relative" }));
        Assert.NotNull(Grid.Silo.Activities.WebhookOptions.Error(new() { Enabled = true, Url = "http://127.0.0.1/x", Timeout = TimeSpan.Zero }));
        Assert.Null(Grid.Silo.Activities.WebhookOptions.Error(new() { Enabled = true, Url = "https://sms.example.gov.cn/reminders" }));
    }
}
