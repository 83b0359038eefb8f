using System.ComponentModel.DataAnnotations;

namespace Grid.Api.Auth;

/// <summary>Configuration section Grid:Auth.</summary>
public sealed class AuthOptions
{
    public const string Section = "Grid:Auth";

    /// <summary>HMAC-SHA256 key for Grid's own tokens, base64 or plain text of at least 32 bytes.</summary>
    [Required(ErrorMessage = "Grid:Auth:SigningKey is required (at least 32 bytes).")]
    public string SigningKey { get; set; } = "";

    public string Issuer { get; set; } = "grid";

    public string Audience { get; set; } = "grid";

    /// <summary>How long a token lasts: a working shift by default.</summary>
    [Range(typeof(TimeSpan), "00:05:00", "7.00:00:00", ErrorMessage = "Grid:Auth:TokenLifetime must be between 5 minutes and 7 days.")]
    public TimeSpan TokenLifetime { get; set; } = TimeSpan.FromHours(8);

    /// <summary>An external OpenID Connect issuer whose tokens Grid accepts besides its own (Grid:Auth:Oidc).</summary>
    public OidcOptions Oidc { get; set; } = new();

    /// <summary>Whether accounts made by demo seeding may sign in; follows Grid:Seed:Demo.</summary>
    public bool AllowDemoUsers { get; set; }

    internal byte[] SigningKeyBytes()
    {
        try
        {
            var bytes = Convert.FromBase64String(SigningKey);
            if (bytes.Length >= 32) return bytes;
        }
        catch (FormatException)
        {
            // Not base64: the text itself is the key.
        }
        return System.Text.Encoding.UTF8.GetBytes(SigningKey);
    }
}

/// <summary>
/// Grid:Auth:Oidc — tokens from a government identity provider. Its tokens must carry Grid's
/// role and scope, in claims named here; unknown roles get no access.
/// </summary>
public sealed class OidcOptions
{
    /// <summary>The issuer URL (its /.well-known/openid-configuration is read); empty: not used.</summary>
    public string Authority { get; set; } = "";

    public string Audience { get; set; } = "grid";

    /// <summary>Only for a test or lab issuer on plain HTTP.</summary>
    public bool RequireHttpsMetadata { get; set; } = true;

    public string UsernameClaim { get; set; } = "preferred_username";
    public string DisplayNameClaim { get; set; } = "name";
    public string RoleClaim { get; set; } = "grid_role";
    public string CommunityClaim { get; set; } = "grid_community";
    public string CellClaim { get; set; } = "grid_cell";
    public string MemberClaim { get; set; } = "grid_member";

    public bool Enabled => Authority.Length > 0;
}
