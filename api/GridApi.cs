using System.Text.Json.Serialization;
using Grid.Api.Activities;
using Grid.Api.Auth;
using Grid.Api.Dashboard;
using Grid.Api.Directory;
using Grid.Api.Hubs;
using Grid.Api.Import;
using Grid.Api.Issues;
using Grid.Api.Members;
using Grid.Api.Open311;
using Grid.Api.Ops;
using Grid.Api.Problems;
using Grid.Api.Security;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Grid.Api;

/// <summary>Registers and maps Grid's HTTP API and SignalR hub on a host that also runs the silo.</summary>
public static class GridApi
{
    public static IServiceCollection AddGridApi(this IServiceCollection services)
    {
        services.AddOptions<AuthOptions>().BindConfiguration(AuthOptions.Section).ValidateDataAnnotations()
            .Validate(o => o.SigningKeyBytes().Length >= 32, "Grid:Auth:SigningKey must be at least 32 bytes (or base64 of at least 32 bytes).")
            .ValidateOnStart();
        services.AddSingleton<TokenIssuer>();

        services.AddGridAuthentication();
        services.AddOptions<JwtBearerOptions>(JwtBearerDefaults.AuthenticationScheme).Configure<TokenIssuer>((jwt, issuer) =>
        {
            jwt.MapInboundClaims = false;
            jwt.TokenValidationParameters = issuer.ValidationParameters();
            jwt.Events = new JwtBearerEvents
            {
                // Browsers cannot set headers on WebSocket requests, so the hub takes the token from the query.
                OnMessageReceived = context =>
                {
                    if (context.Request.Path.StartsWithSegments(CommandHub.Path) && context.Request.Query["access_token"] is [{ Length: > 0 } token])
                        context.Token = token;
                    return Task.CompletedTask;
                },
            };
            ProblemAnswers(jwt.Events, "需要 Bearer 令牌：先 POST /api/auth/token，再在请求头中发送「Authorization: Bearer <token>」。");
        });
        services.AddOrleansDashboardAuth(events => ProblemAnswers(events,
            "请以管理员身份登录指挥中心，再从那里打开集群监控（POST /api/dashboard/orleans-session 会设置本页所需的 Cookie）。"));
        services.AddOptions<MapOptions>().BindConfiguration(MapOptions.Section)
            .ValidateOnStart();
        services.AddSingleton<IValidateOptions<MapOptions>, MapOptionsValidation>();
        // Every endpoint needs a signed-in caller unless it says otherwise.
        services.AddAuthorizationBuilder().SetFallbackPolicy(new Microsoft.AspNetCore.Authorization.AuthorizationPolicyBuilder().RequireAuthenticatedUser().Build());

        services.AddProblemDetails(o => o.CustomizeProblemDetails = c =>
            c.ProblemDetails.Extensions["traceId"] = c.HttpContext.TraceIdentifier);
        services.AddExceptionHandler<BadRequestExceptionHandler>();
        services.Configure<RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
        services.ConfigureHttpJsonOptions(o =>
        {
            // Enums as snake_case strings: in_progress, grid_worker, organ_report.
            o.SerializerOptions.Converters.Add(new JsonStringEnumConverter(System.Text.Json.JsonNamingPolicy.SnakeCaseLower));
            o.SerializerOptions.UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow;
        });
        services.AddOpen311();
        services.AddOpenApi();
        services.AddGridRateLimits();
        // CORS stays closed: no policy is registered, so browsers refuse cross-origin calls.
        services.AddSignalR();
        return services;
    }

    /// <summary>401 and 403 of a JWT scheme as RFC 7807 problems.</summary>
    private static void ProblemAnswers(JwtBearerEvents events, string missingToken)
    {
        events.OnChallenge = async context =>
        {
            context.HandleResponse();
            var detail = context.AuthenticateFailure switch
            {
                null => missingToken,
                Microsoft.IdentityModel.Tokens.SecurityTokenExpiredException => "令牌已过期，请重新申请。",
                _ => "令牌无效。",
            };
            context.Response.StatusCode = StatusCodes.Status401Unauthorized;
            context.Response.Headers.WWWAuthenticate = "Bearer";
            await context.HttpContext.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext
            {
                HttpContext = context.HttpContext,
                ProblemDetails = new ProblemDetails { Status = 401, Title = "未登录", Detail = detail },
            });
        };
        events.OnForbidden = async context =>
        {
            context.Response.StatusCode = StatusCodes.Status403Forbidden;
            await context.HttpContext.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext
            {
                HttpContext = context.HttpContext,
                ProblemDetails = new ProblemDetails { Status = 403, Title = "无权操作", Detail = "您的角色无权执行此操作。" },
            });
        };
    }

    public static IEndpointRouteBuilder MapGridApi(this IEndpointRouteBuilder app)
    {
        // Explicit on every endpoint, not only by the fallback policy: the authorisation matrix
        // test fails for any endpoint that carries neither a requirement nor AllowAnonymous.
        var api = app.MapGroup("/api").RequireAuthorization();
        api.MapAuthEndpoints();
        api.MapUserEndpoints();
        api.MapCommunityEndpoints();
        api.MapHouseholdEndpoints();
        api.MapMemberEndpoints();
        api.MapImportEndpoints();
        api.MapIssueEndpoints();
        api.MapIssueListEndpoints();
        api.MapCategoryEndpoints();
        api.MapPhotoEndpoints();
        api.MapOrganEndpoints();
        api.MapMemberServiceEndpoints();
        api.MapAssignmentEndpoints();
        api.MapAuditEndpoints();
        api.MapDashboardEndpoints();
        api.MapScheduleEndpoints();
        api.MapActivityEndpoints();
        api.MapOpsEndpoints();
        // Outside /api: anonymous to the JWT fallback policy, guarded by an api_key filter of its own.
        app.MapOpen311Endpoints();
        app.MapHub<CommandHub>(CommandHub.Path).RequireAuthorization();
        app.MapOpenApi().AllowAnonymous();
        return app;
    }

    /// <summary>Middleware in the order Grid needs: problem details for errors, then auth.</summary>
    public static void UseGridApi(this WebApplication app)
    {
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        // Before authentication, so refusals (401, 403, 429) are audited too; the caller is read once the request is done.
        app.UseGridAudit();
        app.UseAuthentication();
        app.UseRateLimiter();
        app.UseAuthorization();
    }
}

/// <summary>Stops the node at start-up with every mistake in Grid:Map spelled out.</summary>
internal sealed class MapOptionsValidation : IValidateOptions<MapOptions>
{
    public ValidateOptionsResult Validate(string? name, MapOptions options) =>
        options.Errors().ToList() is { Count: > 0 } errors ? ValidateOptionsResult.Fail(errors) : ValidateOptionsResult.Success;
}
