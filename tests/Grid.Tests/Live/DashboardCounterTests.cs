using Grid.Contracts;
using Grid.Grains;
using Grid.Tests.Issues;

namespace Grid.Tests.Live;

/// <summary>The community grain's dashboard counters, with a clock the test moves and the live events recorded.</summary>
public sealed class DashboardCounterTests(ClockedClusterFixture fixture) : DashboardCounterSuite(fixture), IClassFixture<ClockedClusterFixture>;

public sealed class DashboardCounterTestsOnPostgres(ClockedPostgresClusterFixture fixture) : DashboardCounterSuite(fixture), IClassFixture<ClockedPostgresClusterFixture>;

[Trait("Tier", "Integration")]
public abstract class DashboardCounterSuite(ClockedFixture fixture)
{
    private IGrainFactory Grains => fixture.Silo.Grains;

    private async Task<(string Community, string Cell)> NewCell()
    {
        var community = TestData.NewCommunityCode();
        await Grains.GetGrain<ICommunityGrain>(community).Define(TestData.Community(community));
        var cell = community + "001";
        await Grains.GetGrain<IGridCellGrain>(cell).Define(TestData.Cell(cell));
        return (community, cell);
    }

    private async Task<IIssueGrain> Dispatched(string cell)
    {
        var issue = Grains.Issue(await IssueIds.Next(Grains, GridId.Parse<CellCode>(cell), fixture.Clock.GetUtcNow()));
        Assert.Equal(OutcomeKind.Created, (await issue.Report(new IssueReport { CellCode = cell, CategoryCode = "10.03", Title = "道路积水" }, "committee", "党委")).Kind);
        await Execute(issue, IssueAction.Accept);
        await Execute(issue, IssueAction.Dispatch, new Assignee { Kind = AssigneeKind.GridWorker, Id = "worker01", Name = "王芳" });
        return issue;
    }

    private static async Task Execute(IIssueGrain issue, IssueAction action, Assignee? assignee = null)
    {
        var result = await issue.Execute(new IssueCommand
        {
            Action = action, Actor = "committee", Assignee = assignee, Note = "ok", Passed = true, Score = action == IssueAction.Rate ? 5 : null,
        });
        Assert.True(result.Kind == OutcomeKind.Done, result.Message);
    }

    private static async Task Close(IIssueGrain issue)
    {
        await Execute(issue, IssueAction.Start);
        await Execute(issue, IssueAction.Resolve);
        await Execute(issue, IssueAction.Verify);
    }

    [Fact]
    public async Task Closures_this_month_count_on_time_by_the_deadline_and_start_again_next_month()
    {
        var (community, cell) = await NewCell();
        var grain = Grains.GetGrain<ICommunityIssuesGrain>(community);
        var early = await Dispatched(cell);  // 12 hours to handle
        var late = await Dispatched(cell);
        await Close(early);
        fixture.Clock.Advance(TimeSpan.FromHours(13));
        await Close(late);
        await Execute(early, IssueAction.Rate); // a rating after closing is no second closure

        var counters = await grain.DashboardCounters();
        Assert.Equal((2, 1, 0.5), (counters.ClosedThisMonth, counters.ClosedOnTimeThisMonth, counters.OnTimeClosureRate));
        Assert.Equal(fixture.Clock.GetUtcNow().ToOffset(TimeSpan.FromHours(8)).ToString("yyyy-MM"), counters.Month);
        Assert.Equal(0, counters.Issues.Open);
        // Every change published the whole set of counters.
        var published = fixture.Live.Events.OfType<CountersChanged>().Where(e => e.CommunityCode.Value == community).ToList();
        Assert.Equal(counters, published[^1].Counters);

        fixture.Clock.Advance(TimeSpan.FromDays(40));
        var next = await grain.DashboardCounters();
        Assert.Equal((0, 0, (double?)null), (next.ClosedThisMonth, next.ClosedOnTimeThisMonth, next.OnTimeClosureRate));
    }

