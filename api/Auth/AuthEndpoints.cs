using Grid.Api.Problems;
using Grid.Contracts;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Options;

namespace Grid.Api.Auth;

public sealed record TokenRequest(string? Username, string? Password);

public sealed record TokenResponse(
    [property: System.Text.Json.Serialization.JsonPropertyName("access_token")] string AccessToken,
    [property: System.Text.Json.Serialization.JsonPropertyName("token_type")] string TokenType,
    [property: System.Text.Json.Serialization.JsonPropertyName("expires_in")] int ExpiresIn);

public static class AuthEndpoints
{
    public static void MapAuthEndpoints(this IEndpointRouteBuilder api)
    {
        api.MapPost("/auth/token", IssueToken)
            .AllowAnonymous()
            .RequireRateLimiting(Security.RateLimits.Token)
            .WithTags("Auth")
            .WithSummary("Exchange a username and password for a bearer token (JWT).");
    }

    private static async Task<Results<Ok<TokenResponse>, ValidationProblem, ProblemHttpResult>> IssueToken(
        TokenRequest? request, IGrainFactory grains, TokenIssuer issuer, IOptions<AuthOptions> options)
    {
        var errors = new FieldErrors();
        errors.Text("username", request?.Username, 64);
        errors.Text("password", request?.Password, 256);
        if (errors.Any) return errors.ToProblem();

        var username = request!.Username!.Trim().ToLowerInvariant();
        var throttle = grains.GetGrain<ILoginThrottleGrain>(username);
        if (await throttle.LockedUntil() is { } until)
            return TypedResults.Problem(title: "登录已锁定", statusCode: StatusCodes.Status429TooManyRequests,
                detail: $"该用户名登录失败次数过多，请在 {until.ToOffset(TimeSpan.FromHours(8)):HH:mm}（北京时间）之后再试。");
        var account = await grains.GetGrain<IUserGrain>(username).Get();
        if (account is { IsDemo: true } && !options.Value.AllowDemoUsers) account = null;
        if (!Passwords.Verify(account, request.Password!))
        {
            await throttle.Failed();
            return TypedResults.Problem(title: "登录失败", detail: "用户名不存在或密码错误。", statusCode: StatusCodes.Status401Unauthorized);
        }
        await throttle.Succeeded();
        var (token, lifetime) = issuer.Issue(account!);
        return TypedResults.Ok(new TokenResponse(token, "Bearer", (int)lifetime.TotalSeconds));
    }
}
