namespace Grid.Contracts;

/// <summary>
/// Value equality for definitions that hold arrays. Records compare ImmutableArray fields by
/// reference, so a retried create carrying equal data would otherwise look like a conflict.
/// </summary>
public static class Comparisons
{
    public static bool SameAs(this HouseholdDefinition a, HouseholdDefinition b) =>
        a with { Residents = [], Tags = [] } == b with { Residents = [], Tags = [] } &&
        a.Residents.SequenceEqual(b.Residents) &&
        a.Tags.Order(StringComparer.Ordinal).SequenceEqual(b.Tags.Order(StringComparer.Ordinal));

    public static bool SameAs(this MemberDefinition a, MemberDefinition b) =>
        a with { Pledges = [] } == b with { Pledges = [] } && a.Pledges.SequenceEqual(b.Pledges);

    public static bool SameAs(this CellDefinition a, CellDefinition b) =>
        a.Code == b.Code && a.Name == b.Name &&
        a.Boundary.SequenceEqual(b.Boundary) && a.GridWorkers.SequenceEqual(b.GridWorkers);
}
