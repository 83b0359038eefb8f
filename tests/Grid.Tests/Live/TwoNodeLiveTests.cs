using System.Text.Json;
using Grid.Contracts;
using Grid.Grains.Live;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Runtime;

namespace Grid.Tests.Live;

/// <summary>
/// Two Grid nodes in one cluster (development clustering: the second names the first's silo
/// port as its primary; one SQLite data directory), each with its own Kestrel and SignalR hub.
/// A hub context reaches only its own node's clients, so an event reaching a client of the other
/// node has gone through the fan-out: the batcher of the grain's silo and the other node's observer.
/// </summary>
public sealed class TwoNodeLiveTests : IAsyncLifetime
{
    private static readonly TimeSpan Soon = TimeSpan.FromSeconds(15);
    private readonly string data = TestData.TempDirectory("two-nodes");
    private readonly string community = TestData.NewCommunityCode();
    private readonly Dictionary<string, string?> fastRefresh = new() { ["Grid:Live:NodeRefreshInterval"] = "00:00:01" };
    private KestrelNode a = null!;
    private KestrelNode b = null!;

    public async Task InitializeAsync()
    {
        a = await new KestrelNode(data, settings: fastRefresh).Started();
        b = await new KestrelNode(data, primarySiloPort: a.SiloPort, settings: fastRefresh).Started();
    }

    public async Task DisposeAsync()
    {
        if (b is not null) await b.DisposeAsync();
        if (a is not null) await a.DisposeAsync();
    }

    private static SiloAddress SiloOf(KestrelNode node) => node.Services.GetRequiredService<ILocalSiloDetails>().SiloAddress;

    [Fact]
    public async Task An_event_from_a_grain_on_node_A_reaches_a_SignalR_client_on_node_B()
    {
        // One cluster of two active silos, and both nodes registered for live events.
        var hosts = await a.Grains.GetGrain<IManagementGrain>(0).GetHosts(onlyActive: true);
        Assert.Equal(2, hosts.Count);
        Assert.Contains(SiloOf(b), hosts.Keys);
        await Eventually(async () => (await a.Grains.GetGrain<ILiveNodeRegistryGrain>(0).Nodes()).Length == 2, "both nodes registered");

        await LiveWorld.Build(a, community, cells: 8);
        // A cell grain activated on node A (placement is the cluster's; look it up, add cells if none landed there).
        var management = a.Grains.GetGrain<IManagementGrain>(0);
        string? cellOnA = null;
        for (var round = 0; cellOnA is null && round < 6; round++)
        {
            if (round > 0) await LiveWorld.AddCells(a, community, 1 + 8 * round, 8);
            foreach (var n in Enumerable.Range(1 + 8 * round, 8))
            {
                var code = LiveWorld.CellCode(community, n);
                if (await management.GetActivationAddress(a.Grains.GetGrain<IGridCellGrain>(code)) == SiloOf(a)) { cellOnA = code; break; }
            }
        }
        Assert.NotNull(cellOnA);

        // The batchers read the node list every second here: let any read before node B registered expire.
        await Task.Delay(TimeSpan.FromSeconds(1.5));
        await using var onB = await LiveProbe.Join(await b.Hub(LiveWorld.Committee), community);
        await using var onA = await LiveProbe.Join(await a.Hub(LiveWorld.Committee), community);

        // Any node answers any request: report through node B; the cell grain on A turns the cell amber.
        using var committeeOnB = await b.As(LiveWorld.Committee);
        var issueId = await LiveWorld.Report(committeeOnB, cellOnA!, "10.03", "5幢门口道路积水");

        var status = await onB.WaitFor("cellStatus", m => m.GetProperty("cellCode").GetString() == cellOnA, Soon);
        Assert.Equal("attention", status.GetProperty("status").GetString());
        Assert.Equal(community, status.GetProperty("communityCode").GetString());
        var line = await onB.WaitFor("event", m => m.GetProperty("issueId").GetString() == issueId, Soon);
        Assert.Equal("issue", line.GetProperty("kind").GetString());
        Assert.DoesNotContain("13812345678", line.ToString());
        Assert.DoesNotContain("张阿姨", line.ToString());
        var counters = await onB.WaitFor("counters", m => m.GetProperty("open").GetInt32() == 1, Soon);
        Assert.Equal(0, counters.GetProperty("overdue").GetInt32());
        // Node A's own clients see it too.
        await onA.WaitFor("cellStatus", m => m.GetProperty("cellCode").GetString() == cellOnA, Soon);

        // The cell grain that published was (and still is) on node A.
        Assert.Equal(SiloOf(a), await management.GetActivationAddress(a.Grains.GetGrain<IGridCellGrain>(cellOnA!)));
    }

    private static async Task Eventually(Func<Task<bool>> condition, string what)
    {
        var deadline = DateTime.UtcNow + Soon;
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline) Assert.Fail($"Not within {Soon}: {what}.");
            await Task.Delay(100);
        }
    }
}
