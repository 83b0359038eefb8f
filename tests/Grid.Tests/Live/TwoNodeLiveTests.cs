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
/// (Which node a grain lands on is the cluster's placement; the test listens on the node it did not land on.)
/// </summary>
[Trait("Tier", "EndToEnd")]
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
    public async Task An_event_from_a_grain_on_one_node_reaches_a_SignalR_client_on_the_other()
    {
        // One cluster of two active silos, and both nodes registered for live events.
        var hosts = await a.Grains.GetGrain<IManagementGrain>(0).GetHosts(onlyActive: true);
        Assert.Equal(2, hosts.Count);
        Assert.Contains(SiloOf(b), hosts.Keys);
        await Eventually(async () => (await a.Grains.GetGrain<ILiveNodeRegistryGrain>(0).Nodes()).Length == 2, "both nodes registered");

        await LiveWorld.Build(a, community, cells: 8);
        // Where a cell grain is placed is the cluster's choice (under load it may put them all on one node): take the node
        // that holds the first cell as "home", and listen on the other one, whose hub can only have the event through the fan-out.
        var management = a.Grains.GetGrain<IManagementGrain>(0);
        var cell = LiveWorld.CellCode(community, 1);
        var silo = await management.GetActivationAddress(a.Grains.GetGrain<IGridCellGrain>(cell));
        Assert.True(silo == SiloOf(a) || silo == SiloOf(b), $"cell {cell} is active on neither node ({silo})");
        var (home, away) = silo == SiloOf(a) ? (a, b) : (b, a);

        // The batchers read the node list every second here: let any read before node B registered expire.
        await Task.Delay(TimeSpan.FromSeconds(1.5));
        await using var onAway = await LiveProbe.Join(await away.Hub(LiveWorld.Committee), community);
        await using var onHome = await LiveProbe.Join(await home.Hub(LiveWorld.Committee), community);

        // Any node answers any request: report through the other node; the cell grain at home turns the cell amber.
        using var committeeAway = await away.As(LiveWorld.Committee);
        var issueId = await LiveWorld.Report(committeeAway, cell, "10.03", "5幢门口道路积水");

        var status = await onAway.WaitFor("cellStatus", m => m.GetProperty("cellCode").GetString() == cell, Soon);
        Assert.Equal("attention", status.GetProperty("status").GetString());
        Assert.Equal(community, status.GetProperty("communityCode").GetString());
        var line = await onAway.WaitFor("event", m => m.GetProperty("issueId").GetString() == issueId, Soon);
        Assert.Equal("issue", line.GetProperty("kind").GetString());
        Assert.DoesNotContain("13812345678", line.ToString());
        Assert.DoesNotContain("张阿姨", line.ToString());
        var counters = await onAway.WaitFor("counters", m => m.GetProperty("open").GetInt32() == 1, Soon);
        Assert.Equal(0, counters.GetProperty("overdue").GetInt32());
        // The home node's own clients see it too.
        await onHome.WaitFor("cellStatus", m => m.GetProperty("cellCode").GetString() == cell, Soon);

        // The cell grain that published was (and still is) on the home node.
        Assert.Equal(SiloOf(home), await management.GetActivationAddress(a.Grains.GetGrain<IGridCellGrain>(cell)));
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