    [Fact]
    public async Task Members_on_duty_are_those_checked_in_right_now()
    {
        var (community, cell) = await NewCell();
        var grain = Grains.GetGrain<ICommunityIssuesGrain>(community);
        var phones = new[] { "13900000101", "13900000102" };
        var members = await Grains.GetGrain<ICommunityGrain>(community).ClaimMemberIds([.. phones]);
        for (var i = 0; i < 2; i++)
            await Grains.GetGrain<IPartyMemberGrain>(members[i]).Create(new MemberDefinition
            {
                Name = i == 0 ? "周敏" : "陈刚", Phone = phones[i], CommunityCode = community, Branch = "第一党支部", CellCode = cell,
            });

        async Task<IAssignmentGrain> Assigned(string member, string title)
        {
            var assignment = Grains.GetGrain<IAssignmentGrain>(await Grains.GetGrain<IGridCellGrain>(cell).NextAssignmentId(2026));
            await assignment.Create(new AssignmentDefinition
            {
                MemberId = member, CellCode = cell, Kind = AssignmentKind.Patrol, Title = title, DueUtc = fixture.Clock.GetUtcNow().AddDays(1),
            }, "committee");
            await assignment.Act(AssignmentAction.Accept, member, "", null);
            return assignment;
        }

        var patrol = await Assigned(members[0], "防汛巡查");
        var post = await Assigned(members[0], "路口执勤");
        var other = await Assigned(members[1], "楼道清理");
        Assert.Equal(0, (await grain.DashboardCounters()).MembersOnDuty);

        await patrol.Act(AssignmentAction.CheckIn, members[0], "", null);
        await post.Act(AssignmentAction.CheckIn, members[0], "", null); // the same member twice counts once
        await other.Act(AssignmentAction.CheckIn, members[1], "", null);
        Assert.Equal(2, (await grain.DashboardCounters()).MembersOnDuty);
        var signIn = fixture.Live.Events.OfType<TickerLine>().Last(e => e.Kind == TickerKind.SignIn && e.CellCode?.Value == cell);
        Assert.Equal("党员到岗：楼道清理", signIn.Text);
        Assert.DoesNotContain("陈刚", signIn.Text);

        await other.Act(AssignmentAction.Complete, members[1], "清理完毕", null); // completing on site checks out
        await patrol.Act(AssignmentAction.CheckOut, members[0], "", null);
        Assert.Equal(1, (await grain.DashboardCounters()).MembersOnDuty);
        Assert.Equal(1, fixture.Live.Events.OfType<CountersChanged>().Last(e => e.CommunityCode.Value == community).Counters.MembersOnDuty);

        // A check-in left open longer than a span can count is a forgotten check-out, not someone on site.
        fixture.Clock.Advance(TimeSpan.FromHours(13));
        Assert.Equal(0, (await grain.DashboardCounters()).MembersOnDuty);
    }

    [Fact]
    public async Task Red_Saturday_attendance_shows_the_latest_Saturday_of_the_month()
    {
        var (community, _) = await NewCell();
        var grain = Grains.GetGrain<ICommunityIssuesGrain>(community);
        Assert.Null((await grain.DashboardCounters()).RedSaturday);

        var today = DateOnly.FromDateTime(fixture.Clock.GetUtcNow().ToOffset(TimeSpan.FromHours(8)).DateTime);
        var saturday = today.AddDays(-(int)today.DayOfWeek - 1);
        if (saturday.Month != today.Month) saturday = saturday.AddDays(7);
        await grain.SetRedSaturday(new RedSaturdayAttendance { Date = saturday, Expected = 40, Attended = 30 });
        await grain.SetRedSaturday(new RedSaturdayAttendance { Date = saturday.AddDays(-7), Expected = 10, Attended = 1 }); // an older one, late
        var red = (await grain.DashboardCounters()).RedSaturday!;
        Assert.Equal((saturday, 30, 0.75), (red.Date, red.Attended, red.Rate));
    }
}
