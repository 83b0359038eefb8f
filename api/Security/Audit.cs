using System.Diagnostics;
using Grid.Api.Auth;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Grid.Api.Security;

/// <summary>One line of the audit trail.</summary>
public sealed record AuditEntry(
    DateTimeOffset AtUtc, string Username, string Role, string Method, string Path, string Route, int Status, string RemoteAddress,
    int DurationMs, string Detail);

public sealed record AuditQuery(string? Username, DateTimeOffset? FromUtc, DateTimeOffset? ToUtc, int Limit);

/// <summary>The append-only audit trail in the node's database.</summary>
public interface IAuditLog
{
    Task Record(AuditEntry entry);

    /// <summary>Newest first.</summary>
    Task<IReadOnlyList<AuditEntry>> Query(AuditQuery query);
}

public static class Audit
{
    /// <summary>
    /// Records every state-changing request (POST, PUT, PATCH, DELETE) to the API and Open311,
    /// whatever its outcome, refusals included. Bodies are not recorded: they hold personal data.
    /// </summary>
    public static IApplicationBuilder UseGridAudit(this IApplicationBuilder app) => app.Use(async (context, next) =>
    {
        var method = context.Request.Method;
        var audited = method is "POST" or "PUT" or "PATCH" or "DELETE" &&
                      (context.Request.Path.StartsWithSegments("/api") || context.Request.Path.StartsWithSegments("/open311"));
        if (!audited)
        {
            await next();
            return;
        }
        var watch = Stopwatch.StartNew();
        try
        {
            await next();
        }
        finally
        {
            var caller = Caller.From(context.User);
            var entry = new AuditEntry(
                DateTimeOffset.UtcNow, caller.Username.Length > 0 ? caller.Username : "anonymous", caller.Role.Length > 0 ? caller.Role : "-",
                method, context.Request.Path.Value ?? "", (context.GetEndpoint() as RouteEndpoint)?.RoutePattern.RawText ?? "",
                context.Response.StatusCode, context.Connection.RemoteIpAddress?.ToString() ?? "local", (int)watch.ElapsedMilliseconds, "");
            try
            {
                await context.RequestServices.GetRequiredService<IAuditLog>().Record(entry);
            }
            catch (Exception e)
            {
                // The request has happened; a lost audit line is reported loudly, never silently dropped.
                context.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger("Grid.Audit")
                    .LogError(e, "Audit entry not written: {Method} {Route} by {Username} → {Status}", entry.Method, entry.Route, entry.Username, entry.Status);
            }
        }
    });
}
