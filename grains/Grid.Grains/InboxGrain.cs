using System.Collections.Immutable;
using Grid.Contracts;
using Grid.Grains.Issues;

namespace Grid.Grains;

public sealed class InboxGrain(
    [PersistentState(GridStorage.Inbox, GridStorage.Provider)] IPersistentState<InboxState> state,
    TimeProvider clock)
    : Grain, IInboxGrain
{
    private readonly TombstoneSweep sweep = new();

    public Task<ImmutableArray<IssueSummary>> Items() => Task.FromResult(IssueIndex.Open(state.State.Issues));

    public async Task Update(IssueSummary summary, bool assignedHere)
    {
        if (!assignedHere && !state.State.Issues.ContainsKey(summary.Id)) return;
        // Handed to someone else: kept as a closed tombstone, so a late update cannot bring it back here.
        var entry = assignedHere ? summary : summary with { Status = IssueStatus.Closed };
        var issues = IssueIndex.Apply(state.State.Issues, entry, out var changed);
        if (!changed) return;
        state.State = new InboxState { Issues = sweep.IfDue(issues, clock.GetUtcNow()) };
        await state.WriteStateAsync();
    }
}
