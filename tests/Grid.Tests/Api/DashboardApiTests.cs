using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Grid.Api.Dashboard;

namespace Grid.Tests.Api;

[Collection(GridHostCollection.Name)]
public sealed class DashboardApiTests(GridHost host) : DashboardApiSuite(host);

[Collection(PostgresGridHostCollection.Name)]
public sealed class DashboardApiTestsOnPostgres(PostgresGridHost host) : DashboardApiSuite(host);

[Trait("Tier", "Integration")]
public abstract class DashboardApiSuite(GridHost host)
{
    [Fact]
    public async Task The_map_has_no_tiles_unless_configured()
    {
        using var committee = await host.As("committee-a");
        var config = await committee.GetFromJsonAsync<JsonElement>("/api/dashboard/config");
        Assert.Equal("", config.GetProperty("tileUrl").GetString());
        Assert.Equal("", config.GetProperty("tileAttribution").GetString());
        await ProblemAssert.Is(await host.CreateClient().GetAsync("/api/dashboard/config"), 401);
    }

    [Theory]
    [InlineData("http://t{s}.tianditu.gov.cn/vec_w/wmts?SERVICE=WMTS&REQUEST=GetTile&VERSION=1.0.0&LAYER=vec&STYLE=default&TILEMATRIXSET=w&FORMAT=tiles&TILEMATRIX={z}&TILEROW={y}&TILECOL={x}&tk=abc", "01234567", null)]
    [InlineData("https://tiles.example.gov.cn/{z}/{x}/{y}.png", "", null)]
    [InlineData("", "", null)]
    [InlineData("ftp://tiles.example.gov.cn/{z}/{x}/{y}.png", "", "http or https")]
    [InlineData("https://tiles.example.gov.cn/{z}/{x}.png", "", "{z}, {x} and {y}")]
    [InlineData("https://tiles.example.gov.cn/{z}/{x}/{y}.png?key={key}", "", "only placeholders")]
    [InlineData("/tiles/{z}/{x}/{y}.png", "", "http or https")]
    [InlineData("https://tiles.example.gov.cn/{z}/{x}/{y}.png", "abc", "needs a Grid:Map:TileUrl with {s}")]
    public void A_tile_url_is_an_http_template_with_z_x_and_y(string url, string subdomains, string? error)
    {
        var errors = new MapOptions { TileUrl = url, TileSubdomains = subdomains }.Errors().ToList();
        if (error is null) Assert.Empty(errors);
        else Assert.Contains(errors, e => e.Contains(error));
    }

    [Theory]
    [InlineData("http://t{s}.tianditu.gov.cn/vec_w/wmts?TILEMATRIX={z}&TILEROW={y}&TILECOL={x}&tk=abc", "http://*.tianditu.gov.cn")]
    [InlineData("https://tiles.example.gov.cn:8443/{z}/{x}/{y}.png", "https://tiles.example.gov.cn:8443")]
    [InlineData("https://{s}.tile.example.gov.cn/{z}/{x}/{y}.png", "https://*.tile.example.gov.cn")]
    [InlineData("", null)]
    public void The_content_security_policy_allows_images_from_the_tile_server_and_its_subdomains(string url, string? source) =>
        Assert.Equal(source, MapOptions.TileSource(url));

    [Fact]
    public async Task Orleans_dashboard_is_for_administrators_through_a_short_lived_cookie_of_its_own()
    {
        // A page navigation carries no bearer token: without the cookie, a 401 problem that says how to get in.
        var anonymous = await ProblemAssert.Is(await host.CreateClient().GetAsync("/orleans/"), 401);
        Assert.Contains("orleans-session", anonymous.GetProperty("detail").GetString());
        using var admin = await host.As("root");
        await ProblemAssert.Is(await admin.GetAsync("/orleans/"), 401); // the bearer token is not the dashboard's cookie

        using var committee = await host.As("committee-a");
        await ProblemAssert.Is(await committee.PostAsync("/api/dashboard/orleans-session", null), 403);

        var session = await admin.PostAsync("/api/dashboard/orleans-session", null);
        session.EnsureSuccessStatusCode();
        var body = await session.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("/orleans/", body.GetProperty("url").GetString());
        Assert.Equal(1800, body.GetProperty("expiresIn").GetInt32());
        var setCookie = Assert.Single(session.Headers.GetValues("Set-Cookie"));
        Assert.StartsWith("grid_orleans=", setCookie);
        foreach (var attribute in new[] { "path=/orleans", "httponly", "samesite=strict", "max-age=1800" })
            Assert.Contains(attribute, setCookie, StringComparison.OrdinalIgnoreCase);
        var cookie = setCookie.Split(';')[0];
        var token = cookie["grid_orleans=".Length..];

        var page = await Get("/orleans/", cookie);
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Equal("text/html", page.Content.Headers.ContentType?.MediaType);
        var counters = await Get("/orleans/DashboardCounters", cookie);
        Assert.Equal(HttpStatusCode.OK, counters.StatusCode);
        Assert.True((await counters.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("hosts").GetArrayLength() >= 1);

        // The cookie's token opens nothing under /api, and another token in the cookie opens nothing here.
        var client = host.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        await ProblemAssert.Is(await client.GetAsync("/api/me"), 401);
        await ProblemAssert.Is(await Get("/orleans/", "grid_orleans=" + await host.Token("root")), 401);

        // Signing out removes the cookie.
        var closed = await admin.DeleteAsync("/api/dashboard/orleans-session");
        Assert.Equal(HttpStatusCode.NoContent, closed.StatusCode);
        Assert.Contains("expires=Thu, 01 Jan 1970", Assert.Single(closed.Headers.GetValues("Set-Cookie")), StringComparison.OrdinalIgnoreCase);
    }

    private async Task<HttpResponseMessage> Get(string path, string cookie)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Add("Cookie", cookie);
        return await host.CreateClient().SendAsync(request);
    }
}
