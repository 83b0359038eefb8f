using Grid.Api.Auth;
using Grid.Contracts;
using Hangfire.Dashboard;
using Microsoft.IdentityModel.JsonWebTokens;

namespace Grid.Silo.Activities;

/// <summary>
/// Hangfire's dashboard (/hangfire) for administrators only. A browser cannot put a bearer token on
/// a page it navigates to, so the dashboard is opened once as /hangfire?access_token=&lt;admin token&gt;:
/// the token is checked, kept in an HttpOnly, SameSite=Strict cookie scoped to /hangfire, and the
/// browser is redirected to the same page without it (so the token does not stay in the address
/// bar or history). Every dashboard request then needs an admin token, from that cookie or an
/// Authorization header; the cookie expires with the token.
/// </summary>
public sealed class HangfireDashboardAuth(TokenIssuer issuer)
{
    public const string Path = "/hangfire";
    public const string Cookie = "grid_hangfire";

    /// <summary>The admin's token expiry, or null when the token is not a valid admin token.</summary>
    public async Task<DateTimeOffset?> AdminTokenExpiry(string? token)
    {
        if (string.IsNullOrEmpty(token)) return null;
        var result = await new JsonWebTokenHandler().ValidateTokenAsync(token, issuer.ValidationParameters());
        if (!result.IsValid || result.ClaimsIdentity.FindFirst(GridClaims.Role)?.Value != Roles.Admin) return null;
        return result.SecurityToken.ValidTo == DateTime.MinValue ? null : new DateTimeOffset(result.SecurityToken.ValidTo, TimeSpan.Zero);
    }

    public static string? TokenOf(HttpContext http)
    {
        var header = http.Request.Headers.Authorization.ToString();
        if (header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)) return header["Bearer ".Length..].Trim();
        return http.Request.Cookies[Cookie];
    }

    /// <summary>Takes ?access_token= once: sets the cookie and redirects without it; a bad token is refused.</summary>
    public async Task ExchangeQueryToken(HttpContext http, RequestDelegate next)
    {
        if (http.Request.Query["access_token"] is not [{ Length: > 0 } token])
        {
            await next(http);
            return;
        }
        if (await AdminTokenExpiry(token) is not { } expires)
        {
            http.Response.StatusCode = StatusCodes.Status401Unauthorized;
            await http.Response.WriteAsync("Hangfire's dashboard needs a valid administrator token.");
            return;
        }
        http.Response.Cookies.Append(Cookie, token, new CookieOptions
        {
            HttpOnly = true, SameSite = SameSiteMode.Strict, Secure = http.Request.IsHttps, Path = Path, Expires = expires, IsEssential = true,
        });
        var query = QueryString.Create(http.Request.Query.Where(q => q.Key != "access_token"));
        http.Response.Redirect($"{http.Request.PathBase}{http.Request.Path}{query}");
    }

    public IDashboardAsyncAuthorizationFilter Filter() => new AdminFilter(this);

    private sealed class AdminFilter(HangfireDashboardAuth auth) : IDashboardAsyncAuthorizationFilter
    {
        public async Task<bool> AuthorizeAsync(DashboardContext context) =>
            await auth.AdminTokenExpiry(TokenOf(context.GetHttpContext())) is not null;
    }
}
