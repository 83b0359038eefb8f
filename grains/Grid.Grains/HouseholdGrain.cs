using System.Collections.Immutable;
using Grid.Contracts;
using Grid.Grains.Members;

namespace Grid.Grains;

public sealed class HouseholdGrain(
    [PersistentState(GridStorage.Household, GridStorage.Provider)] IPersistentState<HouseholdState> state,
    TimeProvider clock)
    : Grain, IHouseholdGrain
{
    private HouseholdId Id => HouseholdId.Parse(this.GetPrimaryKeyString());

    public Task<HouseholdRecord?> Get() => Task.FromResult(state.State.Record);

    public async Task<Outcome<HouseholdRecord>> Create(HouseholdDefinition definition, string createdBy)
    {
        if (Id.Cell.Value != definition.CellCode)
            return Outcome.Invalid<HouseholdRecord>("cellCode", $"住户 {Id} 不在网格 {definition.CellCode} 内。", "household.cell");
        if (state.State.Record is { } existing) return AgainstExisting(existing, definition);
        var record = new HouseholdRecord
        {
            Id = Id.Value,
            Definition = definition,
            CreatedUtc = clock.GetUtcNow(),
            CreatedBy = createdBy,
        };
        state.State = new HouseholdState { Record = record };
        await state.WriteStateAsync();
        await WatchVisits(record.CreatedUtc);
        return Outcome.Created(record);
    }

    /// <summary>A registration of a household that already stands: the same one again, or a different one at its address.</summary>
    internal static Outcome<HouseholdRecord> AgainstExisting(HouseholdRecord existing, HouseholdDefinition wanted) =>
        existing.Definition.SameAs(wanted)
            ? Outcome.Done(existing)
            : Outcome.Conflict($"网格 {wanted.CellCode} 的地址「{wanted.Address}」已登记了另一户（{existing.Id}），内容不同。", existing, "household.exists");

    public async Task RecordVisit(VisitRecord visit)
    {
        if (state.State.Record is null) throw new InvalidOperationException($"Household {Id} does not exist.");
        if (state.State.Visits.Contains(visit)) return;
        state.State = state.State with { Visits = state.State.Visits.Add(visit) };
        await state.WriteStateAsync();
        await WatchVisits(state.State.Visits.Max(v => v.AtUtc));
    }

    public Task<ImmutableArray<VisitRecord>> Visits() => Task.FromResult(state.State.Visits);

    private Task WatchVisits(DateTimeOffset since) =>
        GrainFactory.Cell(Id.Cell).WatchVisits(Id, VisitRule.IntervalDays(state.State.Record!.Definition.Tags), since);
}
