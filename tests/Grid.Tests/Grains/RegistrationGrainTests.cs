using Grid.Contracts;

namespace Grid.Tests.Grains;

/// <summary>
/// The registration rules on the grains alone, with no endpoint in front: what the API, the CSV
/// import and the demo seeder rely on.
/// </summary>
public sealed class RegistrationGrainTests(SqliteClusterFixture fixture) : IClassFixture<SqliteClusterFixture>
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

    private static MemberDefinition Member(string community, string phone = "13900000001", string name = "李红") =>
        new() { Name = name, Phone = phone, CommunityCode = community, Branch = "第一党支部" };

    [Fact]
    public async Task A_household_placed_outside_its_cell_is_refused_and_claims_no_id()
    {
        var (_, cell) = await NewCell();
        // The test cell is a 0.003° square at 120.42, 30.71; 120.45 is some 2.6 km east of it.
        var outside = TestData.Household(cell, "远方1号") with { Location = new GeoPoint(120.45, 30.7115) };

        var refused = await Grains.Registrations().RegisterHousehold(outside, "test");

        Assert.Equal((OutcomeKind.Invalid, "location", "household.outside_cell"), (refused.Kind, refused.Field, refused.Code));
        Assert.Contains(cell, refused.Message);
        Assert.Equal(0, (await Grains.Cell(CellCode.Parse(cell)).Get())!.HouseholdCount);
        Assert.False((await Grains.Cell(CellCode.Parse(cell)).HouseholdIdsByAddress()).ContainsKey("远方1号"));

        var inside = outside with { Location = new GeoPoint(120.4215, 30.7115) };
        Assert.Equal(OutcomeKind.Created, (await Grains.Registrations().RegisterHousehold(inside, "test")).Kind);
    }

    [Fact]
    public async Task A_household_in_a_cell_that_does_not_exist_is_refused_on_the_cell_code()
    {
        var (community, _) = await NewCell();
        var refused = await Grains.Registrations().RegisterHousehold(TestData.Household(community + "009"), "test");
        Assert.Equal((OutcomeKind.Invalid, "cellCode"), (refused.Kind, refused.Field));
    }

    [Fact]
    public async Task A_retried_household_registration_creates_nothing_new_and_a_different_one_is_a_conflict()
    {
        var (_, cell) = await NewCell();
        var first = await Grains.Registrations().RegisterHousehold(TestData.Household(cell, "2幢201室"), "a");
        // An equal definition built separately (new arrays) is the same household.
        var retry = await Grains.Registrations().RegisterHousehold(TestData.Household(cell, "2幢201室"), "b");

        Assert.Equal(OutcomeKind.Created, first.Kind);
        Assert.Equal(OutcomeKind.Done, retry.Kind);
        Assert.Equal(first.Value!.Id, retry.Value!.Id);
        Assert.Equal("a", retry.Value.CreatedBy);
        Assert.Equal(1, (await Grains.Cell(CellCode.Parse(cell)).Get())!.HouseholdCount);

        var other = TestData.Household(cell, "2幢201室") with { Tags = [HouseholdTags.Hardship] };
        var conflict = await Grains.Registrations().RegisterHousehold(other, "c");
        Assert.Equal((OutcomeKind.Conflict, "household.exists"), (conflict.Kind, conflict.Code));
        Assert.Equal(first.Value.Id, conflict.Value!.Id);
        Assert.Equal([HouseholdTags.ElderlyAlone], (await Grains.Household(HouseholdId.Parse(first.Value.Id)).Get())!.Definition.Tags.ToArray());
        Assert.Equal(1, (await Grains.Cell(CellCode.Parse(cell)).Get())!.HouseholdCount);
    }

    [Fact]
    public async Task A_retried_member_registration_creates_nothing_new_and_a_different_one_is_a_conflict()
    {
        var (community, _) = await NewCell();
        var first = await Grains.Registrations().RegisterMember(Member(community));
        var retry = await Grains.Registrations().RegisterMember(Member(community));

        Assert.Equal(OutcomeKind.Created, first.Kind);
        Assert.Equal(OutcomeKind.Done, retry.Kind);
        Assert.Equal(first.Value!.Id, retry.Value!.Id);
        Assert.Equal(1, (await Grains.Community(CommunityCode.Parse(community)).Get())!.MemberCount);

        var conflict = await Grains.Registrations().RegisterMember(Member(community, name: "李虹"));
        Assert.Equal((OutcomeKind.Conflict, "member.exists"), (conflict.Kind, conflict.Code));
        Assert.Equal("李红", conflict.Value!.Definition.Name);
        Assert.Equal(1, (await Grains.Community(CommunityCode.Parse(community)).Get())!.MemberCount);
    }

    [Fact]
    public async Task A_member_must_name_an_existing_community_cell_and_organ()
    {
        var (community, _) = await NewCell();
        var (_, otherCell) = await NewCell();
        var noCommunity = await Grains.Registrations().RegisterMember(Member(TestData.NewCommunityCode()));
        var wrongCell = await Grains.Registrations().RegisterMember(Member(community) with { CellCode = otherCell });
        var noOrgan = await Grains.Registrations().RegisterMember(Member(community) with { OrganCode = TestData.OrganCode("11330503MB9999998") });

        Assert.Equal((OutcomeKind.Invalid, "communityCode"), (noCommunity.Kind, noCommunity.Field));
        Assert.Equal((OutcomeKind.Invalid, "cellCode"), (wrongCell.Kind, wrongCell.Field));
        Assert.Equal((OutcomeKind.Invalid, "organCode"), (noOrgan.Kind, noOrgan.Field));
        Assert.Equal(0, (await Grains.Community(CommunityCode.Parse(community)).Get())!.MemberCount);
    }

    [Fact]
    public async Task A_check_only_batch_writes_nothing_and_says_what_each_registration_would_do()
    {
        var (community, cell) = await NewCell();
        await Grains.Registrations().RegisterHousehold(TestData.Household(cell, "1号"), "a");
        await Grains.Registrations().RegisterHousehold(TestData.Household(cell, "2号"), "a");

        var outcomes = await Grains.Registrations().RegisterHouseholds([
            TestData.Household(cell, "1号"),
            TestData.Household(cell, "2号") with { Tags = [] },
            TestData.Household(cell, "3号"),
            TestData.Household(community + "009", "4号"),
        ], "b", checkOnly: true);

        Assert.Equal([OutcomeKind.Done, OutcomeKind.Conflict, OutcomeKind.Created, OutcomeKind.Invalid], outcomes.Select(o => o.Kind));
        Assert.Equal("", outcomes[2].Value!.Id);
        Assert.Equal(2, (await Grains.Cell(CellCode.Parse(cell)).Get())!.HouseholdCount);
    }

    [Fact]
    public async Task A_person_sent_down_registers_only_after_their_organ_and_takes_the_name_on_its_roster()
    {
        var (community, cell) = await NewCell();
        var organ = OrganCode.Parse(TestData.OrganCode("11330503MB" + Random.Shared.Next(1_000_000, 9_999_999)));
        await Grains.Organ(organ).Define(new OrganDefinition { Code = organ.Value, Name = "南浔区民政局", MembersRequired = 2 });
        await Grains.Organ(organ).SetRoster([new RosterEntry { Name = "吴刚", Phone = "13700000001" }]);
        var registration = new OrganRegistration { Phone = "13700000001", Community = CommunityCode.Parse(community), Cell = CellCode.Parse(cell) };

        var early = await Grains.Registrations().RegisterOrganMember(organ, registration);
        Assert.Equal((OutcomeKind.Conflict, "organ.not_registered"), (early.Kind, early.Code));

        await Grains.Organ(organ).RegisterWith(CommunityCode.Parse(community));
        var registered = await Grains.Registrations().RegisterOrganMember(organ, registration);
        Assert.Equal(OutcomeKind.Created, registered.Kind);
        Assert.Equal(("吴刚", "南浔区民政局机关党支部", organ.Value), (registered.Value!.Definition.Name, registered.Value.Definition.Branch, registered.Value.Definition.OrganCode));
        Assert.Equal(OutcomeKind.Done, (await Grains.Registrations().RegisterOrganMember(organ, registration)).Kind);
        Assert.Equal(1, (await Grains.Organ(organ).Figures()).Registered);

        var stranger = await Grains.Registrations().RegisterOrganMember(organ, registration with { Phone = "13700000009" });
        Assert.Equal((OutcomeKind.Invalid, "name"), (stranger.Kind, stranger.Field));
    }
}
