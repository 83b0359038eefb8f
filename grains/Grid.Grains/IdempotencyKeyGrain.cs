using Grid.Contracts;

namespace Grid.Grains;

/// <summary>Stored as plain strings, so that a key written by any release reads back.</summary>
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
    public async Task<Outcome<IssueRecord>> ReportIssue(string fingerprint, IssueReport report, string reportedBy, string reporterDisplayName)
    {
        if (state.State.IssueId is null)
        {
            var id = await IssueIds.Next(GrainFactory, GridId.Parse<CellCode>(report.CellCode), clock.GetUtcNow());
            state.State = new IdempotencyKeyState { Fingerprint = fingerprint, IssueId = id.Value };
            await state.WriteStateAsync();
        }
        else if (state.State.Fingerprint != fingerprint)
        {
            return Outcome.KeyReused<IssueRecord>("该幂等键（Idempotency-Key）已用于另一条诉求：新的诉求请换一个新键。");
        }
        return await GrainFactory.Issue(GridId.Parse<IssueId>(state.State.IssueId)).Report(report, reportedBy, reporterDisplayName);
    }
}
