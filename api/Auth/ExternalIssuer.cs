using System.Security.Claims;
using Grid.Contracts;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;

namespace Grid.Api.Auth;

/// <summary>
/// Bearer tokens from two issuers: Grid's own, and an external OpenID Connect provider when one
/// is configured. A policy scheme reads the token's issuer (unvalidated, only to choose) and
/// hands it to the scheme that validates tokens of that issuer.
/// </summary>
public static class ExternalIssuer
{
    public const string Scheme = "oidc";
    public const string Selector = "grid";

    public static void AddGridAuthentication(this IServiceCollection services)
    {
        services.AddAuthentication(o =>
            {
                o.DefaultScheme = Selector;
                o.DefaultChallengeScheme = JwtBearerDefaults.AuthenticationScheme;
                o.DefaultForbidScheme = JwtBearerDefaults.AuthenticationScheme;
            })
            .AddPolicyScheme(Selector, "Grid or external issuer", o => o.ForwardDefaultSelector = context =>
            {
                var grid = context.RequestServices.GetRequiredService<IOptions<AuthOptions>>().Value;
                if (!grid.Oidc.Enabled) return JwtBearerDefaults.AuthenticationScheme;
                var header = context.Request.Headers.Authorization.ToString();
                var raw = header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? header[7..].Trim() : context.Request.Query["access_token"].ToString();
                var handler = new JsonWebTokenHandler();
                return handler.CanReadToken(raw) && handler.ReadJsonWebToken(raw).Issuer is { } issuer && issuer != grid.Issuer
                    ? Scheme : JwtBearerDefaults.AuthenticationScheme;
            })
            .AddJwtBearer()
            .AddJwtBearer(Scheme);

        services.AddOptions<JwtBearerOptions>(Scheme).Configure<IOptions<AuthOptions>>((jwt, grid) =>
        {
            var oidc = grid.Value.Oidc;
            if (!oidc.Enabled) return;
            jwt.Authority = oidc.Authority;
            jwt.Audience = oidc.Audience;
            jwt.RequireHttpsMetadata = oidc.RequireHttpsMetadata;
            jwt.MapInboundClaims = false;
            jwt.Events = new JwtBearerEvents
            {
                // The external identity is re-expressed in Grid's own claims, so that scopes work the same.
                OnTokenValidated = context =>
                {
                    var p = context.Principal!;
                    var role = p.FindFirstValue(oidc.RoleClaim);
                    var username = p.FindFirstValue(oidc.UsernameClaim) ?? p.FindFirstValue("sub");
                    if (!Roles.IsKnown(role) || string.IsNullOrEmpty(username))
                    {
                        context.Fail($"The token has no Grid role in '{oidc.RoleClaim}' or no username in '{oidc.UsernameClaim}'.");
                        return Task.CompletedTask;
                    }
                    var claims = new List<Claim>
                    {
                        new(GridClaims.Subject, $"oidc:{username}"),
                        new(GridClaims.Name, p.FindFirstValue(oidc.DisplayNameClaim) ?? username),
                        new(GridClaims.Role, role!),
                    };
                    if (p.FindFirstValue(oidc.CommunityClaim) is { } community) claims.Add(new(GridClaims.Community, community));
                    claims.AddRange(p.FindAll(oidc.CellClaim).Select(c => new Claim(GridClaims.Cell, c.Value)));
                    if (p.FindFirstValue(oidc.MemberClaim) is { } member) claims.Add(new(GridClaims.Member, member));
                    context.Principal = new ClaimsPrincipal(new ClaimsIdentity(claims, Scheme, GridClaims.Name, GridClaims.Role));
                    return Task.CompletedTask;
                },
            };
        });
    }
}
