using System.Collections.Immutable;
using Grid.Contracts;
using Grid.Grains.Activities;
using Grid.Silo.Activities;
using Microsoft.Extensions.Options;

namespace Grid.Tests.Activities;

/// <summary>Occurrences, reminders, catch-up and points on two real silos with SQLite and a controlled clock.</summary>
public sealed class ActivityGrainTests(ActivityClusterFixture fixture) : ActivityGrainSuite(fixture), IClassFixture<ActivityClusterFixture>;

public sealed class ActivityGrainTestsOnPostgres(PostgresActivityClusterFixture fixture) : ActivityGrainSuite(fixture), IClassFixture<PostgresActivityClusterFixture>;

[Trait("Tier", "Integration")]
public abstract class ActivityGrainSuite(ActivityClusterFixture fixture)
{
    private IGrainFactory Grains => fixture.Grains;

    private static MemberId M(string id) => GridId.Parse<MemberId>(id);

    private int RemindersPushed(string activityId, string memberId) =>
        fixture.Live.Events.OfType<MemberReminder>().Count(e => e.ActivityId.Value == activityId && e.MemberId.Value == memberId);

    [Fact]
    public async Task Reminders_go_out_exactly_once_under_a_retried_job()
    {
        var (community, members) = await fixture.World(12);
        var (id, start) = await fixture.Schedule(community, ActivityClusterFixture.RedSaturday());
        fixture.MoveTo(start.AddDays(-3).AddMinutes(1));

        // The gateway drops a quarter of the members on the first attempt: the job fails after recording the others.
        var flaky = new FlakySender(new InboxNotificationSender(Grains), m => members.IndexOf(m) % 4 == 0);
        var runner = fixture.Runner(sender: flaky);
        await Assert.ThrowsAsync<ReminderDeliveryException>(() => runner.RunDueAsync(community, "red-saturday"));
        var progress = (await Grains.GetGrain<IActivityGrain>(id).Get())!.Reminders.Single();
        Assert.Equal((4320, 12, 9, 3, (DateTimeOffset?)null), (progress.LeadMinutes, progress.Expected, progress.Delivered, progress.Failed, progress.FinishedUtc));

        // Hangfire retries the job, then runs it once more (at least once): each member has the reminder once.
        await runner.RunDueAsync(community, "red-saturday");
        await runner.RunDueAsync(community, "red-saturday");
        Assert.Equal(0, (await runner.RemindAsync(id, 4320, null)).Pending);
        foreach (var member in members)
        {
            var inbox = await fixture.Inbox(member);
            Assert.Equal(ReminderNotice.KeyOf(id, 4320, member), Assert.Single(inbox).Key);
            Assert.Equal(1, RemindersPushed(id, member));
        }
        progress = (await Grains.GetGrain<IActivityGrain>(id).Get())!.Reminders.Single();
        Assert.Equal((12, 12), (progress.Expected, progress.Delivered));
        Assert.NotNull(progress.FinishedUtc);
        Assert.Contains(fixture.Live.Events.OfType<ReminderProgressChanged>(), e => e.ActivityId.Value == id);
    }

