using System.Security.Cryptography;
using System.Text.Json;
using Grid.Contracts;
using Orleans.Concurrency;

namespace Grid.Grains.Issues;

/// <summary>
/// Reporting an issue, written once for every adapter. Stateless: the decisions read the catalog
/// and the cell, and what must happen once (the id for an Idempotency-Key) is kept by the key's grain.
/// </summary>
// Reentrant: it keeps nothing between calls, so one activation may wait on many grains at once;
// without it a node's few activations take one report at a time and every other waits in line.
[StatelessWorker, Reentrant]
public sealed class IssueIntakeGrain(TimeProvider clock) : Grain, IIssueIntakeGrain
{
    public const int MaxIdempotencyKey = 100;

    public async Task<Outcome<IssueRecord>> Report(IssueReport report, IssueReporter reporter, string? idempotencyKey)
    {
        if (idempotencyKey is { Length: > MaxIdempotencyKey })
            return Outcome.Invalid<IssueRecord>("Idempotency-Key", $"幂等键（Idempotency-Key）最多 {MaxIdempotencyKey} 个字符。");
        if (!GridId.TryParse<CellCode>(report.CellCode, out var cellCode))
            return Outcome.Invalid<IssueRecord>("cellCode", CellCode.Error(report.CellCode)!);
        if (await GrainFactory.Cell(cellCode).Get() is not { } cell)
            return Outcome.Invalid<IssueRecord>("cellCode", $"没有网格「{cellCode}」。", "issue.cell");
        if (report.Location is { } at && !GeoDistance.InCell(at, cell.Definition.Boundary))
            return Outcome.Invalid<IssueRecord>("location", $"上报位置不在网格「{cell.Definition.Name}」（{cellCode}）内。", "issue.location");
        var category = await GrainFactory.GetGrain<ICategoryCatalogGrain>(ICategoryCatalogGrain.Key).Find(report.CategoryCode);
        if (category is not { ParentCode: not null })
            return Outcome.Invalid<IssueRecord>("categoryCode", $"没有诉求小类「{report.CategoryCode}」：请选一个小类，例如 10.01（见 GET /api/categories）。", "issue.category");

        if (string.IsNullOrEmpty(idempotencyKey))
            return await GrainFactory.Issue(await IssueIds.Next(GrainFactory, cellCode, clock.GetUtcNow())).Report(report, reporter.Username, reporter.DisplayName);
        // The fingerprint ties the key to this report: the same key with another report is refused.
        // Its bytes must not change between releases, or a retry across an upgrade would look like a new report.
        var fingerprint = Convert.ToHexString(SHA256.HashData(JsonSerializer.SerializeToUtf8Bytes(report)));
        return await GrainFactory.GetGrain<IIdempotencyKeyGrain>($"{reporter.Username}|{idempotencyKey}")
            .ReportIssue(fingerprint, report, reporter.Username, reporter.DisplayName);
    }
}
