using System.Collections.Immutable;
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

    public async Task SetRoster(ImmutableArray<RosterEntry> roster)
    {
        Require();
        // Registrations already made stay: a re-sent roster must not forget who has reported.
        var next = roster.ToImmutableDictionary(e => e.Phone, e => state.State.Roster.TryGetValue(e.Phone, out var held) && held.MemberId is not null
            ? held with { Name = e.Name }
            : e with { MemberId = null, CommunityCode = null, RegisteredUtc = null });
        foreach (var (phone, held) in state.State.Roster.Where(p => p.Value.MemberId is not null && !next.ContainsKey(p.Key)))
            next = next.Add(phone, held);
        state.State = state.State with { Roster = next };
        await state.WriteStateAsync();
    }

    public Task<ImmutableArray<RosterEntry>> Roster() =>
        Task.FromResult<ImmutableArray<RosterEntry>>([.. state.State.Roster.Values.OrderBy(e => e.Phone, StringComparer.Ordinal)]);

    public async Task RegisterWith(string communityCode)
    {
        Require();
        if (state.State.Communities.Contains(communityCode)) return;
        state.State = state.State with { Communities = state.State.Communities.Add(communityCode) };
        await state.WriteStateAsync();
    }

    public async Task MemberRegistered(string phone, string memberId, string communityCode, DateTimeOffset atUtc)
    {
        Require();
        var roster = state.State.Roster;
        var entry = roster.TryGetValue(phone, out var held) ? held : new RosterEntry { Name = "", Phone = phone };
        if (entry.MemberId == memberId) return;
        state.State = state.State with
        {
            Roster = roster.SetItem(phone, entry with { MemberId = memberId, CommunityCode = communityCode, RegisteredUtc = atUtc }),
            Members = state.State.Members.Add(memberId),
        };
        await state.WriteStateAsync();
    }

    public async Task SetPlaced(string memberId, bool placed)
    {
        Require();
        var set = placed ? state.State.Placed.Add(memberId) : state.State.Placed.Remove(memberId);
        if (set == state.State.Placed) return;
        state.State = state.State with { Placed = set };
        await state.WriteStateAsync();
    }

    public async Task RecordService(string memberId, int totalMinutes)
    {
        Require();
        if (state.State.ServiceMinutes.GetValueOrDefault(memberId, -1) == totalMinutes) return;
        state.State = state.State with { ServiceMinutes = state.State.ServiceMinutes.SetItem(memberId, totalMinutes) };
        await state.WriteStateAsync();
    }

    public Task<OrganFigures> Figures()
    {
        var definition = Require();
        var registered = state.State.Roster.Values.Count(e => e.MemberId is not null);
        return Task.FromResult(new OrganFigures
        {
            Required = definition.MembersRequired,
            OnRoster = state.State.Roster.Count,
            Registered = registered,
            Placed = state.State.Placed.Count,
            ServiceMinutes = state.State.ServiceMinutes.Values.Sum(),
            ReportingRate = definition.MembersRequired == 0 ? null : Math.Round((double)registered / definition.MembersRequired, 4),
            Communities = [.. state.State.Communities],
        });
    }

    private OrganDefinition Require() => state.State.Definition ?? throw new InvalidOperationException($"Organ {Code} is not defined.");

    private OrganView? View() => state.State.Definition is { } definition
        ? new OrganView { Definition = definition, MemberIds = [.. state.State.Members], CreatedUtc = state.State.CreatedUtc }
        : null;
}