    [Fact]
    public async Task Two_nodes_sending_the_same_reminder_at_once_reach_each_member_once()
    {
        var (community, members) = await fixture.World(40);
        var (id, start) = await fixture.Schedule(community, ActivityClusterFixture.RedSaturday());
        await using var gateway = new WebhookReceiver();
        var webhook = Options.Create(new WebhookOptions { Enabled = true, Url = gateway.Url.ToString() });
        using var http = new HttpClient();
        ActivityRunner NodeRunner(int node) => fixture.Runner(node, new NotificationSenders(
            [new InboxNotificationSender(fixture.Node(node)), new WebhookNotificationSender(http, fixture.Node(node), webhook)]), concurrency: 16);

        fixture.MoveTo(start.AddHours(-2).AddMinutes(1)); // both the 3-day and the 2-hour reminders are due
        await Task.WhenAll(NodeRunner(0).RunDueAsync(community, "red-saturday"), NodeRunner(1).RunDueAsync(community, "red-saturday"));
        await Task.WhenAll(NodeRunner(1).RunDueAsync(community, "red-saturday"), NodeRunner(0).RemindAsync(id, 120, null));

        foreach (var member in members)
        {
            var inbox = await fixture.Inbox(member);
            Assert.Equal([ReminderNotice.KeyOf(id, 120, member), ReminderNotice.KeyOf(id, 4320, member)], inbox.Select(n => n.Key).Order().ToArray());
            Assert.Equal(2, RemindersPushed(id, member));
        }
        // The gateway got every reminder, always under its own idempotency key; a POST repeated by racing
        // nodes carries the same key, so a gateway that honours the key sends 80 messages, not more.
        var requests = gateway.Requests.ToList();
        Assert.All(requests, r => Assert.Equal(r.IdempotencyKey, r.Body.GetProperty("key").GetString()));
        Assert.Equal(80, requests.Select(r => r.IdempotencyKey).Distinct().Count());
        Assert.All(requests, r => Assert.StartsWith("139", r.Body.GetProperty("phone").GetString()));
        Assert.Contains("红色星期六主题党日", requests[0].Body.GetProperty("text").GetString());
        var view = (await Grains.GetGrain<IActivityGrain>(id).Get())!;
        Assert.All(view.Reminders, r => Assert.Equal((40, 40), (r.Expected, r.Delivered)));
    }

    [Fact]
    public async Task A_gateway_that_refuses_gets_those_reminders_again_under_the_same_keys()
    {
        var (community, members) = await fixture.World(6);
        var (id, start) = await fixture.Schedule(community, ActivityClusterFixture.RedSaturday());
        await using var gateway = new WebhookReceiver(failFirst: 2);
        using var http = new HttpClient();
        var runner = fixture.Runner(sender: new NotificationSenders([new InboxNotificationSender(Grains),
            new WebhookNotificationSender(http, Grains, Options.Create(new WebhookOptions { Enabled = true, Url = gateway.Url.ToString() }))]), concurrency: 1);
        fixture.MoveTo(start.AddDays(-3).AddMinutes(1));

        await Assert.ThrowsAsync<ReminderDeliveryException>(() => runner.RunDueAsync(community, "red-saturday"));
        Assert.Equal(4, gateway.Requests.Count);
        await runner.RunDueAsync(community, "red-saturday"); // Hangfire's retry
        Assert.Equal(members.Select(m => ReminderNotice.KeyOf(id, 4320, m)).Order(), gateway.Requests.Select(r => r.IdempotencyKey).Order());
        foreach (var member in members)
        {
            Assert.Single(await fixture.Inbox(member)); // the inbox had them all the first time, and only once
            Assert.Equal(1, RemindersPushed(id, member));
        }
    }

    [Fact]
    public async Task Triggers_missed_while_down_are_caught_up_once_at_start_up()
    {
        var (community, members) = await fixture.World(6);
        var (id, start) = await fixture.Schedule(community, ActivityClusterFixture.RedSaturday());
        var runner = fixture.Runner();
        await runner.RunDueAsync(community, "red-saturday");
        Assert.Empty(await fixture.Inbox(members[0]));

        // Down from now until an hour before the start: both reminders were missed.
        fixture.MoveTo(start.AddHours(-1));
        await runner.CatchUpAsync();
        await fixture.Runner(node: 1).CatchUpAsync(); // a second start (or node) catches up nothing more
        foreach (var member in members) Assert.Equal(2, (await fixture.Inbox(member)).Length);
        Assert.Equal(fixture.Clock.GetUtcNow(), (await Grains.GetGrain<ICommunityScheduleGrain>(community).Schedule("red-saturday"))!.HandledUntilUtc);

        // Down again across the whole activity: the close is caught up (nobody signed in: absent), the reminders are not repeated.
        fixture.MoveTo(start.AddHours(5));
        await runner.CatchUpAsync();
        await runner.CatchUpAsync();
        var closed = (await Grains.GetGrain<IActivityGrain>(id).Get())!;
        Assert.Equal(ActivityStatus.Closed, closed.Status);
        Assert.All(closed.Outcomes.Values, o => Assert.Equal(Attendance.Absent, o));
        foreach (var member in members)
        {
            Assert.Equal(2, (await fixture.Inbox(member)).Length);
            Assert.Equal(-3, (await Grains.GetGrain<IPartyMemberGrain>(member).Standing()).PointsTotal);
        }
        // The next occurrence was planned ahead at the catch-up.
        var next = ActivityCalendar.Next(ActivityClusterFixture.RedSaturday(), fixture.Clock.GetUtcNow())!.Value;
        Assert.NotNull(await Grains.GetGrain<IActivityGrain>(ActivityCalendar.ActivityId(community, "red-saturday", next)).Get());
    }

