using Grid.Contracts;
using Grid.Grains;
using Grid.Grains.Issues;
using Grid.Tests.Grains;

namespace Grid.Tests.Issues;

/// <summary>
/// Cells and communities hold issue index updates in memory and write them together (IndexWriteBehind).
/// A node that dies before that write must lose nothing: the next activation takes the updates back
/// from the ledger. Here a second cluster on the same storage and service id plays the restarted node,
/// while the first, which never wrote its updates, is left as a crash would leave it.
/// </summary>
[Trait("Tier", "Integration")]
public abstract class IndexWriteBehindSuite
{
    protected abstract Task<(TestStorage Storage, TestStorage Again)> Storage();

    private static readonly Action<IssueOptions> HoldLong = o => o.IndexWriteDelay = TimeSpan.FromHours(1);

    [Fact]
    public async Task Index_updates_not_yet_written_when_a_node_dies_are_taken_back_from_the_ledger()
    {
        var (storage, again) = await Storage();
        var serviceId = "grid-" + Guid.NewGuid().ToString("N")[..8];
        await using var first = await GridCluster.StartAsync(storage, serviceId: serviceId, issues: HoldLong);
        var community = TestData.NewCommunityCode();
        var cell = community + "001";
        await first.Grains.GetGrain<ICommunityGrain>(community).Define(TestData.Community(community));
        await first.Grains.GetGrain<IGridCellGrain>(cell).Define(TestData.Cell(cell));
        // Its first activation writes the index once, empty, for the stamp the catch-up starts from.
        await first.Grains.GetGrain<ICommunityIssuesGrain>(community).IssueCounters();
        var communityWrites = await storage.StateWrites(GridStorage.CommunityIssues);
        var cellWrites = await storage.StateWrites(GridStorage.Cell);

        var open = await Report(first.Grains, cell, "井盖缺失");
        var closed = await Report(first.Grains, cell, "路灯不亮");
        foreach (var action in new[] { IssueAction.Accept, IssueAction.Dispatch, IssueAction.Start, IssueAction.Resolve, IssueAction.Verify })
            await Step(first.Grains, closed, action);

        // Seven steps of two issues, and neither index has been written since: they are in memory only.
        Assert.Equal(communityWrites, await storage.StateWrites(GridStorage.CommunityIssues));
        Assert.Equal(cellWrites + 2, await storage.StateWrites(GridStorage.Cell)); // the two issue numbers, nothing else
        Assert.Equal([open], (await first.Grains.GetGrain<ICommunityIssuesGrain>(community).OpenIssues()).Select(i => i.Id));

        await using var second = await GridCluster.StartAsync(again, serviceId: serviceId, issues: HoldLong);
        var counters = await second.Grains.GetGrain<ICommunityIssuesGrain>(community).IssueCounters();
        Assert.Equal(1, counters.Open);
        Assert.Equal(2, counters.ReportedToday);
        Assert.Equal(1, counters.ClosedToday);
        Assert.Equal([open], (await second.Grains.GetGrain<ICommunityIssuesGrain>(community).OpenIssues()).Select(i => i.Id));
        Assert.Equal([open], (await second.Grains.GetGrain<IGridCellGrain>(cell).OpenIssues()).Select(i => i.Id));
        // What was taken back is written at once, not held again.
        Assert.True(await storage.StateWrites(GridStorage.CommunityIssues) > communityWrites);
    }

    [Fact]
    public async Task Held_updates_are_written_within_the_delay_without_another_step()
    {
        var (storage, again) = await Storage();
        await again.DisposeAsync();
        await using var cluster = await GridCluster.StartAsync(storage, issues: o => o.IndexWriteDelay = TimeSpan.FromMilliseconds(200));
        var community = TestData.NewCommunityCode();
        var cell = community + "001";
        await cluster.Grains.GetGrain<ICommunityGrain>(community).Define(TestData.Community(community));
        await cluster.Grains.GetGrain<IGridCellGrain>(cell).Define(TestData.Cell(cell));
        await cluster.Grains.GetGrain<ICommunityIssuesGrain>(community).IssueCounters();
        var before = await storage.StateWrites(GridStorage.CommunityIssues);

        await Report(cluster.Grains, cell, "井盖缺失");

        // Waits for the timer's write; the bound is only there so that a broken timer fails instead of hanging.
        for (var tries = 0; tries < 300 && await storage.StateWrites(GridStorage.CommunityIssues) == before; tries++) await Task.Delay(100);
        Assert.Equal(before + 1, await storage.StateWrites(GridStorage.CommunityIssues));
    }

    private static async Task<string> Report(IGrainFactory grains, string cell, string title)
    {
        var id = await IssueIds.Next(grains, GridId.Parse<CellCode>(cell), DateTimeOffset.UtcNow);
        var result = await grains.Issue(id).Report(new IssueReport { CellCode = cell, CategoryCode = "10.03", Title = title }, "committee", "党委");
        Assert.Equal(OutcomeKind.Created, result.Kind);
        return id.Value;
    }

    private static async Task Step(IGrainFactory grains, string id, IssueAction action)
    {
        var result = await grains.GetGrain<IIssueGrain>(id).Execute(new IssueCommand
        {
            Action = action, Actor = "committee", Note = "ok", Passed = true,
            Assignee = action == IssueAction.Dispatch ? new Assignee { Kind = AssigneeKind.GridWorker, Id = "worker01", Name = "王芳" } : null,
        });
        Assert.True(result.Kind == OutcomeKind.Done, result.Message);
    }
}

public sealed class IndexWriteBehindTests : IndexWriteBehindSuite
{
    protected override Task<(TestStorage, TestStorage)> Storage()
    {
        var directory = TestData.TempDirectory("write-behind");
        return Task.FromResult<(TestStorage, TestStorage)>((TestStorage.Sqlite(directory), TestStorage.Sqlite(directory)));
    }
}

public sealed class IndexWriteBehindTestsOnPostgres : IndexWriteBehindSuite
{
    protected override async Task<(TestStorage, TestStorage)> Storage()
    {
        var storage = (PostgresTestStorage)await TestStorage.Postgres("write-behind");
        // The second cluster's storage only borrows the database: the first drops it when it is done.
        return (storage, new PostgresTestStorage(storage.ConnectionString, ownsDatabase: false));
    }
}
