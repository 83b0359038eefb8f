using System.Security.Claims;
using Grid.Api.Auth;
using Grid.Contracts;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Grid.Api.Dashboard;

public sealed record DashboardConfig(string TileUrl, string TileAttribution, string TileSubdomains);

public sealed record OrleansDashboardSession(string Url, int ExpiresIn);

/// <summary>
/// The command dashboard's settings, and the way into Orleans' own dashboard for administrators.
/// A browser cannot put a bearer token on a page navigation, so an administrator exchanges their
/// bearer token for a short-lived cookie that only the Orleans dashboard accepts (see <see cref="OrleansDashboardAuth"/>).
/// </summary>
public static class DashboardEndpoints
{
    public static void MapDashboardEndpoints(this IEndpointRouteBuilder api)
    {
        var dashboard = api.MapGroup("/dashboard").WithTags("Dashboard");
        dashboard.MapGet("/config", Config).RequireAuthorization().WithSummary("Map settings for the command dashboard: the optional tile server (empty: no tiles).");
        dashboard.MapPost("/orleans-session", OpenOrleans).RequireAuthorization(p => p.RequireRole(Roles.Admin))
            .WithSummary($"Administrators: sets a short-lived, HttpOnly cookie for Orleans' dashboard at {OrleansDashboardAuth.Path}/ and answers its URL.");
        dashboard.MapDelete("/orleans-session", CloseOrleans).RequireAuthorization().WithSummary("Removes the Orleans dashboard cookie (signing out).");
    }

    private static Ok<DashboardConfig> Config(IOptions<MapOptions> map) =>
        TypedResults.Ok(new DashboardConfig(map.Value.TileUrl, map.Value.TileAttribution, map.Value.TileSubdomains));

    private static Ok<OrleansDashboardSession> OpenOrleans(HttpContext http, TokenIssuer issuer)
    {
        DateTimeOffset? bearerExpires = long.TryParse(http.User.FindFirstValue("exp"), out var exp) ? DateTimeOffset.FromUnixTimeSeconds(exp) : null;
        var (token, lifetime) = issuer.IssueForOrleansDashboard(http.User, OrleansDashboardAuth.CookieLifetime, bearerExpires);
        http.Response.Cookies.Append(OrleansDashboardAuth.Cookie, token, OrleansDashboardAuth.CookieOptions(http, lifetime));
        return TypedResults.Ok(new OrleansDashboardSession(OrleansDashboardAuth.Path + "/", (int)lifetime.TotalSeconds));
    }

    private static NoContent CloseOrleans(HttpContext http)
    {
        http.Response.Cookies.Delete(OrleansDashboardAuth.Cookie, OrleansDashboardAuth.CookieOptions(http, TimeSpan.Zero));
        return TypedResults.NoContent();
    }
}

/// <summary>
/// Orleans' dashboard is mounted at <see cref="Path"/> for administrators. It is a page the
/// browser navigates to, so it authenticates by a cookie: a JWT signed like Grid's tokens but
/// for its own audience (useless as a bearer token under /api), at most 30 minutes and never
/// longer than the bearer token it was exchanged for, HttpOnly, SameSite=Strict, and sent only
/// to <see cref="Path"/>. Only this scheme reads the cookie; the API never does.
/// </summary>
public static class OrleansDashboardAuth
{
    public const string Path = "/orleans";
    public const string Scheme = "OrleansDashboard";
    public const string Policy = "OrleansDashboard";
    public const string Cookie = "grid_orleans";
    public static readonly TimeSpan CookieLifetime = TimeSpan.FromMinutes(30);

    public static CookieOptions CookieOptions(HttpContext http, TimeSpan lifetime) => new()
    {
        Path = Path,
        HttpOnly = true,
        Secure = http.Request.IsHttps,
        SameSite = SameSiteMode.Strict,
        MaxAge = lifetime,
        IsEssential = true,
    };

    public static void AddOrleansDashboardAuth(this IServiceCollection services, Action<JwtBearerEvents> problems)
    {
        services.AddAuthentication().AddJwtBearer(Scheme, _ => { });
        services.AddOptions<JwtBearerOptions>(Scheme).Configure<TokenIssuer>((jwt, issuer) =>
        {
            jwt.MapInboundClaims = false;
            jwt.TokenValidationParameters = issuer.OrleansDashboardValidationParameters();
            jwt.Events = new JwtBearerEvents
            {
                OnMessageReceived = context =>
                {
                    if (context.Request.Cookies.TryGetValue(Cookie, out var token) && token.Length > 0) context.Token = token;
                    return Task.CompletedTask;
                },
            };
            problems(jwt.Events);
        });
        services.AddAuthorizationBuilder().AddPolicy(Policy, p => p
            .AddAuthenticationSchemes(Scheme)
            .RequireAuthenticatedUser()
            .RequireRole(Roles.Admin));
    }
}