    [Fact]
    public async Task A_reminder_missed_until_after_the_start_is_not_sent_late()
    {
        var (community, members) = await fixture.World(2);
        var (id, start) = await fixture.Schedule(community, ActivityClusterFixture.RedSaturday());
        fixture.MoveTo(start.AddMinutes(10));
        await fixture.Runner().CatchUpAsync();
        Assert.Empty(await fixture.Inbox(members[0]));
        Assert.Equal(ActivityStatus.Planned, (await Grains.GetGrain<IActivityGrain>(id).Get())!.Status); // closes at the end
    }

    [Fact]
    public async Task Sign_in_needs_the_window_and_the_venue_code_unless_remote_for_a_mobile_member()
    {
        var (community, members) = await fixture.World(4, mobile: 3);
        var (other, outsiders) = await fixture.World(1);
        var (id, start) = await fixture.Schedule(community, ActivityClusterFixture.RedSaturday());
        var activity = Grains.GetGrain<IActivityGrain>(id);

        fixture.MoveTo(start.AddMinutes(-31));
        var early = await activity.SignIn(M(members[0]), (await activity.SignInCode())!.Code, remote: false);
        Assert.Equal(OutcomeKind.Conflict, early.Kind);
        Assert.Equal("activity.status", early.Code);
        Assert.Contains("开始", early.Message);

        fixture.MoveTo(start.AddMinutes(-10));
        var code = (await activity.SignInCode())!;
        Assert.True(code.WindowOpen);
        var wrong = code.Code == "000000" ? "000001" : "000000";
        var refused = await activity.SignIn(M(members[0]), wrong, false);
        Assert.Equal((OutcomeKind.Invalid, "code", "activity.code"), (refused.Kind, refused.Field, refused.Code));
        Assert.Equal(OutcomeKind.Done, (await activity.SignIn(M(members[0]), code.Code, false)).Kind);
        Assert.Equal(OutcomeKind.Done, (await activity.SignIn(M(members[0]), null, false)).Kind); // signed in already: no change
        Assert.Equal(OutcomeKind.Conflict, (await activity.SignIn(M(members[1]), null, remote: true)).Kind); // not a mobile member
        Assert.Equal(OutcomeKind.Done, (await activity.SignIn(M(members[3]), null, remote: true)).Kind);
        Assert.Equal(OutcomeKind.Forbidden, (await activity.SignIn(M(outsiders[0]), code.Code, false)).Kind);
        Assert.Equal(other, (await Grains.GetGrain<IPartyMemberGrain>(outsiders[0]).Get())!.Definition.CommunityCode);

        // Ten minutes on, the code read earlier is stale; the one shown now works.
        fixture.MoveTo(start.AddMinutes(1));
        Assert.Equal(OutcomeKind.Invalid, (await activity.SignIn(M(members[1]), code.Code, false)).Kind);
        Assert.Equal(OutcomeKind.Done, (await activity.SignIn(M(members[1]), (await activity.SignInCode())!.Code, false)).Kind);

        // Guessing is stopped after ten wrong codes.
        for (var i = 0; i < SignInRules.MaxWrongCodes; i++) await activity.SignIn(M(members[2]), "999999" == (await activity.SignInCode())!.Code ? "999998" : "999999", false);
        var locked = await activity.SignIn(M(members[2]), (await activity.SignInCode())!.Code, false);
        Assert.Equal(OutcomeKind.Conflict, locked.Kind);

        var view = (await activity.Get())!;
        Assert.Equal([members[0], members[1], members[3]], view.SignIns.Keys.Order().ToArray());
        Assert.True(view.SignIns[members[3]].Remote);
        Assert.Contains(fixture.Live.Events.OfType<ActivityCountsChanged>(), e => e.ActivityId.Value == id && e.SignedIn == 3 && e.Remote == 1);

        fixture.MoveTo(start.AddHours(3).AddMinutes(1));
        Assert.Contains("截止", (await activity.SignIn(M(members[2]), (await activity.SignInCode())!.Code, false)).Message);
    }

