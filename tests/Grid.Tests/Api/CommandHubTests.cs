using System.Net.Http.Json;
using System.Text.Json;
using Grid.Tests.Live;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;

namespace Grid.Tests.Api;

/// <summary>The command hub through the real host with the real .NET SignalR client: scope, snapshot, deltas, reconnect.</summary>
[Collection(GridHostCollection.Name)]
public sealed class CommandHubTests(GridHost host) : CommandHubSuite(host);

[Collection(PostgresGridHostCollection.Name)]
public sealed class CommandHubTestsOnPostgres(PostgresGridHost host) : CommandHubSuite(host);

[Trait("Tier", "Integration")]
public abstract class CommandHubSuite(GridHost host)
{
    private static readonly TimeSpan Soon = TimeSpan.FromSeconds(10);

    private async Task<string> Report(string cell, string title)
    {
        using var committee = await host.As("committee-a");
        return await LiveWorld.Report(committee, cell, "10.01", title);
    }

    private async Task<string> StatusOf(string cell)
    {
        using var committee = await host.As("committee-a");
        var view = await committee.GetFromJsonAsync<JsonElement>($"/api/cells/{cell}");
        return view.GetProperty("status").GetString()!;
    }

    [Fact]
    public async Task A_client_gets_a_snapshot_on_joining_deltas_after_and_a_fresh_snapshot_after_a_reconnect()
    {
        await using var probe = await LiveProbe.Join(await host.Hub("committee-a"), host.CommunityA);
        var snapshot = probe.Seen.Single(m => m.Method == "snapshot").Message;
        Assert.Equal(host.CommunityA, snapshot.GetProperty("communityCode").GetString());
        var cells = snapshot.GetProperty("cells").EnumerateArray().ToDictionary(c => c.GetProperty("cellCode").GetString()!, c => c.GetProperty("status").GetString());
        Assert.Equal([host.CellA1, host.CellA2], cells.Keys.Order());
        Assert.Equal(await StatusOf(host.CellA1), cells[host.CellA1]);
        var open = snapshot.GetProperty("counters").GetProperty("open").GetInt32();
        Assert.Equal(JsonValueKind.Null, snapshot.GetProperty("counters").GetProperty("redSaturday").ValueKind);

        // A delta: the ticker line, and the counters with one more open issue.
        var id = await Report(host.CellA2, "路灯不亮");
        var line = await probe.WaitFor("event", m => m.GetProperty("issueId").GetString() == id, Soon);
        Assert.Equal(host.CellA2, line.GetProperty("cellCode").GetString());
        Assert.Contains("路灯不亮", line.GetProperty("text").GetString());
        await probe.WaitFor("counters", m => m.GetProperty("open").GetInt32() == open + 1, Soon);

        // Disconnected while something changes: the snapshot after reconnecting has it.
        await probe.Hub.StopAsync();
        await Report(host.CellA1, "井盖缺失");
        await probe.Hub.StartAsync();
        var again = await probe.JoinAgain(host.CommunityA);
        Assert.Equal(open + 2, again.GetProperty("counters").GetProperty("open").GetInt32());
        var a1 = again.GetProperty("cells").EnumerateArray().Single(c => c.GetProperty("cellCode").GetString() == host.CellA1);
        Assert.Equal(await StatusOf(host.CellA1), a1.GetProperty("status").GetString());
        Assert.NotEqual("normal", a1.GetProperty("status").GetString()); // an issue awaiting acceptance draws attention
    }

    [Fact]
    public async Task A_burst_of_reports_reaches_a_dashboard_as_batch_frames_carrying_several_messages_each()
    {
        await using var probe = await LiveProbe.Join(await host.Hub("committee-a"), host.CommunityA);
        var ids = await Task.WhenAll(Enumerable.Range(0, 5).Select(i => Report(i % 2 == 0 ? host.CellA1 : host.CellA2, $"批量上报{i}")));
        foreach (var id in ids) await probe.WaitFor("event", m => m.GetProperty("issueId").GetString() == id, Soon);
        // Every ticker line, cell colour and counter update of the burst arrived, in fewer frames than messages.
        var messages = probe.Seen.Count(m => m.Method != "snapshot");
        Assert.Equal(messages, probe.Frames.Sum());
        Assert.True(probe.Frames.Count < messages, $"{probe.Frames.Count} frames for {messages} messages");
    }

    [Fact]
    public async Task Live_events_carry_no_residents_personal_data()
    {
        await using var probe = await LiveProbe.Join(await host.Hub("committee-a"), host.CommunityA);
        var id = await Report(host.CellA1, "楼道堆物"); // reported with 张阿姨, 13812345678
        await probe.WaitFor("event", m => m.GetProperty("issueId").GetString() == id, Soon);
        await probe.WaitFor("counters", _ => true, Soon);
        foreach (var (_, message) in probe.Seen)
        {
            Assert.DoesNotContain("13812345678", message.ToString());
            Assert.DoesNotContain("张阿姨", message.ToString());
        }
    }

    [Fact]
    public async Task A_client_joins_only_the_communities_its_role_allows()
    {
        await using var other = await host.Hub("committee-b");
        await other.StartAsync();
        var refused = await Assert.ThrowsAsync<HubException>(() => other.InvokeAsync("JoinCommunity", host.CommunityA));
        Assert.Contains("不在您的权限范围内", refused.Message);
        await other.InvokeAsync("JoinCommunity", host.CommunityB);

        foreach (var user in new[] { "worker-a1", "member-a", "scheduler-a", "root" })
        {
            await using var probe = await LiveProbe.Join(await host.Hub(user), host.CommunityA);
            Assert.Single(probe.Seen, m => m.Method == "snapshot");
        }

        await using var bad = await host.Hub("committee-a");
        await bad.StartAsync();
        await Assert.ThrowsAsync<HubException>(() => bad.InvokeAsync("JoinCommunity", "33050310100")); // not a community code
    }

    [Fact]
    public async Task The_hub_needs_a_token()
    {
        await using var anonymous = await host.Hub(null);
        await Assert.ThrowsAnyAsync<Exception>(() => anonymous.StartAsync());
    }
}
