using Grid.Contracts;
using Grid.Grains;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Storage;

namespace Grid.Tests.Grains;

/// <summary>The directory grains on the embedded profile (SQLite).</summary>
public sealed class DirectoryGrainTests(SqliteClusterFixture fixture) : DirectoryGrainSuite(fixture), IClassFixture<SqliteClusterFixture>;

/// <summary>The same tests on the postgres profile.</summary>
public sealed class DirectoryGrainTestsOnPostgres(PostgresClusterFixture fixture) : DirectoryGrainSuite(fixture), IClassFixture<PostgresClusterFixture>;

[Trait("Tier", "Integration")]
public abstract class DirectoryGrainSuite(IGridClusterFixture fixture)
{
    private IGrainFactory Grains => fixture.Silo.Grains;

    private async Task<string> NewCell()
    {
        var community = TestData.NewCommunityCode();
        await Grains.GetGrain<ICommunityGrain>(community).Define(TestData.Community(community));
        var cell = community + "001";
        await Grains.GetGrain<IGridCellGrain>(cell).Define(TestData.Cell(cell));
        return cell;
    }

    [Fact]
    public async Task A_household_survives_deactivation_because_it_is_read_back_from_storage()
    {
        var cell = await NewCell();
        var created = await Grains.Registrations().RegisterHousehold(TestData.Household(cell), "test");
        Assert.Equal(OutcomeKind.Created, created.Kind);
        var id = created.Value!.Id;

        await fixture.Silo.Cluster.DeactivateAsync(Grains.GetGrain<IHouseholdGrain>(id));
        await fixture.Silo.Cluster.WaitForDeactivationAsync(Grains.GetGrain<IHouseholdGrain>(id));

        var read = await Grains.GetGrain<IHouseholdGrain>(id).Get();
        Assert.NotNull(read);
        Assert.True(read.Definition.SameAs(TestData.Household(cell)));
        Assert.Equal(1, await CountRows("household", id));
    }

    [Fact]
    public async Task Grain_types_sharing_a_key_keep_separate_rows_under_their_own_state_names()
    {
        const string key = "shared-key";
        await fixture.Silo.SiloServices.GetRequiredKeyedService<IGrainStorage>(GridStorage.Provider)
            .WriteStateAsync(GridStorage.Household, GrainId.Create("household", key), new GrainState<HouseholdState>(new HouseholdState()));
        await fixture.Silo.SiloServices.GetRequiredKeyedService<IGrainStorage>(GridStorage.Provider)
            .WriteStateAsync(GridStorage.Member, GrainId.Create("member", key), new GrainState<MemberState>(new MemberState()));

        Assert.Equal(1, await CountRows(GridStorage.Household, key));
        Assert.Equal(1, await CountRows(GridStorage.Member, key));
    }

    [Fact]
    public async Task A_write_with_a_stale_version_is_refused_and_does_not_overwrite()
    {
        var storage = fixture.Silo.SiloServices.GetRequiredKeyedService<IGrainStorage>(GridStorage.Provider);
        var grainId = GrainId.Create("household", $"stale-{Guid.NewGuid():N}");
        var first = new GrainState<HouseholdState>(new HouseholdState());
        await storage.WriteStateAsync(GridStorage.Household, grainId, first);
        Assert.Equal("1", first.ETag);

        // A second activation that never read the row (no version) must not insert a duplicate.
        var blind = new GrainState<HouseholdState>(new HouseholdState());
        await Assert.ThrowsAsync<InconsistentStateException>(() => storage.WriteStateAsync(GridStorage.Household, grainId, blind));

        var winner = new GrainState<HouseholdState>(new HouseholdState()) { ETag = "1" };
        await storage.WriteStateAsync(GridStorage.Household, grainId, winner);
        Assert.Equal("2", winner.ETag);

        // The first writer still holds version 1: its write is refused.
        await Assert.ThrowsAsync<InconsistentStateException>(() => storage.WriteStateAsync(GridStorage.Household, grainId, first));

        var read = new GrainState<HouseholdState>();
        await storage.ReadStateAsync(GridStorage.Household, grainId, read);
        Assert.Equal("2", read.ETag);
        Assert.True(read.RecordExists);
    }

    [Fact]
    public async Task Clearing_a_state_keeps_counting_versions()
    {
        var storage = fixture.Silo.SiloServices.GetRequiredKeyedService<IGrainStorage>(GridStorage.Provider);
        var grainId = GrainId.Create("household", $"clear-{Guid.NewGuid():N}");
        var state = new GrainState<HouseholdState>(new HouseholdState());
        await storage.WriteStateAsync(GridStorage.Household, grainId, state);
        await storage.ClearStateAsync(GridStorage.Household, grainId, state);
        Assert.Equal("2", state.ETag);
        Assert.False(state.RecordExists);
        await storage.WriteStateAsync(GridStorage.Household, grainId, state);
        Assert.Equal("3", state.ETag);
    }

