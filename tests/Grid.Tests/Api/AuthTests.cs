using System.Net.Http.Json;
using System.Text.Json;
using Grid.Contracts;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Grid.Tests.Api;

[Collection(GridHostCollection.Name)]
public sealed class AuthTests(GridHost host) : AuthSuite(host);

[Collection(PostgresGridHostCollection.Name)]
public sealed class AuthTestsOnPostgres(PostgresGridHost host) : AuthSuite(host);

[Trait("Tier", "Integration")]
public abstract class AuthSuite(GridHost host)
{
    [Fact]
    public async Task A_right_password_gets_a_bearer_token_for_a_working_shift()
    {
        var response = await host.CreateClient().PostAsJsonAsync("/api/auth/token", new { username = "committee-a", password = GridHost.Password });
        response.EnsureSuccessStatusCode();
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("Bearer", body.GetProperty("token_type").GetString());
        Assert.Equal(8 * 3600, body.GetProperty("expires_in").GetInt32());
        Assert.Equal(3, body.GetProperty("access_token").GetString()!.Split('.').Length);
    }

    [Fact]
    public async Task A_wrong_password_is_a_401_problem_that_does_not_say_which_part_was_wrong()
    {
        var wrong = await host.CreateClient().PostAsJsonAsync("/api/auth/token", new { username = "committee-a", password = "not-the-password" });
        var unknown = await host.CreateClient().PostAsJsonAsync("/api/auth/token", new { username = "nobody-here", password = "not-the-password" });
        var a = await ProblemAssert.Is(wrong, 401);
        var b = await ProblemAssert.Is(unknown, 401);
        Assert.Equal(a.GetProperty("detail").GetString(), b.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task A_token_request_without_a_username_names_the_field() =>
        await ProblemAssert.NamesField(await host.CreateClient().PostAsJsonAsync("/api/auth/token", new { password = "x" }), "username");

    [Fact]
    public async Task A_demo_account_cannot_sign_in_while_demo_seeding_is_off()
    {
        await host.Grains.GetGrain<IUserGrain>("demo-user").Save(new UserAccount
        {
            Username = "demo-user", DisplayName = "演示", Role = Roles.Admin, IsDemo = true,
            PasswordHash = Grid.Api.Auth.Passwords.Hash("demo-password"),
        });
        var response = await host.CreateClient().PostAsJsonAsync("/api/auth/token", new { username = "demo-user", password = "demo-password" });
        await ProblemAssert.Is(response, 401);
    }

    [Fact]
    public async Task A_forged_token_is_refused()
    {
        var client = host.CreateClient();
        client.DefaultRequestHeaders.Authorization = new("Bearer", "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJyb290Iiwicm9sZSI6ImFkbWluIn0.c2lnbmF0dXJl");
        var problem = await ProblemAssert.Is(await client.GetAsync("/api/communities"), 401);
        Assert.Contains("令牌无效", problem.GetProperty("detail").GetString());
    }

    /// <summary>Generated from the app's own endpoint list, so a new endpoint cannot slip in unprotected.</summary>
    [Fact]
    public async Task Every_api_endpoint_but_the_token_one_requires_a_token()
    {
        var endpoints = host.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Where(e => e.RoutePattern.RawText!.StartsWith("/api", StringComparison.Ordinal))
            .SelectMany(e => (e.Metadata.GetMetadata<Microsoft.AspNetCore.Routing.HttpMethodMetadata>()?.HttpMethods ?? ["GET"])
                .Select(m => (Method: m, Path: e.RoutePattern.RawText!)))
            .ToList();
        Assert.True(endpoints.Count >= 15, $"only {endpoints.Count} endpoints found");
        var client = host.CreateClient();
        foreach (var (method, pattern) in endpoints)
        {
            var path = System.Text.RegularExpressions.Regex.Replace(pattern, "{[^}]+}", "330503101001001");
            var response = await client.SendAsync(new HttpRequestMessage(new HttpMethod(method), path) { Content = JsonContent.Create(new { }) });
            var expected = path == "/api/auth/token" ? 400 : 401;
            Assert.True((int)response.StatusCode == expected, $"{method} {pattern}: {(int)response.StatusCode}");
        }
    }

    [Fact]
    public async Task Only_an_admin_may_create_logins()
    {
        var committee = await host.As("committee-a");
        var response = await committee.PutAsJsonAsync("/api/users/sneaky", new { displayName = "x", role = Roles.Admin, password = "0123456789ab" });
        await ProblemAssert.Is(response, 403);
    }

    [Fact]
    public async Task A_login_is_checked_before_it_is_saved()
    {
        var admin = await host.As("root");
        var response = await admin.PutAsJsonAsync("/api/users/Bad Name", new { displayName = "", role = "boss", password = "short" });
        var problem = await ProblemAssert.Is(response, 400);
        foreach (var field in new[] { "username", "displayName", "role", "password" })
            Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), field);
        var worker = await admin.PutAsJsonAsync("/api/users/worker-x", new
        {
            displayName = "x", role = Roles.GridWorker, communityCode = host.CommunityA, cellCodes = new[] { host.CellB1 }, password = "0123456789ab",
        });
        await ProblemAssert.NamesField(worker, "cellCodes[0]");
    }

    [Fact]
    public async Task Me_tells_a_caller_their_role_and_scope()
    {
        var me = await (await host.As("worker-a1")).GetFromJsonAsync<JsonElement>("/api/me");
        Assert.Equal(Roles.GridWorker, me.GetProperty("role").GetString());
        Assert.Equal(host.CellA1, me.GetProperty("cellCodes")[0].GetString());
        Assert.False(me.TryGetProperty("passwordHash", out _));
    }
}
