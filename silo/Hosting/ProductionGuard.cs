using Grid.Api.Auth;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Grid.Silo.Hosting;

/// <summary>
/// The postgres profile is for production: it refuses to start with demo users, a generated
/// token key or a password anyone could guess from the README, and says which key to change.
/// </summary>
public static class ProductionGuard
{
    /// <summary>Passwords and keys published with Grid or tried first by anyone: never accepted in production.</summary>
    public static readonly IReadOnlySet<string> KnownDefaults = new HashSet<string>(StringComparer.OrdinalIgnoreCase)
    {
        Demo.DemoTownship.Password, "grid", "postgres", "password", "passw0rd", "admin", "administrator", "root", "secret",
        "changeme", "change-me", "123456", "12345678", "123456789", "1234567890", "qwerty", "letmein", "default", "test",
        "admin123", "Admin@123", "Grid@123", "P@ssw0rd",
    };

    private static bool IsDefault(string? secret) =>
        secret is not null && (KnownDefaults.Contains(secret.Trim())
            || secret.Contains("change-me", StringComparison.OrdinalIgnoreCase)
            || secret.Contains("changeme", StringComparison.OrdinalIgnoreCase));

    /// <summary>Every reason this configuration may not run the postgres profile (empty: fine).</summary>
    public static IReadOnlyList<string> Problems(IConfiguration configuration)
    {
        var problems = new List<string>();
        if (configuration.GetValue(SeedOptions.Section + ":Demo", true))
            problems.Add("Grid:Seed:Demo must be false in the postgres profile: demo users share a published password (set Grid__Seed__Demo=false).");

        var key = configuration[AuthOptions.Section + ":SigningKey"];
        if (string.IsNullOrWhiteSpace(key))
            problems.Add("Grid:Auth:SigningKey must be configured in the postgres profile (a random secret of at least 32 bytes, the same on every node); the embedded profile's generated key file is not used.");
        else if (IsDefault(key))
            problems.Add("Grid:Auth:SigningKey is a published placeholder; generate a random one (e.g. `openssl rand -base64 48`).");

        var adminPassword = configuration[AdminAccountOptions.Section + ":Password"];
        if (IsDefault(adminPassword))
            problems.Add("Grid:Admin:Password is a known default password; choose another.");

        var connectionString = configuration.GetConnectionString(PostgresOptions.ConnectionStringName);
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            problems.Add("ConnectionStrings:Grid must name the PostgreSQL database in the postgres profile (e.g. ConnectionStrings__Grid=\"Host=db;Database=grid;Username=grid;Password=...\").");
        }
        else
        {
            try
            {
                var builder = new NpgsqlConnectionStringBuilder(connectionString);
                if (IsDefault(builder.Password))
                    problems.Add("ConnectionStrings:Grid uses a known default database password; change the role's password.");
            }
            catch (ArgumentException e)
            {
                problems.Add($"ConnectionStrings:Grid is not a valid PostgreSQL connection string: {e.Message}");
            }
        }
        return problems;
    }

    /// <summary>Fails start-up (before anything connects) with every problem listed.</summary>
    public static void Enforce(IConfiguration configuration)
    {
        var problems = Problems(configuration);
        if (problems.Count > 0)
            throw new OptionsValidationException("Grid:Profile", typeof(GridOptions),
                ["The postgres profile refuses to start:", .. problems.Select(p => "  - " + p)]);
    }
}
