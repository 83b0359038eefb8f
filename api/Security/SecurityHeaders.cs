using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;

namespace Grid.Api.Security;

/// <summary>
/// Headers on every answer: no sniffing, no framing, no referrer, and a content security policy
/// that lets pages load scripts only from Grid itself (intranet first: no CDN is ever needed).
/// </summary>
public static class SecurityHeaders
{
    /// <summary>Third-party admin UIs with inline scripts of their own; they get the other headers but no CSP.</summary>
    private static readonly string[] NoCspPrefixes = ["/hangfire", "/orleans"];

    public static IApplicationBuilder UseGridSecurityHeaders(this IApplicationBuilder app, IConfiguration configuration)
    {
        // A configured tile server (Grid:Map:TileUrl) is the one outside origin the map may load images from.
        var tiles = Dashboard.MapOptions.TileSource(configuration["Grid:Map:TileUrl"]) is { } source ? " " + source : "";
        var csp = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; " +
                  $"img-src 'self' data: blob:{tiles}; connect-src 'self'; font-src 'self'; object-src 'none'; " +
                  "base-uri 'self'; form-action 'self'; frame-ancestors 'none'";
        return app.Use(async (context, next) =>
        {
            context.Response.OnStarting(() =>
            {
                var headers = context.Response.Headers;
                headers.XContentTypeOptions = "nosniff";
                headers.XFrameOptions = "DENY";
                headers["Referrer-Policy"] = "no-referrer";
                headers["Permissions-Policy"] = "geolocation=(self), camera=(self), microphone=()";
                headers["Cross-Origin-Opener-Policy"] = "same-origin";
                if (!NoCspPrefixes.Any(p => context.Request.Path.StartsWithSegments(p))) headers.ContentSecurityPolicy = csp;
                if (context.Request.IsHttps) headers.StrictTransportSecurity = "max-age=31536000";
                return Task.CompletedTask;
            });
            await next();
        });
    }
}
