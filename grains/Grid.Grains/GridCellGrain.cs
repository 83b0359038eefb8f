using System.Collections.Immutable;
using Grid.Contracts;
using Grid.Grains.Issues;
using Grid.Grains.Members;
using Microsoft.Extensions.Options;

namespace Grid.Grains;

public sealed class GridCellGrain(
    [PersistentState(GridStorage.Cell, GridStorage.Provider)] IPersistentState<CellState> state,
    TimeProvider clock,
    ILiveEvents live,
    IIssueLedger ledger,
    IOptions<IssueOptions> options)
    : Grain, IGridCellGrain
{
    private IndexWriteBehind? index;
    private readonly TombstoneSweep sweep = new();

    private string Code => this.GetPrimaryKeyString();

    private IndexWriteBehind Index => index ??= new IndexWriteBehind(this, Write, options.Value.IndexWriteDelay);

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        if (IndexWriteBehind.CatchUpFrom(state.RecordExists, state.State.WrittenUtc) is not { } from) return;
        var missed = IndexWriteBehind.Missed(await ledger.CellIssuesUpdatedSince(Code, from), state.State.Issues).ToList();
        if (missed.Count == 0) return;
        var issues = state.State.Issues;
        foreach (var summary in missed) issues = IssueIndex.Apply(issues, summary, out _);
        state.State = state.State with { Issues = issues };
        await Write();
        await RefreshStatus();
    }

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken) => Index.Flush();

    /// <summary>Every write of this state goes through here: it carries any buffered index updates, and stamps when.</summary>
    private async Task Write()
    {
        var now = clock.GetUtcNow();
        state.State = state.State with { Issues = sweep.IfDue(state.State.Issues, now), WrittenUtc = now };
        await state.WriteStateAsync();
        Index.Written();
    }

    public Task<CellView?> Get() => Task.FromResult(View());

    public async Task<CellView> Define(CellDefinition definition)
    {
        if (definition.Code != Code) throw new ArgumentException($"Definition is for cell {definition.Code}, not {Code}.", nameof(definition));
        var ringError = Geometry.RingError(definition.Boundary);
        if (ringError is not null) throw new ArgumentException($"Cell {Code}: {ringError}", nameof(definition));

        // Register with the community first: a cell whose community refuses it is never stored.
        await GrainFactory.GetGrain<ICommunityGrain>(GridCodes.CommunityOf(Code)).AddCell(Code);
        if (state.State.Definition is not { } current || !current.SameAs(definition))
        {
            state.State = state.State with
            {
                Definition = definition,
                CreatedUtc = state.State.Definition is null ? clock.GetUtcNow() : state.State.CreatedUtc,
            };
            await Write();
        }
        return View()!;
    }

    public async Task<ImmutableArray<HouseholdId>> ClaimHouseholdIds(ImmutableArray<string> addresses)
    {
        if (state.State.Definition is null) throw new InvalidOperationException($"Cell {Code} is not defined.");
        var byAddress = state.State.HouseholdsByAddress;
        var last = state.State.LastHouseholdNumber;
        var ids = ImmutableArray.CreateBuilder<HouseholdId>(addresses.Length);
        foreach (var address in addresses)
        {
            if (!byAddress.TryGetValue(address, out var id))
            {
                id = HouseholdId.Of(CellCode.Parse(Code), ++last).Value;
                byAddress = byAddress.Add(address, id);
            }
            ids.Add(HouseholdId.Parse(id));
        }
        if (last != state.State.LastHouseholdNumber)
        {
            state.State = state.State with { HouseholdsByAddress = byAddress, LastHouseholdNumber = last };
            await Write();
        }
        return ids.MoveToImmutable();
    }

    public Task<ImmutableDictionary<string, string>> HouseholdIdsByAddress() => Task.FromResult(state.State.HouseholdsByAddress);

    public async Task PlaceMember(MemberId member)
    {
        if (state.State.Members.Contains(member.Value)) return;
        state.State = state.State with { Members = state.State.Members.Add(member.Value) };
        await Write();
    }

    public async Task RemoveMember(MemberId member)
    {
        if (!state.State.Members.Contains(member.Value)) return;
        state.State = state.State with { Members = state.State.Members.Remove(member.Value) };
        await Write();
    }

    public async Task WatchVisits(HouseholdId household, int? intervalDays, DateTimeOffset sinceUtc)
    {
        var watch = state.State.VisitWatch;
        var wanted = intervalDays is { } days ? new VisitWatch { IntervalDays = days, SinceUtc = sinceUtc } : null;
        if (watch.GetValueOrDefault(household.Value) == wanted) return;
        state.State = state.State with { VisitWatch = wanted is null ? watch.Remove(household.Value) : watch.SetItem(household.Value, wanted) };
        await Write();
    }

    public Task<ImmutableArray<VisitDue>> VisitsDue()
    {
        var now = clock.GetUtcNow();
        return Task.FromResult<ImmutableArray<VisitDue>>([.. state.State.VisitWatch
            .Select(w => new VisitDue { HouseholdId = w.Key, IntervalDays = w.Value.IntervalDays, DueUtc = VisitRule.DueUtc(w.Value.IntervalDays, w.Value.SinceUtc) })
            .Where(d => d.DueUtc < now)
            .OrderBy(d => d.DueUtc)]);
    }

    public async Task<string> NextAssignmentId(int year)
    {
        var number = state.State.AssignmentYear == year ? state.State.LastAssignmentNumber + 1 : 1;
        state.State = state.State with { AssignmentYear = year, LastAssignmentNumber = number };
        await Write();
        return AssignmentId.InCell(CellCode.Parse(Code), year, number).Value;
    }

    public async Task SetGridWorker(GridWorkerRef worker, bool assigned)
    {
        if (state.State.Definition is not { } definition) throw new InvalidOperationException($"Cell {Code} is not defined.");
        var others = definition.GridWorkers.Where(w => w.Username != worker.Username);
        var workers = assigned ? [.. others, worker] : others.ToImmutableArray();
        if (workers.SequenceEqual(definition.GridWorkers)) return;
        state.State = state.State with { Definition = definition with { GridWorkers = workers } };
        await Write();
    }

    public async Task<string> NextIssueId(int year)
    {
        var number = state.State.IssueYear == year ? state.State.LastIssueNumber + 1 : 1;
        state.State = state.State with { IssueYear = year, LastIssueNumber = number };
        await Write();
        return IssueId.Of(CellCode.Parse(Code), year, number).Value;
    }

    public Task UpdateIssue(IssueSummary summary)
    {
        var issues = IssueIndex.Apply(state.State.Issues, summary, out var changed);
        if (!changed) return Task.CompletedTask;
        // Index and status are written a moment later with the updates around them (IndexWriteBehind).
        var status = CellStatusRule.Of(issues.Values, clock.GetUtcNow());
        var published = state.State.LastPublishedStatus;
        state.State = state.State with { Issues = issues, LastPublishedStatus = status };
        Index.Changed();
        if (status != published) PublishStatus(status);
        return Task.CompletedTask;
    }

    public Task<ImmutableArray<IssueSummary>> OpenIssues() => Task.FromResult(IssueIndex.Open(state.State.Issues));

    public async Task ResetIssueIndex()
    {
        state.State = state.State with { Issues = ImmutableDictionary<string, IssueSummary>.Empty };
        await Write();
    }

    public async Task<CellStatus> RefreshStatus()
    {
        var status = CellStatusRule.Of(state.State.Issues.Values, clock.GetUtcNow());
        if (status != state.State.LastPublishedStatus)
        {
            state.State = state.State with { LastPublishedStatus = status };
            await Write();
            PublishStatus(status);
        }
        return status;
    }

    private void PublishStatus(CellStatus status) => live.Publish(CellStatusChanged.Of(CellCode.Parse(Code), status, clock.GetUtcNow()));


    private CellView? View() => state.State.Definition is { } definition
        ? new CellView
        {
            Status = CellStatusRule.Of(state.State.Issues.Values, clock.GetUtcNow()),
            OpenIssueCount = state.State.Issues.Values.Count(i => i.IsOpen),
            Definition = definition,
            CommunityCode = GridCodes.CommunityOf(Code),
            Centre = Geometry.Centroid(definition.Boundary),
            HouseholdCount = state.State.HouseholdsByAddress.Count,
            MemberIds = [.. state.State.Members],
            CreatedUtc = state.State.CreatedUtc,
        }
        : null;
}
