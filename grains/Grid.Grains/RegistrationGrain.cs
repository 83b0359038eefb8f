using System.Collections.Immutable;
using Grid.Contracts;
using Orleans.Concurrency;

namespace Grid.Grains;

/// <summary>
/// Registers households and members (see <see cref="IRegistrationGrain"/>). It holds no state: the
/// parents (cell, community) hold the ids and the children their records. Deciding here rather than
/// in the cell keeps the cell from waiting on a household that calls back into it.
/// </summary>
// Reentrant: it keeps nothing between calls, so one activation may wait on many grains at once;
// without it a node's few activations take one report at a time and every other waits in line.
[StatelessWorker, Reentrant]
public sealed class RegistrationGrain : Grain, IRegistrationGrain
{
    /// <summary>Children created at once within one batch: enough to keep storage busy, few enough to leave room for others.</summary>
    private const int Parallelism = 16;

    public async Task<Outcome<HouseholdRecord>> RegisterHousehold(HouseholdDefinition household, string by) =>
        (await RegisterHouseholds([household], by, checkOnly: false))[0];

    public async Task<ImmutableArray<Outcome<HouseholdRecord>>> RegisterHouseholds(ImmutableArray<HouseholdDefinition> households, string by, bool checkOnly)
    {
        var outcomes = new Outcome<HouseholdRecord>[households.Length];
        foreach (var inCell in Enumerable.Range(0, households.Length).GroupBy(i => households[i].CellCode))
        {
            var code = GridId.TryParse<CellCode>(inCell.Key, out var c) ? c : (CellCode?)null;
            var view = code is { } known ? await GrainFactory.Cell(known).Get() : null;
            var open = new List<int>();
            foreach (var i in inCell)
            {
                if (Refusal(households[i], view) is { } refused) outcomes[i] = refused;
                else open.Add(i);
            }
            if (open.Count == 0) continue;

            var cell = GrainFactory.Cell(code!.Value);
            if (checkOnly)
            {
                var byAddress = await cell.HouseholdIdsByAddress();
                await InParallel(open, async i =>
                {
                    var existing = byAddress.TryGetValue(households[i].Address, out var id) ? await GrainFactory.GetGrain<IHouseholdGrain>(id).Get() : null;
                    outcomes[i] = existing is null
                        ? Outcome.Created(new HouseholdRecord { Id = "", Definition = households[i], CreatedBy = by })
                        : HouseholdGrain.AgainstExisting(existing, households[i]);
                });
                continue;
            }
            var ids = await cell.ClaimHouseholdIds([.. open.Select(i => households[i].Address)]);
            await InParallel(open.Zip(ids), async pair => outcomes[pair.First] = await GrainFactory.Household(pair.Second).Create(households[pair.First], by));
        }
        return [.. outcomes];
    }

    /// <summary>Why a household cannot stand in its cell; null when it can.</summary>
    private static Outcome<HouseholdRecord>? Refusal(HouseholdDefinition household, CellView? cell)
    {
        if (cell is null) return Outcome.Invalid<HouseholdRecord>("cellCode", $"网格 {household.CellCode} 不存在。", "cell.unknown");
        if (household.Location is { } at && !GeoDistance.InCell(at, cell.Definition.Boundary))
            return Outcome.Invalid<HouseholdRecord>("location", $"位置不在网格 {household.CellCode}（{cell.Definition.Name}）内。", "household.outside_cell");
        return null;
    }

    public async Task<Outcome<MemberRecord>> RegisterMember(MemberDefinition member) =>
        (await RegisterMembers([member], checkOnly: false))[0];

