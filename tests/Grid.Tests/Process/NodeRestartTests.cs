using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;

namespace Grid.Tests.Process;

[Trait("Tier", "EndToEnd")]
public class NodeRestartTests
{
    private const string Password = "restart-test-password";

    private static async Task<HttpClient> SignIn(Uri address)
    {
        var http = new HttpClient { BaseAddress = address };
        var token = await (await http.PostAsJsonAsync("/api/auth/token", new { username = "root", password = Password }))
            .EnsureSuccessStatusCode().Content.ReadFromJsonAsync<JsonElement>();
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token.GetProperty("access_token").GetString());
        return http;
    }

    [Fact]
    public async Task A_household_written_before_SIGKILL_is_read_back_after_restart_on_the_same_data()
    {
        var data = TestData.TempDirectory("restart");
        var (httpPort, siloPort) = (TestData.FreeTcpPort(), TestData.FreeTcpPort());
        string[] settings = ["--Grid:Seed:Demo=false", "--Grid:Admin:Username=root", $"--Grid:Admin:Password={Password}"];
        var community = TestData.NewCommunityCode();
        var cell = community + "001";
        string id;
        string written;

        await using (var node = await NodeProcess.StartAsync(data, httpPort, siloPort, settings))
        {
            Assert.Contains($"Grid is running at http://127.0.0.1:{httpPort}", node.Output);
            var http = await SignIn(node.Address);
            (await http.PutAsJsonAsync($"/api/communities/{community}", new { name = "重启社区", centre = new { lng = 120.43, lat = 30.71 } })).EnsureSuccessStatusCode();
            var cells = new
            {
                type = "FeatureCollection",
                features = new[] { new { type = "Feature", properties = new { code = cell, name = "一格" },
                    geometry = new { type = "Polygon", coordinates = new[] { TestData.Square().Select(p => new[] { p.Lng, p.Lat }).ToArray() } } } },
            };
            (await http.PostAsJsonAsync("/api/import/cells", cells)).EnsureSuccessStatusCode();
            var created = await http.PostAsJsonAsync("/api/households", new
            {
                cellCode = cell, address = "重启楼1幢101室",
                residents = new[] { new { name = "冯卫东", phone = "13500001234", relation = "户主" } },
            });
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
            written = await created.Content.ReadAsStringAsync();
            id = JsonDocument.Parse(written).RootElement.GetProperty("id").GetString()!;
            node.Kill();
        }

        await using (var node = await NodeProcess.StartAsync(data, httpPort, siloPort, settings))
        {
            var http = await SignIn(node.Address);
            var read = await http.GetAsync($"/api/households/{id}");
            Assert.Equal(HttpStatusCode.OK, read.StatusCode);
            Assert.Equal(written, await read.Content.ReadAsStringAsync());
        }
    }

    [Fact]
    public async Task Issue_index_updates_held_at_SIGKILL_are_taken_back_from_the_ledger_after_restart()
    {
        var data = TestData.TempDirectory("restart-index");
        var (httpPort, siloPort) = (TestData.FreeTcpPort(), TestData.FreeTcpPort());
        // Cells and communities write their issue indexes behind; 30 s makes sure the SIGKILL comes first.
        string[] settings = ["--Grid:Seed:Demo=false", "--Grid:Admin:Username=root", $"--Grid:Admin:Password={Password}", "--Grid:Issues:IndexWriteDelay=00:00:30"];
        var community = TestData.NewCommunityCode();
        var cell = community + "001";
        string id;

        await using (var node = await NodeProcess.StartAsync(data, httpPort, siloPort, settings))
        {
            var http = await SignIn(node.Address);
            (await http.PutAsJsonAsync($"/api/communities/{community}", new { name = "重启社区", centre = new { lng = 120.43, lat = 30.71 } })).EnsureSuccessStatusCode();
            var cells = new
            {
                type = "FeatureCollection",
                features = new[] { new { type = "Feature", properties = new { code = cell, name = "一格" },
                    geometry = new { type = "Polygon", coordinates = new[] { TestData.Square().Select(p => new[] { p.Lng, p.Lat }).ToArray() } } } },
            };
            (await http.PostAsJsonAsync("/api/import/cells", cells)).EnsureSuccessStatusCode();
            var reported = await http.PostAsJsonAsync("/api/issues", new { cellCode = cell, categoryCode = "10.03", title = "道路积水" });
            Assert.Equal(HttpStatusCode.Created, reported.StatusCode);
            id = (await reported.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
            Assert.Equal(1, (await http.GetFromJsonAsync<JsonElement>($"/api/communities/{community}/issue-counters")).GetProperty("open").GetInt32());
            node.Kill();
        }

        await using (var node = await NodeProcess.StartAsync(data, httpPort, siloPort, settings))
        {
            var http = await SignIn(node.Address);
            var counters = await http.GetFromJsonAsync<JsonElement>($"/api/communities/{community}/issue-counters");
            Assert.Equal(1, counters.GetProperty("open").GetInt32());
            Assert.Equal(1, counters.GetProperty("awaitingAcceptance").GetInt32());
            var listed = await http.GetFromJsonAsync<JsonElement>($"/api/cells/{cell}/issues");
            Assert.Equal([id], listed.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("id").GetString()));
        }
    }
}
