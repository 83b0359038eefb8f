using System.Collections.Immutable;

namespace Grid.Contracts;

/// <summary>The root of the directory (key "root"): which communities and organs exist.</summary>
[Alias("grid.IDirectoryGrain")]
public interface IDirectoryGrain : IGrainWithStringKey
{
    public const string RootKey = "root";

    [Alias("CommunityCodes")] Task<ImmutableArray<string>> CommunityCodes();
    [Alias("AddCommunity")] Task AddCommunity(string code);
    [Alias("OrganCodes")] Task<ImmutableArray<string>> OrganCodes();
    [Alias("AddOrgan")] Task AddOrgan(string code);
    /// <summary>The version of the demo data already seeded; 0 when none.</summary>
    [Alias("DemoSeedVersion")] Task<int> DemoSeedVersion();
    [Alias("MarkDemoSeeded")] Task MarkDemoSeeded(int version);
}

/// <summary>A community (社区/村), keyed by its 12-digit code.</summary>
[Alias("grid.ICommunityGrain")]
public interface ICommunityGrain : IGrainWithStringKey
{
    [Alias("Get")] Task<CommunityView?> Get();
    /// <summary>Creates or updates the community and lists it in the directory.</summary>
    [Alias("Define")] Task<CommunityView> Define(CommunityDefinition definition);
    [Alias("AddCell")] Task AddCell(string cellCode);
    /// <summary>
    /// The member ids for these phone numbers: the existing id where the phone is known in
    /// this community, else a newly allocated one. Makes member creation idempotent.
    /// </summary>
    [Alias("ClaimMemberIds")] Task<ImmutableArray<string>> ClaimMemberIds(ImmutableArray<string> phones);
    /// <summary>Phone → member id for every member registered in the community.</summary>
    [Alias("MemberIdsByPhone")] Task<ImmutableDictionary<string, string>> MemberIdsByPhone();

    /// <summary>Index of the community's open issues, kept up to date by the issue grains (by version).</summary>
    [Alias("UpdateIssue")] Task UpdateIssue(IssueSummary summary);
    [Alias("OpenIssues")] Task<ImmutableArray<IssueSummary>> OpenIssues();
    [Alias("IssueCounters")] Task<CommunityIssueCounters> IssueCounters();
    /// <summary>
    /// Open issues whose deadline or whistle has passed, and the cells with open issues. The
    /// caller asks them itself: the issues answer by updating this grain, which must not be
    /// waiting on them meanwhile.
    /// </summary>
    [Alias("DeadlineCandidates")] Task<DeadlineCandidates> DeadlineCandidates();
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
    /// cell, else a newly allocated one. Makes household creation idempotent.
    /// </summary>
    [Alias("ClaimHouseholdIds")] Task<ImmutableArray<string>> ClaimHouseholdIds(ImmutableArray<string> addresses);
    /// <summary>Address → household id for every household registered in the cell.</summary>
    [Alias("HouseholdIdsByAddress")] Task<ImmutableDictionary<string, string>> HouseholdIdsByAddress();
    [Alias("PlaceMember")] Task PlaceMember(string memberId);
    /// <summary>Lists (or, with assigned false, removes) a grid worker responsible for the cell.</summary>
    [Alias("SetGridWorker")] Task SetGridWorker(GridWorkerRef worker, bool assigned);

    /// <summary>The next issue id for this cell: cell code, year and a number.</summary>
    [Alias("NextIssueId")] Task<string> NextIssueId(int year);
    /// <summary>Index of the cell's open issues, kept up to date by the issue grains (by version).</summary>
    [Alias("UpdateIssue")] Task UpdateIssue(IssueSummary summary);
    [Alias("OpenIssues")] Task<ImmutableArray<IssueSummary>> OpenIssues();
    /// <summary>The map colour now; publishes a live event when it changed since last asked.</summary>
    [Alias("RefreshStatus")] Task<CellStatus> RefreshStatus();
}

[Alias("grid.IHouseholdGrain")]
public interface IHouseholdGrain : IGrainWithStringKey
{
    [Alias("Get")] Task<HouseholdRecord?> Get();
    [Alias("Create")] Task<CreateResult<HouseholdRecord>> Create(HouseholdDefinition definition, string createdBy);
}

[Alias("grid.IPartyMemberGrain")]
public interface IPartyMemberGrain : IGrainWithStringKey
{
    [Alias("Get")] Task<MemberRecord?> Get();
    /// <summary>Creates the member and registers them with their cell and organ (idempotent).</summary>
    [Alias("Create")] Task<CreateResult<MemberRecord>> Create(MemberDefinition definition);
}

/// <summary>A government organ or state enterprise whose members sink down (下沉), keyed by its credit code.</summary>
[Alias("grid.IOrganGrain")]
public interface IOrganGrain : IGrainWithStringKey
{
    [Alias("Get")] Task<OrganView?> Get();
    [Alias("Define")] Task<OrganView> Define(OrganDefinition definition);
    [Alias("AddMember")] Task AddMember(string memberId);
}

/// <summary>A login, keyed by its lower-case username.</summary>
[Alias("grid.IUserGrain")]
public interface IUserGrain : IGrainWithStringKey
{
    [Alias("Get")] Task<UserAccount?> Get();
    [Alias("Save")] Task Save(UserAccount account);
}
