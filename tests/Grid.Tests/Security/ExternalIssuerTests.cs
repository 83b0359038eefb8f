using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Claims;
using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Grid.Tests.Security;

/// <summary>
/// A stand-in for a government identity provider on loopback (the true boundary): it publishes
/// OpenID Connect metadata and a signing key, and signs tokens the way a real provider would.
/// </summary>
public sealed class FakeIdentityProvider : IAsyncDisposable
{
    private readonly RSA rsa = RSA.Create(2048);
    private WebApplication app = null!;

    public string Issuer { get; private set; } = "";

    public static async Task<FakeIdentityProvider> StartAsync()
    {
        var idp = new FakeIdentityProvider();
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        idp.app = builder.Build();
        idp.app.MapGet("/.well-known/openid-configuration", () => Results.Json(new { issuer = idp.Issuer, jwks_uri = idp.Issuer + "/jwks" }));
        idp.app.MapGet("/jwks", () =>
        {
            var p = idp.rsa.ExportParameters(false);
            return Results.Json(new { keys = new[] { new { kty = "RSA", use = "sig", alg = "RS256", kid = "test-key", n = Base64UrlEncoder.Encode(p.Modulus), e = Base64UrlEncoder.Encode(p.Exponent) } } });
        });
        await idp.app.StartAsync();
        idp.Issuer = idp.app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return idp;
    }

    public string Token(string audience, params (string Type, string Value)[] claims) => new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
    {
        Issuer = Issuer,
        Audience = audience,
        Subject = new ClaimsIdentity(claims.Select(c => new Claim(c.Type, c.Value))),
        Expires = DateTime.UtcNow.AddMinutes(10),
        SigningCredentials = new SigningCredentials(new RsaSecurityKey(rsa) { KeyId = "test-key" }, SecurityAlgorithms.RsaSha256),
    });

    public async ValueTask DisposeAsync()
    {
        await app.DisposeAsync();
        rsa.Dispose();
    }
}

[Trait("Tier", "Integration")]
public class ExternalIssuerTests
{
    private sealed class Host(string data, string authority) : WebApplicationFactory<Program>
    {
        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            builder.UseSetting("Grid:DataDirectory", data);
            builder.UseSetting("Grid:Seed:Demo", "false");
            builder.UseSetting("Grid:SiloPort", TestData.FreeTcpPort().ToString());
            builder.UseSetting("Grid:Admin:Username", "root");
            builder.UseSetting("Grid:Admin:Password", "external-issuer-admin");
            builder.UseSetting("Grid:Auth:Oidc:Authority", authority);
            builder.UseSetting("Grid:Auth:Oidc:RequireHttpsMetadata", "false");
        }
    }

    [Fact]
    public async Task Tokens_from_the_configured_issuer_are_accepted_with_their_Grid_role_and_scope()
    {
        await using var idp = await FakeIdentityProvider.StartAsync();
        await using var host = new Host(TestData.TempDirectory("oidc"), idp.Issuer);
        var mine = TestData.NewCommunityCode();
        var other = TestData.NewCommunityCode();
        var admin = host.CreateClient();
        var token = (await (await admin.PostAsJsonAsync("/api/auth/token", new { username = "root", password = "external-issuer-admin" }))
            .Content.ReadFromJsonAsync<JsonElement>()).GetProperty("access_token").GetString();
        admin.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token); // Grid's own tokens still work
        foreach (var code in new[] { mine, other })
            (await admin.PutAsJsonAsync($"/api/communities/{code}", new { name = "外部社区", centre = new { lng = 120.43, lat = 30.71 } })).EnsureSuccessStatusCode();

        HttpClient As(string jwt)
        {
            var client = host.CreateClient();
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", jwt);
            return client;
        }

        var committee = As(idp.Token("grid", ("preferred_username", "zhang.san"), ("name", "张三"), ("grid_role", "committee"), ("grid_community", mine)));
        var communities = await committee.GetFromJsonAsync<JsonElement[]>("/api/communities");
        Assert.Equal([mine], communities!.Select(c => c.GetProperty("definition").GetProperty("code").GetString()));
        await ProblemAssert.Is(await committee.GetAsync($"/api/communities/{other}"), 403);

        Assert.Equal(HttpStatusCode.Unauthorized, (await As(idp.Token("someone-else", ("preferred_username", "x"), ("grid_role", "admin"))).GetAsync("/api/communities")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await As(idp.Token("grid", ("preferred_username", "x"), ("grid_role", "emperor"))).GetAsync("/api/communities")).StatusCode);
        await using var stranger = await FakeIdentityProvider.StartAsync(); // another issuer's tokens, though well-formed, are not accepted
        Assert.Equal(HttpStatusCode.Unauthorized, (await As(stranger.Token("grid", ("preferred_username", "x"), ("grid_role", "admin"))).GetAsync("/api/communities")).StatusCode);
    }
}
