using Grid.Contracts;

namespace Grid.Grains;

public sealed class PartyMemberGrain(
    [PersistentState(GridStorage.Member, GridStorage.Provider)] IPersistentState<MemberState> state,
    TimeProvider clock)
    : Grain, IPartyMemberGrain
{
    public Task<MemberRecord?> Get() => Task.FromResult(state.State.Record);

    public async Task<CreateResult<MemberRecord>> Create(MemberDefinition definition)
    {
        CreateOutcome outcome;
        if (state.State.Record is { } existing)
        {
            if (!existing.Definition.SameAs(definition))
                return new CreateResult<MemberRecord> { Outcome = CreateOutcome.Conflict, Record = existing };
            outcome = CreateOutcome.AlreadyExists;
        }
        else
        {
            state.State = new MemberState
            {
                Record = new MemberRecord { Id = this.GetPrimaryKeyString(), Definition = definition, CreatedUtc = clock.GetUtcNow() },
            };
            await state.WriteStateAsync();
            outcome = CreateOutcome.Created;
        }

        // Registration with cell and organ is repeated on a retry: a crash between the write
        // above and these calls must not leave the member unlisted.
        var id = state.State.Record.Id;
        if (definition.CellCode is { } cell) await GrainFactory.GetGrain<IGridCellGrain>(cell).PlaceMember(id);
        if (definition.OrganCode is { } organ) await GrainFactory.GetGrain<IOrganGrain>(organ).AddMember(id);
        return new CreateResult<MemberRecord> { Outcome = outcome, Record = state.State.Record };
    }
}
