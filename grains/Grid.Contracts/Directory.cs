using System.Collections.Immutable;

namespace Grid.Contracts;

// Records exchanged with the directory grains. Every [Id] is permanent: fields are only
// ever added with new ids, so that state written by an older release still reads.

/// <summary>What an administrator says a community is.</summary>
[GenerateSerializer, Immutable, Alias("grid.CommunityDefinition")]
public sealed record CommunityDefinition
{
    [Id(0)] public required string Code { get; init; }
    [Id(1)] public required string Name { get; init; }
    /// <summary>社区 (urban community) or 村 (village).</summary>
    [Id(2)] public string Kind { get; init; } = "社区";
    [Id(3)] public string Township { get; init; } = "";
    [Id(4)] public GeoPoint Centre { get; init; }
    [Id(5)] public string ServiceCentreAddress { get; init; } = "";
    [Id(6)] public string ServiceCentreHours { get; init; } = "";
}

[GenerateSerializer, Immutable, Alias("grid.CommunityView")]
public sealed record CommunityView
{
    [Id(0)] public required CommunityDefinition Definition { get; init; }
    [Id(1)] public ImmutableArray<string> CellCodes { get; init; } = [];
    [Id(2)] public int MemberCount { get; init; }
    [Id(3)] public DateTimeOffset CreatedUtc { get; init; }
}

/// <summary>A grid worker responsible for a cell: staff, not residents, so their name is shown.</summary>
[GenerateSerializer, Immutable, Alias("grid.GridWorkerRef")]
public sealed record GridWorkerRef
{
    [Id(0)] public required string Username { get; init; }
    [Id(1)] public required string DisplayName { get; init; }
}

[GenerateSerializer, Immutable, Alias("grid.CellDefinition")]
public sealed record CellDefinition
{
    [Id(0)] public required string Code { get; init; }
    [Id(1)] public required string Name { get; init; }
    [Id(2)] public ImmutableArray<GeoPoint> Boundary { get; init; } = [];
    [Id(3)] public ImmutableArray<GridWorkerRef> GridWorkers { get; init; } = [];
}

[GenerateSerializer, Immutable, Alias("grid.CellView")]
public sealed record CellView
{
    [Id(0)] public required CellDefinition Definition { get; init; }
    [Id(1)] public required string CommunityCode { get; init; }
    [Id(2)] public GeoPoint Centre { get; init; }
    [Id(3)] public int HouseholdCount { get; init; }
    [Id(4)] public ImmutableArray<string> MemberIds { get; init; } = [];
    [Id(5)] public DateTimeOffset CreatedUtc { get; init; }
    /// <summary>The map colour: from the cell's open issues.</summary>
    [Id(6)] public CellStatus Status { get; init; }
    [Id(7)] public int OpenIssueCount { get; init; }
}

/// <summary>Tags the committee uses to find households needing attention.</summary>
public static class HouseholdTags
{
    public const string ElderlyAlone = "elderly_alone";       // 独居老人
    public const string Hardship = "hardship";                // 困难户
    public const string PartyCentral = "party_central";       // 党员中心户
    public const string Disabled = "disabled";                // 残疾人家庭
    public const string Rental = "rental";                    // 出租户
    public const string MilitaryFamily = "military_family";   // 军属

    public static readonly ImmutableArray<string> All = [ElderlyAlone, Hardship, PartyCentral, Disabled, Rental, MilitaryFamily];
}

/// <summary>A resident. Name, phone and ID number are personal information (PIPL).</summary>
[GenerateSerializer, Immutable, Alias("grid.Resident")]
public sealed record Resident
{
    [Id(0)] public required string Name { get; init; }
    [Id(1)] public string Phone { get; init; } = "";
    [Id(2)] public string IdNumber { get; init; } = "";
    /// <summary>户主, 配偶, 子女, 父母, 其他 …</summary>
    [Id(3)] public string Relation { get; init; } = "";

    // Printed (ToString, logs, exception messages) without the person: name, phone, ID number.
    private bool PrintMembers(System.Text.StringBuilder builder)
    {
        builder.Append("Relation = ").Append(Relation);
        return true;
    }
}

