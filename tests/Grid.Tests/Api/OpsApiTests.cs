using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace Grid.Tests.Api;

/// <summary>GET /api/ops/node and POST /api/ops/node/gc: this node's memory, activations and grain calls, for administrators.</summary>
[Collection(GridHostCollection.Name)]
[Trait("Tier", "Integration")]
public sealed class OpsApiTests(GridHost host)
{
    [Fact]
    public async Task Node_figures_count_the_activations_and_calls_a_read_causes()
    {
        var admin = await host.As("root");
        var committee = await host.As("committee-a");
        var created = await committee.PostAsJsonAsync("/api/households", new { cellCode = host.CellA2, address = $"运维楼{Guid.NewGuid():N}" });
        var id = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString();

        var before = await admin.GetFromJsonAsync<JsonElement>("/api/ops/node");
        for (var i = 0; i < 3; i++) (await admin.GetAsync($"/api/households/{id}")).EnsureSuccessStatusCode();
        var after = await admin.GetFromJsonAsync<JsonElement>("/api/ops/node");

        static long Calls(JsonElement m) => m.GetProperty("grainCallsByGrainType").TryGetProperty("household", out var n) ? n.GetInt64() : 0;
        Assert.Equal(3, Calls(after) - Calls(before));
        Assert.True(after.GetProperty("activationsByGrainType").GetProperty("household").GetInt64() >= 1);
        Assert.Equal(after.GetProperty("activationsByGrainType").EnumerateObject().Sum(p => p.Value.GetInt64()), after.GetProperty("activations").GetInt64());
        Assert.True(after.GetProperty("managedHeapBytes").GetInt64() > 1_000_000);
        Assert.True(after.GetProperty("workingSetBytes").GetInt64() > after.GetProperty("managedHeapBytes").GetInt64());

        var collected = await admin.PostAsync("/api/ops/node/gc", null);
        Assert.Equal(HttpStatusCode.OK, collected.StatusCode);
        var figures = await collected.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(figures.GetProperty("gen2Collections").GetInt32() > after.GetProperty("gen2Collections").GetInt32());
    }

    [Fact]
    public async Task Only_administrators_read_node_figures_and_refusals_are_problems()
    {
        await ProblemAssert.Is(await (await host.As("committee-a")).GetAsync("/api/ops/node"), 403);
        await ProblemAssert.Is(await host.CreateClient().GetAsync("/api/ops/node"), 401);
        await ProblemAssert.Is(await (await host.As("worker-a1")).PostAsync("/api/ops/node/gc", null), 403);
    }
}
