using Grid.Contracts;
using Microsoft.AspNetCore.Identity;

namespace Grid.Api.Auth;

/// <summary>PBKDF2 password hashes through ASP.NET Core Identity's hasher.</summary>
public static class Passwords
{
    private static readonly PasswordHasher<UserAccount> Hasher = new();

    // Verified when the username is unknown, so that a miss costs as long as a wrong password.
    private static readonly string DecoyHash = Hasher.HashPassword(null!, Guid.NewGuid().ToString());

    public static string Hash(string password) => Hasher.HashPassword(null!, password);

    public static bool Verify(UserAccount? account, string password)
    {
        var result = Hasher.VerifyHashedPassword(account!, account?.PasswordHash ?? DecoyHash, password);
        return account is not null && result != PasswordVerificationResult.Failed;
    }
}