    [Fact]
    public async Task Claiming_the_same_address_twice_gives_the_same_household_id()
    {
        var cell = await NewCell();
        var grain = Grains.GetGrain<IGridCellGrain>(cell);
        var first = await grain.ClaimHouseholdIds(["1幢101室", "1幢102室"]);
        var again = await grain.ClaimHouseholdIds(["1幢102室", "1幢103室"]);
        Assert.Equal($"{cell}-0001", first[0].Value);
        Assert.Equal(first[1], again[0]);
        Assert.Equal($"{cell}-0003", again[1].Value);
        Assert.Equal(3, (await grain.Get())!.HouseholdCount);
    }

    [Fact]
    public async Task A_household_refuses_a_definition_for_another_cell()
    {
        var cell = await NewCell();
        var id = (await Grains.GetGrain<IGridCellGrain>(cell).ClaimHouseholdIds(["3幢301室"]))[0];
        var elsewhere = TestData.Household(GridCodes.CommunityOf(cell) + "002", "3幢301室");
        var refused = await Grains.Household(id).Create(elsewhere, "test");
        Assert.Equal((OutcomeKind.Invalid, "cellCode"), (refused.Kind, refused.Field));
        Assert.Null(await Grains.Household(id).Get());
    }

    [Fact]
    public async Task A_member_is_listed_by_the_cell_and_organ_they_serve()
    {
        var cell = await NewCell();
        var community = GridCodes.CommunityOf(cell);
        var organ = TestData.OrganCode("11330503MB" + Random.Shared.Next(1_000_000, 9_999_999));
        await Grains.GetGrain<IOrganGrain>(organ).Define(new OrganDefinition { Code = organ, Name = "南浔区民政局", MembersRequired = 5 });
        var result = await Grains.Registrations().RegisterMember(new MemberDefinition
        {
            Name = "李红", Phone = "13900000001", CommunityCode = community, Branch = "第一党支部", OrganCode = organ, CellCode = cell,
        });

        Assert.Equal(OutcomeKind.Created, result.Kind);
        var id = result.Value!.Id;
        Assert.Equal($"{community}M00001", id);
        Assert.Contains(id, (await Grains.GetGrain<IGridCellGrain>(cell).Get())!.MemberIds);
        Assert.Contains(id, (await Grains.GetGrain<IOrganGrain>(organ).Get())!.MemberIds);
        Assert.Contains(organ, await Grains.GetGrain<IDirectoryGrain>(IDirectoryGrain.RootKey).OrganCodes());
        Assert.Equal(1, (await Grains.GetGrain<ICommunityGrain>(community).Get())!.MemberCount);
    }

    [Fact]
    public async Task A_cell_cannot_be_defined_before_its_community()
    {
        var orphan = TestData.NewCommunityCode() + "001";
        await Assert.ThrowsAsync<InvalidOperationException>(() => Grains.GetGrain<IGridCellGrain>(orphan).Define(TestData.Cell(orphan)));
        Assert.Null(await Grains.GetGrain<IGridCellGrain>(orphan).Get());
    }

    // Registration: the rules on the grains alone, with no endpoint in front (what the API, the
    // CSV import and the demo seeder rely on).

    private static MemberDefinition Member(string community, string phone = "13900000001", string name = "李红") =>
        new() { Name = name, Phone = phone, CommunityCode = community, Branch = "第一党支部" };

    [Fact]
    public async Task A_household_placed_outside_its_cell_is_refused_and_claims_no_id()
    {
        var cell = await NewCell();
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
        var community = GridCodes.CommunityOf(await NewCell());
        var refused = await Grains.Registrations().RegisterHousehold(TestData.Household(community + "009"), "test");
        Assert.Equal((OutcomeKind.Invalid, "cellCode"), (refused.Kind, refused.Field));
    }

    [Fact]
    public async Task A_retried_household_registration_creates_nothing_new_and_a_different_one_is_a_conflict()
    {
        var cell = await NewCell();
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
        var community = GridCodes.CommunityOf(await NewCell());
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
        var community = GridCodes.CommunityOf(await NewCell());
        var otherCell = await NewCell();
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
        var cell = await NewCell();
        var community = GridCodes.CommunityOf(cell);
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
        var cell = await NewCell();
        var community = GridCodes.CommunityOf(cell);
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

    private Task<long> CountRows(string stateName, string key) => fixture.Silo.Storage.CountStateRows(stateName, key);
}
