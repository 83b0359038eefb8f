using Grid.Contracts;
using Grid.Grains.Members;
using Grid.Tests.Issues;

namespace Grid.Tests.Members;

public sealed class MemberGrainTests(ClockedClusterFixture fixture) : MemberGrainSuite(fixture), IClassFixture<ClockedClusterFixture>;

public sealed class MemberGrainTestsOnPostgres(ClockedPostgresClusterFixture fixture) : MemberGrainSuite(fixture), IClassFixture<ClockedPostgresClusterFixture>;

[Trait("Tier", "Integration")]
public abstract class MemberGrainSuite(ClockedFixture fixture)
{
    private IGrainFactory Grains => fixture.Silo.Grains;

    private async Task<(string Community, string Cell, string Organ, string Member)> World()
    {
        var community = TestData.NewCommunityCode();
        await Grains.GetGrain<ICommunityGrain>(community).Define(TestData.Community(community));
        var cell = community + "001";
        await Grains.GetGrain<IGridCellGrain>(cell).Define(TestData.Cell(cell));
        var organ = TestData.OrganCode("11330503MB" + Random.Shared.Next(1_000_000, 9_999_999));
        await Grains.GetGrain<IOrganGrain>(organ).Define(new OrganDefinition { Code = organ, Name = "南浔区住建局", MembersRequired = 4 });
        await Grains.GetGrain<IOrganGrain>(organ).RegisterWith(CommunityCode.Parse(community));
        var phone = "139" + Random.Shared.Next(10_000_000, 99_999_999);
        var registered = await Grains.Registrations().RegisterOrganMember(OrganCode.Parse(organ), new OrganRegistration
        {
            Phone = phone, Name = "周敏", Community = CommunityCode.Parse(community), Branch = "住建局机关党支部", Cell = CellCode.Parse(cell),
        });
        Assert.Equal(OutcomeKind.Created, registered.Kind);
        return (community, cell, organ, registered.Value!.Id);
    }

    [Fact]
    public async Task Service_time_on_site_earns_service_hour_points_and_counts_for_the_organ()
    {
        var (_, cell, organ, member) = await World();
        var id = await Grains.GetGrain<IGridCellGrain>(cell).NextAssignmentId(2026);
        var assignment = Grains.GetGrain<IAssignmentGrain>(id);
        await assignment.Create(new AssignmentDefinition
        {
            MemberId = member, CellCode = cell, Kind = AssignmentKind.Patrol, Title = "防汛巡查", DueUtc = fixture.Clock.GetUtcNow().AddDays(1),
        }, "worker01");

        await assignment.Act(AssignmentAction.Accept, member, "", null);
        await assignment.Act(AssignmentAction.CheckIn, member, "", null);
        fixture.Clock.Advance(TimeSpan.FromMinutes(150));
        await assignment.Act(AssignmentAction.CheckOut, member, "", null);
        var completed = await assignment.Act(AssignmentAction.Complete, member, "巡查完毕", null);
        Assert.Equal(150, completed.Value!.ServiceMinutes);

        var standing = await Grains.GetGrain<IPartyMemberGrain>(member).Standing();
        Assert.Equal(150, standing.ServiceMinutes);
        Assert.Equal(3 + 2, standing.PointsThisYear); // completed (3) + two whole service hours (1 each)
        Assert.Empty(standing.AssignmentIds);
        Assert.Equal(150, (await Grains.GetGrain<IOrganGrain>(organ).Figures()).ServiceMinutes);

        // The completion reported again (a retry) earns nothing more.
        await Grains.GetGrain<IPartyMemberGrain>(member).RecordService(AssignmentId.Parse(id), 150);
        Assert.False(await Grains.GetGrain<IPartyMemberGrain>(member).AwardPoints(standing.Points[0]));
        Assert.Equal(5, (await Grains.GetGrain<IPartyMemberGrain>(member).Standing()).PointsThisYear);
        Assert.Equal(150, (await Grains.GetGrain<IOrganGrain>(organ).Figures()).ServiceMinutes);
    }

    [Fact]
    public async Task A_household_needing_visits_shows_in_its_cell_once_a_visit_is_missed()
    {
        var (_, cell, _, _) = await World();
        var id = (await Grains.Registrations().RegisterHousehold(TestData.Household(cell, "敬老楼1号"), "worker01")).Value!.Id; // elderly living alone: weekly
        Assert.Empty(await Grains.GetGrain<IGridCellGrain>(cell).VisitsDue());

        fixture.Clock.Advance(TimeSpan.FromDays(8));
        var due = await Grains.GetGrain<IGridCellGrain>(cell).VisitsDue();
        Assert.Equal((id, 7), (due.Single().HouseholdId, due.Single().IntervalDays));

        await Grains.GetGrain<IHouseholdGrain>(id).RecordVisit(new VisitRecord { AtUtc = fixture.Clock.GetUtcNow(), By = "worker01", Note = "身体尚好" });
        Assert.Empty(await Grains.GetGrain<IGridCellGrain>(cell).VisitsDue());
    }

    [Fact]
    public async Task Moving_a_member_closes_the_old_placement_and_keeps_the_history()
    {
        var (community, cell, organ, member) = await World();
        var other = community + "002";
        await Grains.GetGrain<IGridCellGrain>(other).Define(TestData.Cell(other, "第二网格"));
        fixture.Clock.Advance(TimeSpan.FromDays(1));
        await Grains.GetGrain<IPartyMemberGrain>(member).Place(CellCode.Parse(other), "committee");

        var placements = (await Grains.GetGrain<IPartyMemberGrain>(member).Standing()).Placements;
        Assert.Equal([cell, other], placements.Select(p => p.CellCode));
        Assert.Equal(placements[1].FromUtc, placements[0].ToUtc);
        Assert.Null(placements[1].ToUtc);
        Assert.DoesNotContain(member, (await Grains.GetGrain<IGridCellGrain>(cell).Get())!.MemberIds);
        Assert.Contains(member, (await Grains.GetGrain<IGridCellGrain>(other).Get())!.MemberIds);

        await Grains.GetGrain<IPartyMemberGrain>(member).Place(null, "committee");
        Assert.Equal(0, (await Grains.GetGrain<IOrganGrain>(organ).Figures()).Placed);
    }

    [Fact]
    public async Task The_reporting_rate_is_registered_over_required()
    {
        var (community, _, organ, _) = await World();
        var grain = Grains.GetGrain<IOrganGrain>(organ);
        var registeredPhone = (await grain.Roster()).Single().Phone;
        await grain.SetRoster([
            new RosterEntry { Name = "周敏", Phone = registeredPhone },
            new RosterEntry { Name = "吴刚", Phone = "13700000001" },
            new RosterEntry { Name = "郑洁", Phone = "13700000002" },
        ]);
        var figures = await grain.Figures();
        Assert.Equal((4, 3, 1, 1), (figures.Required, figures.OnRoster, figures.Registered, figures.Placed));
        Assert.Equal(0.25, figures.ReportingRate);
        Assert.Equal([community], figures.Communities.ToArray());
        // Re-sending the roster does not forget who has registered.
        Assert.Equal(registeredPhone, (await grain.Roster()).Single(e => e.MemberId is not null).Phone);
    }
}
