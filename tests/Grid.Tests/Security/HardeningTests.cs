using System.Net;
using System.Net.Http.Json;
using Grid.Tests.Api;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;

namespace Grid.Tests.Security;

[Collection(GridHostCollection.Name)]
[Trait("Tier", "Integration")]
public class HardeningTests(GridHost host)
{
    [Fact]
    public async Task Five_failed_sign_ins_lock_a_username_whether_or_not_it_exists()
    {
        foreach (var username in new[] { "committee-a", "no-such-user-" + Guid.NewGuid().ToString("N")[..6] })
        {
            var client = host.CreateClient();
            if (username == "committee-a")
            {
                // Its own login must keep working for the other tests: use a twin account.
                await (await host.As("root")).PutAsJsonAsync("/api/users/locked-twin", new
                {
                    displayName = "twin", role = "committee", communityCode = host.CommunityA, password = GridHost.Password,
                });
            }
            var name = username == "committee-a" ? "locked-twin" : username;
            for (var i = 0; i < 5; i++)
                await ProblemAssert.Is(await client.PostAsJsonAsync("/api/auth/token", new { username = name, password = "wrong-password" }), 401);
            var locked = await ProblemAssert.Is(await client.PostAsJsonAsync("/api/auth/token", new { username = name, password = GridHost.Password }), 429);
            Assert.Contains("之后再试", locked.GetProperty("detail").GetString());
        }
    }

    [Fact]
    public async Task Answers_carry_security_headers_and_pages_may_load_scripts_only_from_Grid()
    {
        foreach (var path in new[] { "/health/live", "/api/communities" })
        {
            var response = await host.CreateClient().GetAsync(path);
            Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
            Assert.Equal("DENY", response.Headers.GetValues("X-Frame-Options").Single());
            Assert.Equal("no-referrer", response.Headers.GetValues("Referrer-Policy").Single());
            var csp = response.Headers.GetValues("Content-Security-Policy").Single();
            Assert.Contains("script-src 'self'", csp);
            Assert.Contains("frame-ancestors 'none'", csp);
        }
    }

    [Fact]
    public async Task Cross_origin_calls_are_not_allowed()
    {
        var preflight = new HttpRequestMessage(HttpMethod.Options, "/api/communities");
        preflight.Headers.Add("Origin", "http://elsewhere.example");
        preflight.Headers.Add("Access-Control-Request-Method", "GET");
        var response = await host.CreateClient().SendAsync(preflight);
        Assert.False(response.Headers.Contains("Access-Control-Allow-Origin"));
        var get = new HttpRequestMessage(HttpMethod.Get, "/health/live");
        get.Headers.Add("Origin", "http://elsewhere.example");
        Assert.False((await host.CreateClient().SendAsync(get)).Headers.Contains("Access-Control-Allow-Origin"));
    }

    [Fact]
    public async Task Positions_must_lie_in_their_cell_and_cells_near_their_community()
    {
        var admin = await host.As("root");
        await ProblemAssert.NamesField(await admin.PostAsJsonAsync("/api/households", new
        {
            cellCode = host.CellA1, address = "远处1号", location = new { lng = 121.5, lat = 31.2 },
        }), "location");
        await ProblemAssert.NamesField(await admin.PostAsJsonAsync("/api/issues", new
        {
            cellCode = host.CellA1, categoryCode = "10.01", title = "位置不对", location = new { lng = 120.5, lat = 30.71 },
        }), "location");
        var inside = await admin.PostAsJsonAsync("/api/households", new { cellCode = host.CellA1, address = "近处1号", location = new { lng = 120.4215, lat = 30.7115 } });
        Assert.Equal(HttpStatusCode.Created, inside.StatusCode);

        var far = TestData.Square(120.80, 30.71).Select(p => new[] { p.Lng, p.Lat }).ToArray(); // ~37 km east
        var problem = await ProblemAssert.Is(await admin.PostAsJsonAsync("/api/import/cells", new
        {
            type = "FeatureCollection",
            features = new[] { new { type = "Feature", properties = new { code = host.CommunityA + "019", name = "远格" }, geometry = new { type = "Polygon", coordinates = new[] { far } } } },
        }), 422);
        Assert.Contains("公里", problem.GetProperty("rowErrors")[0].GetProperty("error").GetString());
    }
}

[Trait("Tier", "Integration")]
public class RateLimitTests
{
    private sealed class TightHost(string data) : WebApplicationFactory<Program>
    {
        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            builder.UseSetting("Grid:DataDirectory", data);
            builder.UseSetting("Grid:Seed:Demo", "false");
            builder.UseSetting("Grid:SiloPort", TestData.FreeTcpPort().ToString());
            builder.UseSetting("Grid:RateLimits:TokenPerMinute", "3");
        }
    }

    [Fact]
    public async Task The_token_endpoint_answers_429_once_an_address_has_used_its_minute()
    {
        await using var host = new TightHost(TestData.TempDirectory("ratelimit"));
        var client = host.CreateClient();
        var statuses = new List<int>();
        for (var i = 0; i < 4; i++)
            statuses.Add((int)(await client.PostAsJsonAsync("/api/auth/token", new { username = $"user{i}", password = "whatever-it-is" })).StatusCode);
        Assert.Equal([401, 401, 401, 429], statuses);
        var limited = await ProblemAssert.Is(await client.PostAsJsonAsync("/api/auth/token", new { username = "x", password = "y" }), 429);
        Assert.Contains("请等一分钟后再试", limited.GetProperty("detail").GetString());
    }
}
