using System.Security.Claims;
using Grid.Contracts;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Grid.Api.Auth;

public sealed class TokenIssuer(IOptions<AuthOptions> options, TimeProvider clock)
{
    public (string Token, TimeSpan Lifetime) Issue(UserAccount account)
    {
        var o = options.Value;
        var claims = new List<Claim>
        {
            new(GridClaims.Subject, account.Username),
            new(GridClaims.Name, account.DisplayName),
            new(GridClaims.Role, account.Role),
        };
        if (account.CommunityCode is { } community) claims.Add(new(GridClaims.Community, community));
        claims.AddRange(account.CellCodes.Select(c => new Claim(GridClaims.Cell, c)));
        if (account.MemberId is { } member) claims.Add(new(GridClaims.Member, member));

        var now = clock.GetUtcNow().UtcDateTime;
        var token = new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = o.Issuer,
            Audience = o.Audience,
            Subject = new ClaimsIdentity(claims),
            IssuedAt = now,
            NotBefore = now,
            Expires = now + o.TokenLifetime,
            SigningCredentials = new SigningCredentials(new SymmetricSecurityKey(o.SigningKeyBytes()), SecurityAlgorithms.HmacSha256),
        });
        return (token, o.TokenLifetime);
    }

    /// <summary>
    /// A token for the Orleans dashboard's cookie: the same signing key, but its own audience, so
    /// it opens nothing under /api; it lives at most <paramref name="lifetime"/> and never past <paramref name="notAfter"/>.
    /// </summary>
    public (string Token, TimeSpan Lifetime) IssueForOrleansDashboard(ClaimsPrincipal user, TimeSpan lifetime, DateTimeOffset? notAfter)
    {
        var o = options.Value;
        var now = clock.GetUtcNow();
        var expires = notAfter is { } end && end < now + lifetime ? end : now + lifetime;
        var token = new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = o.Issuer,
            Audience = OrleansDashboardAudience,
            Subject = new ClaimsIdentity(user.Claims.Where(c => c.Type is GridClaims.Subject or GridClaims.Name or GridClaims.Role)),
            IssuedAt = now.UtcDateTime,
            NotBefore = now.UtcDateTime,
            Expires = expires.UtcDateTime,
            SigningCredentials = new SigningCredentials(new SymmetricSecurityKey(o.SigningKeyBytes()), SecurityAlgorithms.HmacSha256),
        });
        return (token, expires - now);
    }

    public const string OrleansDashboardAudience = "grid-orleans-dashboard";

    public TokenValidationParameters OrleansDashboardValidationParameters()
    {
        var parameters = ValidationParameters();
        parameters.ValidAudience = OrleansDashboardAudience;
        return parameters;
    }

    public TokenValidationParameters ValidationParameters() => new()
    {
        ValidIssuer = options.Value.Issuer,
        ValidAudience = options.Value.Audience,
        IssuerSigningKey = new SymmetricSecurityKey(options.Value.SigningKeyBytes()),
        NameClaimType = GridClaims.Name,
        RoleClaimType = GridClaims.Role,
        ClockSkew = TimeSpan.FromSeconds(30),
    };
}
