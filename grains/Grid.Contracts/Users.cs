using System.Collections.Immutable;

namespace Grid.Contracts;

/// <summary>The roles of Grid's users; the token carries one of these.</summary>
public static class Roles
{
    public const string Admin = "admin";             // 管理员: keeps the directory
    public const string Committee = "committee";     // 社区党委 / 指挥中心
    public const string Scheduler = "scheduler";     // 活动组织者
    public const string GridWorker = "grid_worker";  // 网格员
    public const string Member = "member";           // 党员

    public static readonly ImmutableArray<string> All = [Admin, Committee, Scheduler, GridWorker, Member];

    public static bool IsKnown(string? role) => role is not null && All.Contains(role);
}

/// <summary>
/// A login. Scope: committee, scheduler and member act in one community; a grid worker
/// in the cells listed; an admin everywhere.
/// </summary>
[GenerateSerializer, Immutable, Alias("grid.UserAccount")]
public sealed record UserAccount
{
    [Id(0)] public required string Username { get; init; }
    [Id(1)] public required string DisplayName { get; init; }
    [Id(2)] public required string Role { get; init; }
    [Id(3)] public string? CommunityCode { get; init; }
    [Id(4)] public ImmutableArray<string> CellCodes { get; init; } = [];
    /// <summary>For the member role: the Party member this login belongs to.</summary>
    [Id(5)] public string? MemberId { get; init; }
    /// <summary>A password hash from ASP.NET Core's PasswordHasher (PBKDF2); never the password.</summary>
    [Id(6)] public required string PasswordHash { get; init; }
    /// <summary>Created by demo seeding; such accounts only sign in while demo seeding is on.</summary>
    [Id(7)] public bool IsDemo { get; init; }
    [Id(8)] public DateTimeOffset CreatedUtc { get; init; }

    // Never printed with its password hash.
    private bool PrintMembers(System.Text.StringBuilder builder)
    {
        builder.Append("Username = ").Append(Username).Append(", Role = ").Append(Role);
        return true;
    }
}

/// <summary>
/// Failed sign-ins of one username (key: the lower-case username, whether or not such a login
/// exists, so that a lock-out does not reveal which usernames are real).
/// </summary>
[Alias("grid.ILoginThrottleGrain")]
public interface ILoginThrottleGrain : IGrainWithStringKey
{
    public const int MaxFailures = 5;
    public static readonly TimeSpan Window = TimeSpan.FromMinutes(15);

    /// <summary>When sign-in opens again, or null when it is open now.</summary>
    [Alias("LockedUntil")] Task<DateTimeOffset?> LockedUntil();
    [Alias("Failed")] Task Failed();
    [Alias("Succeeded")] Task Succeeded();
}
