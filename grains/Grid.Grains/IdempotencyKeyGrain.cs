using Grid.Contracts;

namespace Grid.Grains;

[GenerateSerializer, Alias("grid.state.IdempotencyKey")]
public sealed record IdempotencyKeyState
{
    [Id(0)] public string? Fingerprint { get; init; }
    [Id(1)] public string? IssueId { get; init; }
}

public sealed class IdempotencyKeyGrain(
    [PersistentState(GridStorage.IdempotencyKey, GridStorage.Provider)] IPersistentState<IdempotencyKeyState> state,
    TimeProvider clock)
    : Grain, IIdempotencyKeyGrain
{
    public async Task<IssueResult?> ReportIssue(string fingerprint, IssueReport report, string reportedBy, string reporterDisplayName)
    {
        if (state.State.IssueId is null)
        {
            var id = await IssueIds.Next(GrainFactory, report.CellCode, clock.GetUtcNow());
            state.State = new IdempotencyKeyState { Fingerprint = fingerprint, IssueId = id };
            await state.WriteStateAsync();
        }
        else if (state.State.Fingerprint != fingerprint)
        {
            return null;
        }
        return await GrainFactory.GetGrain<IIssueGrain>(state.State.IssueId).Report(report, reportedBy, reporterDisplayName);
    }
}