    [Fact]
    public async Task Attendance_is_final_at_the_close_and_points_go_to_the_ledgers_once()
    {
        var (community, members) = await fixture.World(5, mobile: 3);
        await Grains.GetGrain<ICommunityPointsGrain>(community).SetPointRules(new PointRules { Attendance = 4, AbsenceWithoutLeave = -2 });
        var (id, start) = await fixture.Schedule(community, ActivityClusterFixture.RedSaturday());
        var activity = Grains.GetGrain<IActivityGrain>(id);

        Assert.Equal(OutcomeKind.Done, (await activity.SignUp(M(members[0]))).Kind);
        Assert.Equal(OutcomeKind.Done, (await activity.RequestLeave(M(members[1]), "在外地出差")).Kind);
        Assert.Equal(OutcomeKind.Done, (await activity.SignUp(M(members[4]))).Kind);
        Assert.Equal(OutcomeKind.Done, (await activity.StaffPost("签到引导", M(members[0]))).Kind);
        Assert.Equal(OutcomeKind.NotFound, (await activity.StaffPost("不存在的岗位", M(members[0]))).Kind);

        fixture.MoveTo(start);
        Assert.Equal(OutcomeKind.Conflict, (await activity.RequestLeave(M(members[2]), "太晚了")).Kind); // leave closes at the start
        Assert.Equal(OutcomeKind.Done, (await activity.SignIn(M(members[0]), (await activity.SignInCode())!.Code, false)).Kind);
        Assert.Equal(OutcomeKind.Done, (await activity.SignIn(M(members[3]), null, remote: true)).Kind);
        Assert.Equal(OutcomeKind.Conflict, (await activity.Close("scheduler")).Kind); // still on

        fixture.MoveTo(start.AddHours(3));
        var closed = await activity.Close("scheduler");
        Assert.Equal(OutcomeKind.Done, closed.Kind);
        Assert.Equal(
            [Attendance.Attended, Attendance.OnLeave, Attendance.Absent, Attendance.AttendedRemotely, Attendance.Absent],
            members.Select(m => closed.Value!.Outcomes[m]).ToArray());

        async Task<int[]> Totals() => await Task.WhenAll(members.Select(async m => (await Grains.GetGrain<IPartyMemberGrain>(m).Standing()).PointsTotal));
        Assert.Equal(new[] { 4, 0, -2, 4, -2 }, await Totals());
        var ledger = (await Grains.GetGrain<IPartyMemberGrain>(members[0]).Standing()).Points.Single();
        Assert.Equal(($"activity:{id}:attended", "attendance"), (ledger.SourceId, ledger.Rule));

        // Closed again by hand, by the close job and by a catch-up: nothing is awarded twice, attendance stays final.
        Assert.Equal(OutcomeKind.Done, (await activity.Close("scheduler")).Kind);
        await fixture.Runner(node: 1).RunDueAsync(community, "red-saturday");
        Assert.Equal(OutcomeKind.Conflict, (await activity.SignIn(M(members[2]), (await activity.SignInCode())!.Code, false)).Kind);
        Assert.Equal(new[] { 4, 0, -2, 4, -2 }, await Totals());
        var index = await Grains.GetGrain<ICommunityScheduleGrain>(community).Activities(start.AddDays(-1), start.AddDays(1));
        Assert.Equal(ActivityStatus.Closed, index.Single(a => a.Id == id).Status);
    }

