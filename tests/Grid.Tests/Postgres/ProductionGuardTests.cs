using Grid.Silo.Hosting;
using Microsoft.Extensions.Configuration;

namespace Grid.Tests.Postgres;

[Trait("Tier", "Unit")]
public sealed class ProductionGuardTests
{
    private static readonly Dictionary<string, string?> Good = new()
    {
        ["Grid:Profile"] = "postgres",
        ["Grid:Seed:Demo"] = "false",
        ["Grid:Auth:SigningKey"] = "dGhpcyBpcyBhIHRlc3Qga2V5IG9mIGVub3VnaCBsZW5ndGggZm9yIEhNQUM=",
        ["Grid:Admin:Username"] = "root",
        ["Grid:Admin:Password"] = "a-long-unguessable-passphrase",
        ["ConnectionStrings:Grid"] = "Host=db;Database=grid;Username=grid;Password=s3cret-enough-for-tests",
    };

    private static IReadOnlyList<string> Problems(params (string Key, string? Value)[] changes)
    {
        var settings = new Dictionary<string, string?>(Good);
        foreach (var (key, value) in changes) settings[key] = value;
        return ProductionGuard.Problems(new ConfigurationBuilder().AddInMemoryCollection(settings).Build());
    }

    [Fact]
    public void A_production_configuration_passes() => Assert.Empty(Problems());

    [Theory]
    [InlineData("Grid:Seed:Demo", "true", "Grid:Seed:Demo")]
    [InlineData("Grid:Seed:Demo", null, "Grid:Seed:Demo")] // the default is on: production must turn it off
    [InlineData("Grid:Auth:SigningKey", null, "Grid:Auth:SigningKey must be configured")]
    [InlineData("Grid:Auth:SigningKey", "CHANGE-ME-to-a-random-secret-of-48-bytes-base64", "Grid:Auth:SigningKey")]
    [InlineData("Grid:Admin:Password", "Grid@2026", "Grid:Admin:Password")]
    [InlineData("Grid:Admin:Password", "admin", "Grid:Admin:Password")]
    [InlineData("ConnectionStrings:Grid", "Host=db;Database=grid;Username=postgres;Password=postgres", "ConnectionStrings:Grid")]
    [InlineData("ConnectionStrings:Grid", null, "ConnectionStrings:Grid must name")]
    public void Demo_users_and_default_secrets_are_refused_naming_the_key(string key, string? value, string expected)
    {
        var problem = Assert.Single(Problems((key, value)));
        Assert.Contains(expected, problem);
    }
}
