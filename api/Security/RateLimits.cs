using System.ComponentModel.DataAnnotations;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Grid.Api.Security;

/// <summary>Configuration section Grid:RateLimits.</summary>
public sealed class RateLimitOptions
{
    public const string Section = "Grid:RateLimits";

    /// <summary>Sign-in attempts per client address per minute.</summary>
    [Range(1, 100_000, ErrorMessage = "Grid:RateLimits:TokenPerMinute must be 1 to 100000.")]
    public int TokenPerMinute { get; set; } = 20;

    /// <summary>Issue reports per user (or, for Open311, per client address) per minute.</summary>
    [Range(1, 100_000, ErrorMessage = "Grid:RateLimits:ReportsPerMinute must be 1 to 100000.")]
    public int ReportsPerMinute { get; set; } = 30;
}

public static class RateLimits
{
    public const string Token = "token";
    public const string Report = "report";

    public static IServiceCollection AddGridRateLimits(this IServiceCollection services)
    {
        services.AddOptions<RateLimitOptions>().BindConfiguration(RateLimitOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddRateLimiter(o =>
        {
            o.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            o.OnRejected = async (context, _) =>
            {
                if (context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var retry))
                    context.HttpContext.Response.Headers.RetryAfter = ((int)Math.Ceiling(retry.TotalSeconds)).ToString();
                await context.HttpContext.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext
                {
                    HttpContext = context.HttpContext,
                    ProblemDetails = new ProblemDetails { Status = 429, Title = "请求过于频繁", Detail = "短时间内请求过多，请等一分钟后再试。" },
                });
            };
            o.AddPolicy(Token, http => RateLimitPartition.GetFixedWindowLimiter(Address(http), _ => new FixedWindowRateLimiterOptions
            {
                PermitLimit = Options(http).TokenPerMinute, Window = TimeSpan.FromMinutes(1), QueueLimit = 0,
            }));
            o.AddPolicy(Report, http => RateLimitPartition.GetSlidingWindowLimiter(http.User.FindFirst("sub")?.Value ?? Address(http), _ => new SlidingWindowRateLimiterOptions
            {
                PermitLimit = Options(http).ReportsPerMinute, Window = TimeSpan.FromMinutes(1), SegmentsPerWindow = 6, QueueLimit = 0,
            }));
        });
        return services;
    }

    private static RateLimitOptions Options(HttpContext http) => http.RequestServices.GetRequiredService<IOptions<RateLimitOptions>>().Value;

    private static string Address(HttpContext http) => http.Connection.RemoteIpAddress?.ToString() ?? "local";
}
