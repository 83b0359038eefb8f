using Grid.Contracts;

namespace Grid.Grains;

public sealed class OrganGrain(
    [PersistentState(GridStorage.Organ, GridStorage.Provider)] IPersistentState<OrganState> state,
    TimeProvider clock)
    : Grain, IOrganGrain
{
    private string Code => this.GetPrimaryKeyString();

    public Task<OrganView?> Get() => Task.FromResult(View());

    public async Task<OrganView> Define(OrganDefinition definition)
    {
        if (definition.Code != Code) throw new ArgumentException($"Definition is for organ {definition.Code}, not {Code}.", nameof(definition));
        if (definition != state.State.Definition)
        {
            state.State = state.State with
            {
                Definition = definition,
                CreatedUtc = state.State.Definition is null ? clock.GetUtcNow() : state.State.CreatedUtc,
            };
            await state.WriteStateAsync();
        }
        await GrainFactory.GetGrain<IDirectoryGrain>(IDirectoryGrain.RootKey).AddOrgan(Code);
        return View()!;
    }

    public async Task AddMember(string memberId)
    {
        if (state.State.Definition is null) throw new InvalidOperationException($"Organ {Code} is not defined.");
        if (state.State.Members.Contains(memberId)) return;
        state.State = state.State with { Members = state.State.Members.Add(memberId) };
        await state.WriteStateAsync();
    }

    private OrganView? View() => state.State.Definition is { } definition
        ? new OrganView { Definition = definition, MemberIds = [.. state.State.Members], CreatedUtc = state.State.CreatedUtc }
        : null;
}
