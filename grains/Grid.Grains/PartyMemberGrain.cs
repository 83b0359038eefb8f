using System.Collections.Immutable;
using Grid.Contracts;
using Grid.Grains.Members;

namespace Grid.Grains;

public sealed class PartyMemberGrain(
    [PersistentState(GridStorage.Member, GridStorage.Provider)] IPersistentState<MemberState> state,
    TimeProvider clock)
    : Grain, IPartyMemberGrain
{
    private MemberId Id => MemberId.Parse(this.GetPrimaryKeyString());

    public Task<MemberRecord?> Get() => Task.FromResult(state.State.Record);

    public async Task<Outcome<MemberRecord>> Create(MemberDefinition definition)
    {
        if (Id.Community.Value != definition.CommunityCode)
            return Outcome.Invalid<MemberRecord>("communityCode", $"党员 {Id} 不属于社区 {definition.CommunityCode}。", "member.community");
        Outcome<MemberRecord> outcome;
        if (state.State.Record is { } existing)
        {
            outcome = AgainstExisting(existing, definition);
            if (!outcome.Succeeded) return outcome;
        }
        else
        {
            var now = clock.GetUtcNow();
            state.State = state.State with
            {
                Record = new MemberRecord { Id = Id.Value, Definition = definition, CreatedUtc = now },
                Placements = definition.CellCode is { } cell ? [new Placement { CellCode = cell, FromUtc = now, By = "registration" }] : [],
                RegisteredUtc = now,
            };
            await state.WriteStateAsync();
            outcome = Outcome.Created(state.State.Record!);
        }

        // Registration with cell and organ is repeated on a retry: a crash between the write
        // above and these calls must not leave the member unlisted.
        if (definition.CellCode is { } placedIn) await GrainFactory.Cell(CellCode.Parse(placedIn)).PlaceMember(Id);
        if (definition.OrganCode is { } code)
        {
            var organ = GrainFactory.Organ(OrganCode.Parse(code));
            await organ.AddMember(Id);
            await organ.MemberRegistered(definition.Phone, Id, Id.Community, state.State.RegisteredUtc ?? clock.GetUtcNow());
            await organ.SetPlaced(Id, definition.CellCode is not null);
        }
        await PublishStanding();
        return outcome;
    }

    /// <summary>A registration of a member who already stands: the same one again, or a different one under their phone.</summary>
    internal static Outcome<MemberRecord> AgainstExisting(MemberRecord existing, MemberDefinition wanted) =>
        existing.Definition.SameAs(wanted)
            ? Outcome.Done(existing)
            : Outcome.Conflict($"社区 {wanted.CommunityCode} 已有党员（{existing.Id}）以此手机号登记，内容不同。", existing, "member.exists");

    public async Task<MemberRecord> Place(CellCode? cell, string by)
    {
        var record = Require();
        var before = record.Definition.CellCode;
        var cellCode = cell?.Value;
        if (before != cellCode)
        {
            var now = clock.GetUtcNow();
            var placements = state.State.Placements;
            if (placements.Length > 0 && placements[^1].ToUtc is null) placements = placements.SetItem(placements.Length - 1, placements[^1] with { ToUtc = now });
            if (cellCode is not null) placements = placements.Add(new Placement { CellCode = cellCode, FromUtc = now, By = by });
            state.State = state.State with
            {
                Record = record with { Definition = record.Definition with { CellCode = cellCode } },
                Placements = placements,
            };
            await state.WriteStateAsync();
        }
        // Repeated on every call, so that a retry after a crash completes the moves.
        if (before is not null && before != cellCode) await GrainFactory.Cell(CellCode.Parse(before)).RemoveMember(Id);
        if (cell is { } placedIn) await GrainFactory.Cell(placedIn).PlaceMember(Id);
        if (record.Definition.OrganCode is { } organ) await GrainFactory.Organ(OrganCode.Parse(organ)).SetPlaced(Id, cell is not null);
        return state.State.Record!;
    }

    public async Task<MemberStanding> Standing()
    {
        var record = Require();
        var rules = await GrainFactory.GetGrain<ICommunityPointsGrain>(record.Definition.CommunityCode).PointRules();
        var year = clock.GetUtcNow().ToOffset(ChinaTime.Offset).Year;
        var thisYear = PointsLedger.InYear(state.State.Points, year);
        return new MemberStanding
        {
            PointsThisYear = thisYear,
            PointsTotal = state.State.Points.Sum(p => p.Points),
            Stars = PointsLedger.Stars(thisYear, rules.StarThresholds),
            ServiceMinutes = state.State.ServiceMinutes.Values.Sum(),
            Placements = state.State.Placements,
            Points = state.State.Points,
            AssignmentIds = [.. state.State.OpenAssignments],
            RegisteredUtc = state.State.RegisteredUtc,
        };
    }

    public async Task<bool> AwardPoints(PointsEntry entry)
    {
        Require();
        var points = PointsLedger.Award(state.State.Points, entry, out var added);
        if (added)
        {
            state.State = state.State with { Points = points };
            await state.WriteStateAsync();
        }
        // The leaderboard is told every time: idempotent there, and it heals a missed update.
        await PublishStanding();
        return added;
    }

    public async Task RecordService(AssignmentId assignment, int minutes)
    {
        var record = Require();
        if (state.State.ServiceMinutes.GetValueOrDefault(assignment.Value, -1) != minutes)
        {
            state.State = state.State with { ServiceMinutes = state.State.ServiceMinutes.SetItem(assignment.Value, minutes) };
            await state.WriteStateAsync();
        }
        if (record.Definition.OrganCode is { } organ)
            await GrainFactory.Organ(OrganCode.Parse(organ)).RecordService(Id, state.State.ServiceMinutes.Values.Sum());
    }

    public async Task TrackAssignment(AssignmentId assignment, bool open)
    {
        Require();
        var set = open ? state.State.OpenAssignments.Add(assignment.Value) : state.State.OpenAssignments.Remove(assignment.Value);
        if (set == state.State.OpenAssignments) return;
        state.State = state.State with { OpenAssignments = set };
        await state.WriteStateAsync();
    }

    public async Task LinkHousehold(HouseholdId household, bool linked)
    {
        Require();
        var set = linked ? state.State.LinkedHouseholds.Add(household.Value) : state.State.LinkedHouseholds.Remove(household.Value);
        if (set == state.State.LinkedHouseholds) return;
        state.State = state.State with { LinkedHouseholds = set };
        await state.WriteStateAsync();
    }

    public Task<ImmutableArray<HouseholdId>> LinkedHouseholds() => Task.FromResult(state.State.LinkedHouseholds.Select(h => HouseholdId.Parse(h)).ToImmutableArray());

    public async Task<MemberRecord> SetMobile(bool isMobile, string location)
    {
        var record = Require();
        var definition = record.Definition with { IsMobile = isMobile, MobileLocation = isMobile ? location : "" };
        if (definition == record.Definition) return record;
        state.State = state.State with { Record = record with { Definition = definition } };
        await state.WriteStateAsync();
        return state.State.Record!;
    }

    private async Task PublishStanding()
    {
        var record = state.State.Record!;
        var rules = await GrainFactory.GetGrain<ICommunityPointsGrain>(record.Definition.CommunityCode).PointRules();
        var year = clock.GetUtcNow().ToOffset(ChinaTime.Offset).Year;
        var points = PointsLedger.InYear(state.State.Points, year);
        await GrainFactory.GetGrain<ICommunityPointsGrain>(record.Definition.CommunityCode).UpdateLeaderboard(new LeaderboardLine
        {
            MemberId = Id.Value, Name = record.Definition.Name, Branch = record.Definition.Branch,
            Points = points, Stars = PointsLedger.Stars(points, rules.StarThresholds),
        }, year);
    }

    private MemberRecord Require() => state.State.Record ?? throw new InvalidOperationException($"Member {Id} does not exist.");
}
