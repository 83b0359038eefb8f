using System.Collections.Immutable;
using Orleans.Concurrency;

namespace Grid.Contracts;

/// <summary>The root of the directory (key "root"): which communities and organs exist.</summary>
[Alias("grid.IDirectoryGrain")]
public interface IDirectoryGrain : IGrainWithStringKey
{
    public const string RootKey = "root";

    [Alias("CommunityCodes")] Task<ImmutableArray<string>> CommunityCodes();
    [Alias("AddCommunity")] Task AddCommunity(string code);
    [Alias("OrganCodes")] Task<ImmutableArray<string>> OrganCodes();
    [Alias("AddOrgan")] Task AddOrgan(OrganCode code);
    /// <summary>The version of the demo data already seeded; 0 when none.</summary>
    [Alias("DemoSeedVersion")] Task<int> DemoSeedVersion();
    [Alias("MarkDemoSeeded")] Task MarkDemoSeeded(int version);
}

/// <summary>
/// A community (社区/村), keyed by its 12-digit code: its definition, cells and member ids. Its issue
/// index and dashboard counters, points and schedules are sibling grains with the same key
/// (<see cref="ICommunityIssuesGrain"/>, <see cref="ICommunityPointsGrain"/>, <see cref="ICommunityScheduleGrain"/>).
/// </summary>
[Alias("grid.ICommunityGrain")]
public interface ICommunityGrain : IGrainWithStringKey
{
    [Alias("Get"), ReadOnly] Task<CommunityView?> Get();
    /// <summary>Creates or updates the community and lists it in the directory.</summary>
    [Alias("Define")] Task<CommunityView> Define(CommunityDefinition definition);
    [Alias("AddCell")] Task AddCell(string cellCode);
    /// <summary>
    /// The member ids for these phone numbers: the existing id where the phone is known in
    /// this community, else a newly allocated one. Makes member creation idempotent.
    /// </summary>
    [Alias("ClaimMemberIds")] Task<ImmutableArray<string>> ClaimMemberIds(ImmutableArray<string> phones);
    /// <summary>Phone → member id for every member registered in the community.</summary>
    [Alias("MemberIdsByPhone"), ReadOnly] Task<ImmutableDictionary<string, string>> MemberIdsByPhone();
}

/// <summary>A grid cell (网格), keyed by its 15-digit code.</summary>
[Alias("grid.IGridCellGrain")]
public interface IGridCellGrain : IGrainWithStringKey
{
    [Alias("Get")] Task<CellView?> Get();
    /// <summary>Creates or updates the cell; its community must already exist.</summary>
    [Alias("Define")] Task<CellView> Define(CellDefinition definition);
    /// <summary>
    /// Household ids for these addresses: the existing id where an address is known in the
    /// cell, else a newly allocated one. Makes household creation idempotent; households are
    /// registered through <see cref="IRegistrationGrain"/>, which claims here.
    /// </summary>
    [Alias("ClaimHouseholdIds")] Task<ImmutableArray<HouseholdId>> ClaimHouseholdIds(ImmutableArray<string> addresses);
    /// <summary>Address → household id for every household registered in the cell.</summary>
    [Alias("HouseholdIdsByAddress")] Task<ImmutableDictionary<string, string>> HouseholdIdsByAddress();
    [Alias("PlaceMember")] Task PlaceMember(MemberId member);
    [Alias("RemoveMember")] Task RemoveMember(MemberId member);
    /// <summary>Keeps the cell's list of households due for visits: interval null means no regular visits.</summary>
    [Alias("WatchVisits")] Task WatchVisits(HouseholdId household, int? intervalDays, DateTimeOffset sinceUtc);
    /// <summary>Households whose regular visit is overdue, with when it was due.</summary>
    [Alias("VisitsDue")] Task<ImmutableArray<VisitDue>> VisitsDue();
    [Alias("NextAssignmentId")] Task<string> NextAssignmentId(int year);
    /// <summary>Lists (or, with assigned false, removes) a grid worker responsible for the cell.</summary>
    [Alias("SetGridWorker")] Task SetGridWorker(GridWorkerRef worker, bool assigned);

    /// <summary>The next issue id for this cell: cell code, year and a number.</summary>
    [Alias("NextIssueId")] Task<string> NextIssueId(int year);
    /// <summary>Index of the cell's open issues, kept up to date by the issue grains (by version).</summary>
    [Alias("UpdateIssue")] Task UpdateIssue(IssueSummary summary);
    [Alias("OpenIssues")] Task<ImmutableArray<IssueSummary>> OpenIssues();
    /// <summary>Forgets the issue index, before it is rebuilt from the issue grains.</summary>
    [Alias("ResetIssueIndex")] Task ResetIssueIndex();
    /// <summary>The map colour now; publishes a live event when it changed since last asked.</summary>
    [Alias("RefreshStatus")] Task<CellStatus> RefreshStatus();
}

