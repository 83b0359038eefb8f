using Grid.Api.Open311;

namespace Grid.Tests.Open311;

[Trait("Tier", "Unit")]
public class Open311OptionsTests
{
    private static Open311ClientOptions Client(string name, string key, params string[] communities) =>
        new() { Name = name, ApiKey = key, CommunityCodes = [.. communities] };

    private static string? Errors(params Open311ClientOptions[] clients)
    {
        var result = new Open311OptionsValidator().Validate(null, new Open311Options { Clients = [.. clients] });
        return result.Failed ? result.FailureMessage : null;
    }

    [Fact]
    public void Clients_with_long_distinct_keys_and_valid_communities_pass()
    {
        Assert.Null(Errors());
        Assert.Null(Errors(Client("civic-app", "0123456789abcdef"), Client("hotline.12345", "fedcba9876543210", "330503101001")));
    }

    [Fact]
    public void A_short_or_shared_key_stops_the_node_without_showing_the_key()
    {
        var shortKey = Errors(Client("civic-app", "short-key"));
        Assert.Contains("Grid:Open311:Clients:0:ApiKey must be at least 16 characters", shortKey);
        Assert.DoesNotContain("short-key", shortKey);

        var shared = Errors(Client("a", "the-same-key-for-both"), Client("b", "the-same-key-for-both"));
        Assert.Contains("Grid:Open311:Clients:1:ApiKey", shared);
        Assert.DoesNotContain("the-same-key-for-both", shared);

        Assert.Contains("spaces", Errors(Client("a", "a key with spaces inside")));
    }

    [Fact]
    public void Names_must_be_simple_and_unique_and_communities_real_codes()
    {
        Assert.Contains("Clients:0:Name", Errors(Client("", "0123456789abcdef")));
        Assert.Contains("Clients:0:Name", Errors(Client("app|evil", "0123456789abcdef")));
        Assert.Contains("used by another client", Errors(Client("app", "0123456789abcdef"), Client("APP", "fedcba9876543210")));
        Assert.Contains("Clients:0:CommunityCodes:0", Errors(Client("app", "0123456789abcdef", "12345")));
    }

    [Fact]
    public void The_cell_cache_lasts_at_most_an_hour()
    {
        var result = new Open311OptionsValidator().Validate(null, new Open311Options { CellCacheDuration = TimeSpan.FromHours(2) });
        Assert.Contains("CellCacheDuration", result.FailureMessage);
    }
}
