using System.Collections.Immutable;
using Grid.Contracts;

namespace Grid.Grains;

/// <summary>
/// A community's definition, cells and member ids. Before its concerns were split into sibling grains,
/// its state held them all; a community stored then keeps those parts here until each sibling has taken
/// its own (<see cref="ICommunityHandoverGrain"/>).
/// </summary>
public sealed class CommunityGrain(
    [PersistentState(GridStorage.Community, GridStorage.Provider)] IPersistentState<CommunityState> state,
    TimeProvider clock)
    : Grain, ICommunityGrain, ICommunityHandoverGrain
{
    private string Code => this.GetPrimaryKeyString();

    public Task<CommunityView?> Get() => Task.FromResult(View());

    public async Task<CommunityView> Define(CommunityDefinition definition)
    {
        if (definition.Code != Code) throw new ArgumentException($"Definition is for community {definition.Code}, not {Code}.", nameof(definition));
        var isNew = state.State.Definition is null;
        if (definition != state.State.Definition)
        {
            state.State = state.State with
            {
                Definition = definition,
                CreatedUtc = isNew ? clock.GetUtcNow() : state.State.CreatedUtc,
                // A community defined now has never held its siblings' parts: nothing to hand over.
                HandedOver = state.RecordExists ? state.State.HandedOver : CommunityParts.All,
            };
            await state.WriteStateAsync();
        }
        await GrainFactory.GetGrain<IDirectoryGrain>(IDirectoryGrain.RootKey).AddCommunity(Code);
        return View()!;
    }

    public async Task AddCell(string cellCode)
    {
        RequireDefined();
        if (GridCodes.CommunityOf(cellCode) != Code) throw new ArgumentException($"Cell {cellCode} is not in community {Code}.", nameof(cellCode));
        if (state.State.Cells.Contains(cellCode)) return;
        state.State = state.State with { Cells = state.State.Cells.Add(cellCode) };
        await state.WriteStateAsync();
    }

    public async Task<ImmutableArray<string>> ClaimMemberIds(ImmutableArray<string> phones)
    {
        RequireDefined();
        var byPhone = state.State.MembersByPhone;
        var last = state.State.LastMemberNumber;
        var ids = ImmutableArray.CreateBuilder<string>(phones.Length);
        foreach (var phone in phones)
        {
            if (!byPhone.TryGetValue(phone, out var id))
            {
                id = Contracts.MemberId.Of(CommunityCode.Parse(Code), ++last).Value;
                byPhone = byPhone.Add(phone, id);
            }
            ids.Add(id);
        }
        if (last != state.State.LastMemberNumber)
        {
            state.State = state.State with { MembersByPhone = byPhone, LastMemberNumber = last };
            await state.WriteStateAsync();
        }
        return ids.MoveToImmutable();
    }

    public Task<ImmutableDictionary<string, string>> MemberIdsByPhone() => Task.FromResult(state.State.MembersByPhone);

    public Task<LegacyParts?> Legacy(CommunityParts parts) =>
        Task.FromResult(state.RecordExists ? LegacyParts.Of(state.State, parts & ~state.State.HandedOver) : null);

    public async Task Forget(CommunityParts parts)
    {
        if (!state.RecordExists || (state.State.HandedOver & parts) == parts) return;
        state.State = LegacyParts.Without(state.State, parts);
        await state.WriteStateAsync();
    }

    private CommunityView? View() => state.State.Definition is { } definition
        ? new CommunityView
        {
            Definition = definition,
            CellCodes = [.. state.State.Cells],
            MemberCount = state.State.MembersByPhone.Count,
            CreatedUtc = state.State.CreatedUtc,
        }
        : null;

    private void RequireDefined()
    {
        if (state.State.Definition is null) throw new InvalidOperationException($"Community {Code} is not defined.");
    }
}
