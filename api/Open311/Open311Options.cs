using System.Text.RegularExpressions;
using Grid.Contracts;
using Microsoft.Extensions.Options;

namespace Grid.Api.Open311;

/// <summary>Configuration section Grid:Open311: the civic-reporting apps allowed to use the GeoReport v2 endpoints.</summary>
public sealed class Open311Options
{
    public const string Section = "Grid:Open311";

    public List<Open311ClientOptions> Clients { get; set; } = [];

    /// <summary>How long the list of cells (used to find the cell containing a reported point) is kept in memory.</summary>
    public TimeSpan CellCacheDuration { get; set; } = TimeSpan.FromMinutes(1);
}

/// <summary>One Open311 client: an app or a city hotline system with its own api_key.</summary>
public sealed class Open311ClientOptions
{
    /// <summary>Recorded on its issues as reported by "open311:&lt;name&gt;".</summary>
    public string Name { get; set; } = "";

    public string ApiKey { get; set; } = "";

    /// <summary>When not empty, the client reports and sees issues of these communities only.</summary>
    public List<string> CommunityCodes { get; set; } = [];
}

/// <summary>Stops the node at start-up when an Open311 client is configured wrongly; never repeats a key in its messages.</summary>
public sealed partial class Open311OptionsValidator : IValidateOptions<Open311Options>
{
    public const int MinKeyLength = 16;

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9._-]{0,39}$")]
    private static partial Regex NamePattern();

    public ValidateOptionsResult Validate(string? name, Open311Options options)
    {
        var errors = new List<string>();
        var names = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var keys = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < options.Clients.Count; i++)
        {
            var client = options.Clients[i];
            var at = $"{Open311Options.Section}:Clients:{i}";
            if (!NamePattern().IsMatch(client.Name ?? ""))
                errors.Add($"{at}:Name must be 1-40 letters, digits, '.', '_' or '-', starting with a letter or digit.");
            else if (!names.Add(client.Name!))
                errors.Add($"{at}:Name '{client.Name}' is used by another client.");
            var key = client.ApiKey ?? "";
            if (key.Length < MinKeyLength)
                errors.Add($"{at}:ApiKey must be at least {MinKeyLength} characters.");
            else if (key.Any(c => char.IsWhiteSpace(c) || char.IsControl(c)))
                errors.Add($"{at}:ApiKey must not contain spaces or control characters.");
            else if (!keys.Add(key))
                errors.Add($"{at}:ApiKey is the same as another client's; give every client its own key.");
            for (var j = 0; j < client.CommunityCodes.Count; j++)
            {
                if (GridCodes.CommunityCodeError(client.CommunityCodes[j]) is { } error) errors.Add($"{at}:CommunityCodes:{j}: {error}");
            }
        }
        if (options.CellCacheDuration < TimeSpan.Zero || options.CellCacheDuration > TimeSpan.FromHours(1))
            errors.Add($"{Open311Options.Section}:CellCacheDuration must be between 00:00:00 and 01:00:00.");
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
