using Grid.Contracts;

namespace Grid.Grains.Issues;

/// <summary>
/// One pass of the deadline watch over a community: escalate what is overdue, then recolour
/// the cells. Run from outside the grains (a hosted service, a test), because the issues report
/// back to the community grain as they change.
/// </summary>
public static class DeadlineCheck
{
    public static async Task<int> Run(IGrainFactory grains, string communityCode)
    {
        var candidates = await grains.GetGrain<ICommunityIssuesGrain>(communityCode).DeadlineCandidates();
        foreach (var id in candidates.IssueIds) await grains.GetGrain<IIssueGrain>(id).CheckDeadlines();
        foreach (var cell in candidates.CellCodes) await grains.GetGrain<IGridCellGrain>(cell).RefreshStatus();
        return candidates.IssueIds.Length;
    }
}
