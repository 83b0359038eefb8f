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
            return TypedResults.Problem(title: "Sign-in locked", statusCode: StatusCodes.Status429TooManyRequests,
                detail: $"Too many failed sign-ins for this username; try again after {until.ToOffset(TimeSpan.FromHours(8)):HH:mm} (China Standard Time).");
        var account = await grains.GetGrain<IUserGrain>(username).Get();
        if (account is { IsDemo: true } && !options.Value.AllowDemoUsers) account = null;
        if (!Passwords.Verify(account, request.Password!))
        {
            await throttle.Failed();
            return TypedResults.Problem(title: "Sign-in failed", detail: "Unknown username or wrong password.", statusCode: StatusCodes.Status401Unauthorized);
        }
        await throttle.Succeeded();
        var (token, lifetime) = issuer.Issue(account!);
        return TypedResults.Ok(new TokenResponse(token, "Bearer", (int)lifetime.TotalSeconds));
    }
}
