using Grid.Contracts;

namespace Grid.Grains.Issues;

/// <summary>
/// Rebuilds a community's issue indexes (its own and its cells') from the issue grains, which
/// are the truth; the ledger only says which issues exist. For repair after a crash between an
/// issue's write and its index updates, or after an index was lost.
/// </summary>
public static class IssueIndexRebuild
{
    public static async Task<int> Run(IGrainFactory grains, IIssueLedger ledger, string communityCode)
    {
        var view = await grains.GetGrain<ICommunityGrain>(communityCode).Get() ?? throw new InvalidOperationException($"No community {communityCode}.");
        await grains.GetGrain<ICommunityIssuesGrain>(communityCode).ResetIssueIndex();
        foreach (var cell in view.CellCodes) await grains.GetGrain<IGridCellGrain>(cell).ResetIssueIndex();
        var issues = await ledger.CommunityIssues(communityCode, status: null, limit: int.MaxValue);
        foreach (var issue in issues) await grains.GetGrain<IIssueGrain>(issue.Id).Reindex();
        foreach (var cell in view.CellCodes) await grains.GetGrain<IGridCellGrain>(cell).RefreshStatus();
        return issues.Count;
    }
}
