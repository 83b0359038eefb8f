using Grid.Contracts;

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
        return new CreateResult<HouseholdRecord> { Outcome = CreateOutcome.Created, Record = record };
    }
}
