using System.Security.Claims;
using Grid.Api.Auth;
using Grid.Api.Problems;
using Grid.Contracts;
using Hangfire.Dashboard;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Grid.Silo.Activities;

/// <summary>
/// Hangfire's dashboard (/hangfire) for administrators only, the way Orleans' dashboard is opened:
/// a browser cannot put a bearer token on a page it navigates to, so an administrator exchanges
/// theirs (POST /api/dashboard/hangfire-session) for a cookie that only this dashboard reads — a
/// JWT signed like Grid's tokens but for its own audience (it opens nothing under /api), at most
/// 30 minutes and never past the bearer token, HttpOnly, SameSite=Strict, sent only to /hangfire.
/// Tools may send an administrator's bearer token instead.
/// </summary>
public sealed class HangfireDashboardAuth(TokenIssuer issuer, TimeProvider clock)
{
    public const string Path = "/hangfire";
    public const string Cookie = "grid_hangfire";
    public const string Audience = "grid-hangfire-dashboard";
    public static readonly TimeSpan CookieLifetime = TimeSpan.FromMinutes(30);

    /// <summary>True for an administrator's dashboard cookie, or an administrator's bearer token.</summary>
    public async Task<bool> IsAdmin(HttpContext http)
    {
        if (http.Request.Cookies.TryGetValue(Cookie, out var cookie) && cookie.Length > 0 && await IsAdminToken(cookie, DashboardParameters())) return true;
        var header = http.Request.Headers.Authorization.ToString();
        return header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) && await IsAdminToken(header["Bearer ".Length..].Trim(), issuer.ValidationParameters());
    }

    private static async Task<bool> IsAdminToken(string token, TokenValidationParameters parameters)
    {
        var result = await new JsonWebTokenHandler().ValidateTokenAsync(token, parameters);
        return result.IsValid && result.ClaimsIdentity.FindFirst(GridClaims.Role)?.Value == Roles.Admin;
    }

    private TokenValidationParameters DashboardParameters()
    {
        var parameters = issuer.ValidationParameters();
        parameters.ValidAudience = Audience;
        return parameters;
    }

    /// <summary>POST /api/dashboard/hangfire-session (administrators): sets the cookie and answers the dashboard's address.</summary>
    public IResult OpenSession(HttpContext http)
    {
        var grid = issuer.ValidationParameters(); // the same issuer and key as Grid's own tokens
        var now = clock.GetUtcNow();
        var expires = now + CookieLifetime;
        if (long.TryParse(http.User.FindFirstValue("exp"), out var exp) && DateTimeOffset.FromUnixTimeSeconds(exp) < expires) expires = DateTimeOffset.FromUnixTimeSeconds(exp);
        if (expires <= now) return Problem.Forbidden("Your token is about to expire; sign in again.");
        var token = new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = grid.ValidIssuer,
            Audience = Audience,
            Subject = new ClaimsIdentity(http.User.Claims.Where(c => c.Type is GridClaims.Subject or GridClaims.Name or GridClaims.Role)),
            IssuedAt = now.UtcDateTime,
            NotBefore = now.UtcDateTime,
            Expires = expires.UtcDateTime,
            SigningCredentials = new SigningCredentials(grid.IssuerSigningKey, SecurityAlgorithms.HmacSha256),
        });
        http.Response.Cookies.Append(Cookie, token, CookieOptions(http, expires - now));
        return TypedResults.Ok(new HangfireDashboardSession(Path + "/", (int)(expires - now).TotalSeconds));
    }

    public static IResult CloseSession(HttpContext http)
    {
        http.Response.Cookies.Delete(Cookie, CookieOptions(http, TimeSpan.Zero));
        return TypedResults.NoContent();
    }

    private static CookieOptions CookieOptions(HttpContext http, TimeSpan lifetime) => new()
    {
        Path = Path, HttpOnly = true, Secure = http.Request.IsHttps, SameSite = SameSiteMode.Strict, MaxAge = lifetime, IsEssential = true,
    };

    public IDashboardAsyncAuthorizationFilter Filter() => new AdminFilter(this);

    private sealed class AdminFilter(HangfireDashboardAuth auth) : IDashboardAsyncAuthorizationFilter
    {
        public Task<bool> AuthorizeAsync(DashboardContext context) => auth.IsAdmin(context.GetHttpContext());
    }
}

public sealed record HangfireDashboardSession(string Url, int ExpiresIn);
