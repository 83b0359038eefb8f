using System.Collections.Immutable;
using Grid.Contracts;

namespace Grid.Grains;

public sealed class DirectoryGrain(
    [PersistentState(GridStorage.Directory, GridStorage.Provider)] IPersistentState<DirectoryState> state)
    : Grain, IDirectoryGrain
{
    public Task<ImmutableArray<string>> CommunityCodes() => Task.FromResult(state.State.Communities.ToImmutableArray());

    public async Task AddCommunity(string code)
    {
        if (state.State.Communities.Contains(code)) return;
        state.State = state.State with { Communities = state.State.Communities.Add(code) };
        await state.WriteStateAsync();
    }

    public Task<ImmutableArray<string>> OrganCodes() => Task.FromResult(state.State.Organs.ToImmutableArray());

    public async Task AddOrgan(OrganCode code)
    {
        if (state.State.Organs.Contains(code.Value)) return;
        state.State = state.State with { Organs = state.State.Organs.Add(code.Value) };
        await state.WriteStateAsync();
    }

    public Task<int> DemoSeedVersion() => Task.FromResult(state.State.DemoSeedVersion);

    public async Task MarkDemoSeeded(int version)
    {
        state.State = state.State with { DemoSeedVersion = version };
        await state.WriteStateAsync();
    }
}