    public async Task<ImmutableArray<Outcome<MemberRecord>>> RegisterMembers(ImmutableArray<MemberDefinition> members, bool checkOnly)
    {
        var outcomes = new Outcome<MemberRecord>[members.Length];
        var organs = new Dictionary<string, bool>(StringComparer.Ordinal);
        foreach (var inCommunity in Enumerable.Range(0, members.Length).GroupBy(i => members[i].CommunityCode))
        {
            var code = GridId.TryParse<CommunityCode>(inCommunity.Key, out var c) ? c : (CommunityCode?)null;
            var view = code is { } known ? await GrainFactory.Community(known).Get() : null;
            var open = new List<int>();
            foreach (var i in inCommunity)
            {
                if (await Refusal(members[i], view, organs) is { } refused) outcomes[i] = refused;
                else open.Add(i);
            }
            if (open.Count == 0) continue;

            var community = GrainFactory.Community(code!.Value);
            if (checkOnly)
            {
                var byPhone = await community.MemberIdsByPhone();
                await InParallel(open, async i =>
                {
                    var existing = byPhone.TryGetValue(members[i].Phone, out var id) ? await GrainFactory.GetGrain<IPartyMemberGrain>(id).Get() : null;
                    outcomes[i] = existing is null
                        ? Outcome.Created(new MemberRecord { Id = "", Definition = members[i] })
                        : PartyMemberGrain.AgainstExisting(existing, members[i]);
                });
                continue;
            }
            var ids = await community.ClaimMemberIds([.. open.Select(i => members[i].Phone)]);
            await InParallel(open.Zip(ids), async pair => outcomes[pair.First] = await GrainFactory.Member(MemberId.Parse(pair.Second)).Create(members[pair.First]));
        }
        return [.. outcomes];
    }

    /// <summary>Why a member cannot stand in the directory; null when they can. Organs already looked up are remembered in <paramref name="organs"/>.</summary>
    private async Task<Outcome<MemberRecord>?> Refusal(MemberDefinition member, CommunityView? community, Dictionary<string, bool> organs)
    {
        if (community is null) return Outcome.Invalid<MemberRecord>("communityCode", $"社区 {member.CommunityCode} 不存在。", "community.unknown");
        if (member.CellCode is { } cell && !community.CellCodes.Contains(cell))
            return Outcome.Invalid<MemberRecord>("cellCode", $"社区 {member.CommunityCode} 没有网格 {cell}。", "cell.unknown");
        if (member.OrganCode is { } organ)
        {
            if (!organs.TryGetValue(organ, out var exists))
                organs[organ] = exists = GridId.TryParse<OrganCode>(organ, out var code) && await GrainFactory.Organ(code).Get() is not null;
            if (!exists) return Outcome.Invalid<MemberRecord>("organCode", $"机关 {organ} 不存在。", "organ.unknown");
        }
        return null;
    }

    public async Task<Outcome<MemberRecord>> RegisterOrganMember(OrganCode code, OrganRegistration registration)
    {
        var organ = GrainFactory.Organ(code);
        if (await organ.Get() is not { } view) return Outcome.NotFound<MemberRecord>($"机关 {code} 不存在。");
        if (!(await organ.Figures()).Communities.Contains(registration.Community.Value))
            return Outcome.Conflict<MemberRecord>($"{view.Definition.Name}尚未向社区 {registration.Community} 报到（单位报到），其党员还不能个人报到。",
                code: "organ.not_registered");
        var name = registration.Name ?? (await organ.Roster()).FirstOrDefault(e => e.Phone == registration.Phone)?.Name;
        if (string.IsNullOrWhiteSpace(name))
            return Outcome.Invalid<MemberRecord>("name", "此手机号不在机关名单上，请填写姓名。", "organ.not_on_roster");
        return await RegisterMember(new MemberDefinition
        {
            Name = name,
            Phone = registration.Phone,
            CommunityCode = registration.Community.Value,
            Branch = registration.Branch ?? $"{view.Definition.Name}机关党支部",
            OrganCode = code.Value,
            CellCode = registration.Cell?.Value,
        });
    }

    private static async Task InParallel<T>(IEnumerable<T> items, Func<T, Task> body)
    {
        using var gate = new SemaphoreSlim(Parallelism);
        await Task.WhenAll(items.Select(async item =>
        {
            await gate.WaitAsync();
            try { await body(item); }
            finally { gate.Release(); }
        }));
    }
}
