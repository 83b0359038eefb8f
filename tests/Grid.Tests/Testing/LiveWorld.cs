using System.Net.Http.Json;
using Grid.Contracts;

namespace Grid.Tests.Testing;

/// <summary>A community, its cells, its committee and a grid worker, all made through a node's API.</summary>
public static class LiveWorld
{
    public const string Committee = "committee-live";
    public const string Worker = "worker-live";
    public const string WorkerName = "王网格";
    /// <summary>A Party member placed in the first cell; the dashboard may show the name (public card), never the phone.</summary>
    public const string MemberName = "李红";
    public const string MemberPhone = "13900001111";

    public static string CellCode(string community, int n) => $"{community}{n:D3}";

    public static async Task Build(KestrelNode node, string community, int cells, string communityName = "练溪社区")
    {
        using var admin = await node.As("root");
        await Ok(await admin.PutAsJsonAsync($"/api/communities/{community}", new { name = communityName, township = "练市镇", centre = new { lng = 120.43, lat = 30.71 } }));
        await AddCells(node, community, 1, cells);
        await Ok(await admin.PutAsJsonAsync($"/api/users/{Committee}", new
        {
            displayName = "练溪社区指挥中心", role = Roles.Committee, communityCode = community, password = KestrelNode.Password,
        }));
        await Ok(await admin.PostAsJsonAsync("/api/members", new
        {
            name = MemberName, phone = MemberPhone, communityCode = community, branch = "第一党支部", cellCode = CellCode(community, 1),
        }));
        await Ok(await admin.PutAsJsonAsync($"/api/users/{Worker}", new
        {
            displayName = WorkerName, role = Roles.GridWorker, communityCode = community, cellCodes = new[] { CellCode(community, 1) }, password = KestrelNode.Password,
        }));
    }

    /// <summary>Cells <paramref name="from"/>…<paramref name="from"/>+<paramref name="count"/>-1, side by side in a row of squares.</summary>
    public static async Task AddCells(KestrelNode node, string community, int from, int count)
    {
        using var admin = await node.As("root");
        var names = new[] { "第一网格", "第二网格", "第三网格", "第四网格", "第五网格", "第六网格", "第七网格", "第八网格" };
        var features = Enumerable.Range(from, count).Select(n => new
        {
            type = "Feature",
            properties = new { code = CellCode(community, n), name = n <= names.Length ? names[n - 1] : $"第{n}网格" },
            geometry = new { type = "Polygon", coordinates = new[] { TestData.Square(120.410 + 0.004 * ((n - 1) % 4), 30.705 + 0.004 * ((n - 1) / 4)).Select(p => new[] { p.Lng, p.Lat }).ToArray() } },
        });
        await Ok(await admin.PostAsJsonAsync("/api/import/cells", new { type = "FeatureCollection", features }));
    }

    public static async Task<string> Report(HttpClient client, string cellCode, string categoryCode, string title)
    {
        var response = await client.PostAsJsonAsync("/api/issues", new
        {
            cellCode, categoryCode, title, description = title + "，请尽快处理", reporterName = "张阿姨", reporterPhone = "13812345678",
        });
        var body = await response.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>();
        Assert.True(response.IsSuccessStatusCode, $"report: {(int)response.StatusCode} {body}");
        return body.GetProperty("id").GetString()!;
    }

    public static async Task Ok(HttpResponseMessage response)
    {
        Assert.True(response.IsSuccessStatusCode,
            $"{response.RequestMessage?.Method} {response.RequestMessage?.RequestUri?.PathAndQuery}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
    }
}
