using System.Collections.Immutable;
using Grid.Contracts;
using Grid.Grains.Members;

namespace Grid.Grains;

public sealed class HouseholdGrain(
    [PersistentState(GridStorage.Household, GridStorage.Provider)] IPersistentState<HouseholdState> state,
    TimeProvider clock)
    : Grain, IHouseholdGrain
{
    public Task<HouseholdRecord?> Get() => Task.FromResult(state.State.Record);

    public async Task<CreateResult<HouseholdRecord>> Create(HouseholdDefinition definition, string createdBy)
    {
        if (state.State.Record is { } existing)
        {
            var outcome = existing.Definition.SameAs(definition) ? CreateOutcome.AlreadyExists : CreateOutcome.Conflict;
            return new CreateResult<HouseholdRecord> { Outcome = outcome, Record = existing };
        }
        var record = new HouseholdRecord
        {
            Id = this.GetPrimaryKeyString(),
            Definition = definition,
            CreatedUtc = clock.GetUtcNow(),
            CreatedBy = createdBy,
        };
        state.State = new HouseholdState { Record = record };
        await state.WriteStateAsync();
        await WatchVisits(record.CreatedUtc);
        return new CreateResult<HouseholdRecord> { Outcome = CreateOutcome.Created, Record = record };
    }

    public async Task RecordVisit(VisitRecord visit)
    {
        if (state.State.Record is null) throw new InvalidOperationException($"Household {this.GetPrimaryKeyString()} does not exist.");
        if (state.State.Visits.Contains(visit)) return;
        state.State = state.State with { Visits = state.State.Visits.Add(visit) };
        await state.WriteStateAsync();
        await WatchVisits(state.State.Visits.Max(v => v.AtUtc));
    }

    public Task<ImmutableArray<VisitRecord>> Visits() => Task.FromResult(state.State.Visits);

    private Task WatchVisits(DateTimeOffset since) =>
        GrainFactory.GetGrain<IGridCellGrain>(state.State.Record!.Definition.CellCode)
            .WatchVisits(this.GetPrimaryKeyString(), VisitRule.IntervalDays(state.State.Record.Definition.Tags), since);
}