    [Fact]
    public async Task Changing_a_schedule_moves_its_coming_occurrence_and_removing_it_cancels()
    {
        var (community, _) = await fixture.World(3);
        var first = ActivityClusterFixture.RedSaturday(SaturdayOfMonth.First);
        var (firstId, firstStart) = await fixture.Schedule(community, first);
        Assert.Equal(ActivityStatus.Planned, (await Grains.GetGrain<IActivityGrain>(firstId).Get())!.Status);
        Assert.Equal(3, (await Grains.GetGrain<IActivityGrain>(firstId).Get())!.Plan.ExpectedMemberIds.Length);

        var last = first with { Saturday = SaturdayOfMonth.Last, DefaultTheme = "新主题" };
        await Grains.GetGrain<ICommunityScheduleGrain>(community).SaveSchedule(last);
        await fixture.Runner().ScheduleChangedAsync(community, "red-saturday");
        Assert.Equal(ActivityStatus.Cancelled, (await Grains.GetGrain<IActivityGrain>(firstId).Get())!.Status);
        var lastStart = ActivityCalendar.Next(last, fixture.Clock.GetUtcNow())!.Value;
        var lastId = ActivityCalendar.ActivityId(community, "red-saturday", lastStart);
        var moved = (await Grains.GetGrain<IActivityGrain>(lastId).Get())!;
        Assert.Equal((ActivityStatus.Planned, "新主题"), (moved.Status, moved.Plan.Theme));
        Assert.Equal(DayOfWeek.Saturday, lastStart.ToOffset(TimeSpan.FromHours(8)).DayOfWeek);
        Assert.NotEqual(firstStart, lastStart);

        // Back to the first Saturday: that occurrence is on again, the last-Saturday one cancelled.
        await Grains.GetGrain<ICommunityScheduleGrain>(community).SaveSchedule(first);
        await fixture.Runner().ScheduleChangedAsync(community, "red-saturday");
        Assert.Equal(ActivityStatus.Planned, (await Grains.GetGrain<IActivityGrain>(firstId).Get())!.Status);
        Assert.Equal(ActivityStatus.Cancelled, (await Grains.GetGrain<IActivityGrain>(lastId).Get())!.Status);
        await Grains.GetGrain<ICommunityScheduleGrain>(community).SaveSchedule(last);
        await fixture.Runner().ScheduleChangedAsync(community, "red-saturday");

        await Grains.GetGrain<ICommunityScheduleGrain>(community).RemoveSchedule("red-saturday");
        await fixture.Runner().ScheduleChangedAsync(community, "red-saturday");
        Assert.Equal(ActivityStatus.Cancelled, (await Grains.GetGrain<IActivityGrain>(lastId).Get())!.Status);
        Assert.Empty(await Grains.GetGrain<ICommunityScheduleGrain>(community).Schedules());
    }

    [Fact]
    public async Task A_reminder_inbox_takes_each_key_once()
    {
        var (community, members) = await fixture.World(1);
        var notice = new ReminderNotice
        {
            Key = ReminderNotice.KeyOf($"{community}-2027-01-02-red-saturday", 120, members[0]), ActivityId = $"{community}-2027-01-02-red-saturday",
            MemberId = members[0], CommunityCode = community, LeadMinutes = 120, Title = "红色星期六主题党日", StartUtc = fixture.Clock.GetUtcNow().AddDays(1),
        };
        var inbox = fixture.Node(1).GetGrain<IReminderInboxGrain>(members[0]);
        var results = await Task.WhenAll(Enumerable.Range(0, 8).Select(i => (i % 2 == 0 ? inbox : fixture.Node(0).GetGrain<IReminderInboxGrain>(members[0])).Receive(notice)));
        Assert.Equal(1, results.Count(r => r));
        Assert.Single(await fixture.Inbox(members[0]));
        Assert.Equal(1, RemindersPushed(notice.ActivityId, members[0]));
    }
}
