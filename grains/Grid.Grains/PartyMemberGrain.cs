using System.Collections.Immutable;
using Grid.Contracts;
using Grid.Grains.Members;

namespace Grid.Grains;

public sealed class PartyMemberGrain(
    [PersistentState(GridStorage.Member, GridStorage.Provider)] IPersistentState<MemberState> state,
    TimeProvider clock)
    : Grain, IPartyMemberGrain
{
    private string Id => this.GetPrimaryKeyString();

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
            var now = clock.GetUtcNow();
            state.State = state.State with
            {
                Record = new MemberRecord { Id = Id, Definition = definition, CreatedUtc = now },
                Placements = definition.CellCode is { } cell ? [new Placement { CellCode = cell, FromUtc = now, By = "registration" }] : [],
                RegisteredUtc = now,
            };
            await state.WriteStateAsync();
            outcome = CreateOutcome.Created;
        }

        // Registration with cell and organ is repeated on a retry: a crash between the write
        // above and these calls must not leave the member unlisted.
        if (definition.CellCode is { } placedIn) await GrainFactory.GetGrain<IGridCellGrain>(placedIn).PlaceMember(Id);
        if (definition.OrganCode is { } organ)
        {
            await GrainFactory.GetGrain<IOrganGrain>(organ).AddMember(Id);
            await GrainFactory.GetGrain<IOrganGrain>(organ).MemberRegistered(definition.Phone, Id, definition.CommunityCode, state.State.RegisteredUtc ?? clock.GetUtcNow());
            await GrainFactory.GetGrain<IOrganGrain>(organ).SetPlaced(Id, definition.CellCode is not null);
        }
        await PublishStanding();
        return new CreateResult<MemberRecord> { Outcome = outcome, Record = state.State.Record! };
    }

    public async Task<MemberRecord> Place(string? cellCode, string by)
    {
        var record = Require();
        var before = record.Definition.CellCode;
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
        if (before is not null && before != cellCode) await GrainFactory.GetGrain<IGridCellGrain>(before).RemoveMember(Id);
        if (cellCode is not null) await GrainFactory.GetGrain<IGridCellGrain>(cellCode).PlaceMember(Id);
        if (record.Definition.OrganCode is { } organ) await GrainFactory.GetGrain<IOrganGrain>(organ).SetPlaced(Id, cellCode is not null);
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

    public async Task RecordService(string assignmentId, int minutes)
    {
        var record = Require();
        if (state.State.ServiceMinutes.GetValueOrDefault(assignmentId, -1) != minutes)
        {
            state.State = state.State with { ServiceMinutes = state.State.ServiceMinutes.SetItem(assignmentId, minutes) };
            await state.WriteStateAsync();
        }
        if (record.Definition.OrganCode is { } organ)
            await GrainFactory.GetGrain<IOrganGrain>(organ).RecordService(Id, state.State.ServiceMinutes.Values.Sum());
    }

    public async Task TrackAssignment(string assignmentId, bool open)
    {
        Require();
        var set = open ? state.State.OpenAssignments.Add(assignmentId) : state.State.OpenAssignments.Remove(assignmentId);
        if (set == state.State.OpenAssignments) return;
        state.State = state.State with { OpenAssignments = set };
        await state.WriteStateAsync();
    }

    public async Task LinkHousehold(string householdId, bool linked)
    {
        Require();
        var set = linked ? state.State.LinkedHouseholds.Add(householdId) : state.State.LinkedHouseholds.Remove(householdId);
        if (set == state.State.LinkedHouseholds) return;
        state.State = state.State with { LinkedHouseholds = set };
        await state.WriteStateAsync();
    }

    public Task<ImmutableArray<string>> LinkedHouseholds() => Task.FromResult(state.State.LinkedHouseholds.ToImmutableArray());

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
            MemberId = Id, Name = record.Definition.Name, Branch = record.Definition.Branch,
            Points = points, Stars = PointsLedger.Stars(points, rules.StarThresholds),
        }, year);
    }

    private MemberRecord Require() => state.State.Record ?? throw new InvalidOperationException($"Member {Id} does not exist.");
}