[GenerateSerializer, Immutable, Alias("grid.HouseholdDefinition")]
public sealed record HouseholdDefinition
{
    [Id(0)] public required string CellCode { get; init; }
    /// <summary>The address inside the cell, e.g. 3幢2单元501室; unique within the cell.</summary>
    [Id(1)] public required string Address { get; init; }
    [Id(2)] public ImmutableArray<Resident> Residents { get; init; } = [];
    [Id(3)] public ImmutableArray<string> Tags { get; init; } = [];
    [Id(4)] public GeoPoint? Location { get; init; }

    private bool PrintMembers(System.Text.StringBuilder builder)
    {
        builder.Append("CellCode = ").Append(CellCode).Append(", Residents = ").Append(Residents.Length);
        return true;
    }
}

[GenerateSerializer, Immutable, Alias("grid.HouseholdRecord")]
public sealed record HouseholdRecord
{
    [Id(0)] public required string Id { get; init; }
    [Id(1)] public required HouseholdDefinition Definition { get; init; }
    [Id(2)] public DateTimeOffset CreatedUtc { get; init; }
    [Id(3)] public string CreatedBy { get; init; } = "";

    private bool PrintMembers(System.Text.StringBuilder builder)
    {
        builder.Append("Id = ").Append(Id);
        return true;
    }
}

[GenerateSerializer, Immutable, Alias("grid.MemberDefinition")]
public sealed record MemberDefinition
{
    [Id(0)] public required string Name { get; init; }
    /// <summary>Mobile number; the member's natural key within a community.</summary>
    [Id(1)] public required string Phone { get; init; }
    /// <summary>The community whose directory holds the member.</summary>
    [Id(2)] public required string CommunityCode { get; init; }
    /// <summary>党支部, the branch the member belongs to.</summary>
    [Id(3)] public required string Branch { get; init; }
    /// <summary>The organ the member comes from when sinking down (下沉); null for community members.</summary>
    [Id(4)] public string? OrganCode { get; init; }
    /// <summary>The cell the member serves in, if placed.</summary>
    [Id(5)] public string? CellCode { get; init; }
    [Id(6)] public string Gender { get; init; } = "";
    [Id(7)] public DateOnly? JoinedPartyOn { get; init; }
    /// <summary>流动党员: works away from home, takes part remotely.</summary>
    [Id(8)] public bool IsMobile { get; init; }
    [Id(9)] public string MobileLocation { get; init; } = "";
    [Id(10)] public ImmutableArray<string> Pledges { get; init; } = [];

    private bool PrintMembers(System.Text.StringBuilder builder)
    {
        builder.Append("CommunityCode = ").Append(CommunityCode).Append(", CellCode = ").Append(CellCode);
        return true;
    }
}

[GenerateSerializer, Immutable, Alias("grid.MemberRecord")]
public sealed record MemberRecord
{
    [Id(0)] public required string Id { get; init; }
    [Id(1)] public required MemberDefinition Definition { get; init; }
    [Id(2)] public DateTimeOffset CreatedUtc { get; init; }

    private bool PrintMembers(System.Text.StringBuilder builder)
    {
        builder.Append("Id = ").Append(Id);
        return true;
    }
}

[GenerateSerializer, Immutable, Alias("grid.OrganDefinition")]
public sealed record OrganDefinition
{
    [Id(0)] public required string Code { get; init; }
    [Id(1)] public required string Name { get; init; }
    /// <summary>How many of its members the organ must send down (下沉) — the base of its reporting rate.</summary>
    [Id(2)] public int MembersRequired { get; init; }
    /// <summary>吹哨报到: how long the organ has to report once the committee whistles.</summary>
    [Id(3)] public int WhistleResponseHours { get; init; } = 24;
}

[GenerateSerializer, Immutable, Alias("grid.OrganView")]
public sealed record OrganView
{
    [Id(0)] public required OrganDefinition Definition { get; init; }
    [Id(1)] public ImmutableArray<string> MemberIds { get; init; } = [];
    [Id(2)] public DateTimeOffset CreatedUtc { get; init; }
}
