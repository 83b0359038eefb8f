using System.Collections.Immutable;

namespace Grid.Contracts;

/// <summary>
/// Registering households and Party members: the one place that decides whether a registration
/// stands (its parent exists, a household's position lies in its cell), claims the id from the
/// parent and creates the record. HTTP, the CSV import and the demo seeder all come through here;
/// they only check the caller's scope. Idempotent on the natural key (cell + address, community +
/// phone): Created for a new record, Done for a retry that changed nothing, Conflict (with the
/// record that holds the key) for a different one, Invalid naming the request field.
/// </summary>
[Alias("grid.IRegistrationGrain")]
public interface IRegistrationGrain : IGrainWithIntegerKey
{
    [Alias("RegisterHousehold")] Task<Outcome<HouseholdRecord>> RegisterHousehold(HouseholdDefinition household, string by);

    /// <summary>
    /// Many households, one outcome each in the same order. With <paramref name="checkOnly"/>
    /// nothing is written and Created says the household would be created (its record has no id yet).
    /// </summary>
    [Alias("RegisterHouseholds")]
    Task<ImmutableArray<Outcome<HouseholdRecord>>> RegisterHouseholds(ImmutableArray<HouseholdDefinition> households, string by, bool checkOnly);

    [Alias("RegisterMember")] Task<Outcome<MemberRecord>> RegisterMember(MemberDefinition member);

    /// <summary>Many members, one outcome each in the same order; <paramref name="checkOnly"/> as for households.</summary>
    [Alias("RegisterMembers")]
    Task<ImmutableArray<Outcome<MemberRecord>>> RegisterMembers(ImmutableArray<MemberDefinition> members, bool checkOnly);

    /// <summary>
    /// 个人报到: a person an organ sends down registers with a community the organ has registered
    /// with (单位报到) and becomes a member there; the name comes from the organ's roster when not given.
    /// </summary>
    [Alias("RegisterOrganMember")] Task<Outcome<MemberRecord>> RegisterOrganMember(OrganCode organ, OrganRegistration registration);
}

/// <summary>个人报到 as the committee enters it: who, where; name and branch may be left to the organ.</summary>
[GenerateSerializer, Immutable, Alias("grid.OrganRegistration")]
public sealed record OrganRegistration
{
    [Id(0)] public required string Phone { get; init; }
    [Id(1)] public required CommunityCode Community { get; init; }
    /// <summary>Null: the name on the organ's roster.</summary>
    [Id(2)] public string? Name { get; init; }
    /// <summary>Null: the organ's own branch (机关党支部).</summary>
    [Id(3)] public string? Branch { get; init; }
    [Id(4)] public CellCode? Cell { get; init; }

    private bool PrintMembers(System.Text.StringBuilder builder)
    {
        builder.Append("Community = ").Append(Community).Append(", Cell = ").Append(Cell);
        return true;
    }
}

public static class RegistrationGrains
{
    /// <summary>The registration grain: stateless, so any activation on any silo serves any call.</summary>
    public static IRegistrationGrain Registrations(this IGrainFactory grains) => grains.GetGrain<IRegistrationGrain>(0);
}
