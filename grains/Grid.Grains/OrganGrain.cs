using System.Collections.Immutable;
using Grid.Contracts;

namespace Grid.Grains;

public sealed class OrganGrain(
    [PersistentState(GridStorage.Organ, GridStorage.Provider)] IPersistentState<OrganState> state,
    TimeProvider clock)
    : Grain, IOrganGrain
{
    private OrganCode Code => OrganCode.Parse(this.GetPrimaryKeyString());

    public Task<OrganView?> Get() => Task.FromResult(View());

    public async Task<OrganView> Define(OrganDefinition definition)
    {
        if (definition.Code != Code.Value) throw new ArgumentException($"Definition is for organ {definition.Code}, not {Code}.", nameof(definition));
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

    public async Task AddMember(MemberId member)
    {
        Require();
        if (state.State.Members.Contains(member.Value)) return;
        state.State = state.State with { Members = state.State.Members.Add(member.Value) };
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

    public async Task RegisterWith(CommunityCode community)
    {
        Require();
        if (state.State.Communities.Contains(community.Value)) return;
        state.State = state.State with { Communities = state.State.Communities.Add(community.Value) };
        await state.WriteStateAsync();
    }

    public async Task MemberRegistered(string phone, MemberId member, CommunityCode community, DateTimeOffset atUtc)
    {
        Require();
        var roster = state.State.Roster;
        var entry = roster.TryGetValue(phone, out var held) ? held : new RosterEntry { Name = "", Phone = phone };
        if (entry.MemberId == member.Value) return;
        state.State = state.State with
        {
            Roster = roster.SetItem(phone, entry with { MemberId = member.Value, CommunityCode = community.Value, RegisteredUtc = atUtc }),
            Members = state.State.Members.Add(member.Value),
        };
        await state.WriteStateAsync();
    }

    public async Task SetPlaced(MemberId member, bool placed)
    {
        Require();
        var set = placed ? state.State.Placed.Add(member.Value) : state.State.Placed.Remove(member.Value);
        if (set == state.State.Placed) return;
        state.State = state.State with { Placed = set };
        await state.WriteStateAsync();
    }

    public async Task RecordService(MemberId member, int totalMinutes)
    {
        Require();
        if (state.State.ServiceMinutes.GetValueOrDefault(member.Value, -1) == totalMinutes) return;
        state.State = state.State with { ServiceMinutes = state.State.ServiceMinutes.SetItem(member.Value, totalMinutes) };
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