[Alias("grid.IHouseholdGrain")]
public interface IHouseholdGrain : IGrainWithStringKey
{
    [Alias("Get")] Task<HouseholdRecord?> Get();
    /// <summary>
    /// Creates the household under the id its cell gave it: Created, Done for the same household
    /// again, Conflict (with the household as it stands) for a different one. Use
    /// <see cref="IRegistrationGrain.RegisterHousehold"/>, which checks the cell and claims the id.
    /// </summary>
    [Alias("Create")] Task<Outcome<HouseholdRecord>> Create(HouseholdDefinition definition, string createdBy);
    [Alias("RecordVisit")] Task RecordVisit(VisitRecord visit);
    [Alias("Visits")] Task<ImmutableArray<VisitRecord>> Visits();
}

[Alias("grid.IPartyMemberGrain")]
public interface IPartyMemberGrain : IGrainWithStringKey
{
    [Alias("Get")] Task<MemberRecord?> Get();
    /// <summary>
    /// Creates the member and registers them with their cell and organ: Created, Done for the same
    /// member again (the registrations are repeated), Conflict for a different one. Use
    /// <see cref="IRegistrationGrain.RegisterMember"/>, which checks the directory and claims the id.
    /// </summary>
    [Alias("Create")] Task<Outcome<MemberRecord>> Create(MemberDefinition definition);
    /// <summary>Places the member in a cell (or none), keeping the history of placements.</summary>
    [Alias("Place")] Task<MemberRecord> Place(CellCode? cell, string by);
    [Alias("Standing")] Task<MemberStanding> Standing();
    /// <summary>Adds a line to the points ledger unless its source already earned points; true when added.</summary>
    [Alias("AwardPoints")] Task<bool> AwardPoints(PointsEntry entry);
    /// <summary>Service time from one assignment; repeated reports of the same assignment replace, never add.</summary>
    [Alias("RecordService")] Task RecordService(AssignmentId assignment, int minutes);
    [Alias("TrackAssignment")] Task TrackAssignment(AssignmentId assignment, bool open);
    [Alias("LinkHousehold")] Task LinkHousehold(HouseholdId household, bool linked);
    [Alias("SetMobile")] Task<MemberRecord> SetMobile(bool isMobile, string location);
    [Alias("LinkedHouseholds")] Task<ImmutableArray<HouseholdId>> LinkedHouseholds();
}

/// <summary>A piece of work given to a member (任务), keyed by its id.</summary>
[Alias("grid.IAssignmentGrain")]
public interface IAssignmentGrain : IGrainWithStringKey
{
    [Alias("Get")] Task<AssignmentRecord?> Get();
    /// <summary>Creates the assignment; on an existing one returns it unchanged.</summary>
    [Alias("Create")] Task<AssignmentRecord> Create(AssignmentDefinition definition, string assignedBy);
    [Alias("Act")] Task<Outcome<AssignmentRecord>> Act(AssignmentAction action, string actor, string note, int? expectedVersion);
}

/// <summary>A government organ or state enterprise whose members sink down (下沉), keyed by its credit code.</summary>
[Alias("grid.IOrganGrain")]
public interface IOrganGrain : IGrainWithStringKey
{
    [Alias("Get")] Task<OrganView?> Get();
    [Alias("Define")] Task<OrganView> Define(OrganDefinition definition);
    [Alias("AddMember")] Task AddMember(MemberId member);
    /// <summary>The people the organ must send down; entries already registered keep their registration.</summary>
    [Alias("SetRoster")] Task SetRoster(ImmutableArray<RosterEntry> roster);
    [Alias("Roster")] Task<ImmutableArray<RosterEntry>> Roster();
    /// <summary>单位报到: the organ registers with a community.</summary>
    [Alias("RegisterWith")] Task RegisterWith(CommunityCode community);
    /// <summary>个人报到: a person on the roster registered with a community as this member.</summary>
    [Alias("MemberRegistered")] Task MemberRegistered(string phone, MemberId member, CommunityCode community, DateTimeOffset atUtc);
    [Alias("SetPlaced")] Task SetPlaced(MemberId member, bool placed);
    [Alias("RecordService")] Task RecordService(MemberId member, int totalMinutes);
    [Alias("Figures")] Task<OrganFigures> Figures();
}

/// <summary>A login, keyed by its lower-case username.</summary>
[Alias("grid.IUserGrain")]
public interface IUserGrain : IGrainWithStringKey
{
    [Alias("Get")] Task<UserAccount?> Get();
    [Alias("Save")] Task Save(UserAccount account);
}
