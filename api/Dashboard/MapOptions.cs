namespace Grid.Api.Dashboard;

/// <summary>
/// Configuration section Grid:Map: optional map tiles under the cell polygons (e.g. 天地图 or an
/// intranet tile server). Empty by default: the dashboard then needs no internet at all.
/// </summary>
public sealed class MapOptions
{
    public const string Section = "Grid:Map";

    /// <summary>A Leaflet tile URL template: http(s), with {z}, {x} and {y} (and optionally {s}).</summary>
    public string TileUrl { get; set; } = "";

    /// <summary>Who the tiles come from, shown in the map's corner (plain text).</summary>
    public string TileAttribution { get; set; } = "";

    /// <summary>Letters or digits that replace {s}, e.g. "01234567" for 天地图's t0…t7; empty for Leaflet's "abc".</summary>
    public string TileSubdomains { get; set; } = "";

    /// <summary>
    /// The tile server as a CSP source: scheme, host and port; a host label with {s} (t{s}.tianditu.gov.cn)
    /// becomes a wildcard (*.tianditu.gov.cn), since the browser fetches from every subdomain. Null for no tiles.
    /// </summary>
    public static string? TileSource(string? tileUrl)
    {
        if (string.IsNullOrWhiteSpace(tileUrl)) return null;
        var probe = tileUrl.Replace("{s}", "subdomain").Replace("{z}", "1").Replace("{x}", "1").Replace("{y}", "1");
        if (!Uri.TryCreate(probe, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https")) return null;
        var labels = uri.Host.Split('.');
        var host = labels[0].Contains("subdomain") && labels.Length > 2 ? "*." + string.Join('.', labels[1..]) : uri.Host;
        return $"{uri.Scheme}://{host}{(uri.IsDefaultPort ? "" : ":" + uri.Port)}";
    }

    /// <summary>What is wrong with the settings, or nothing.</summary>
    public IEnumerable<string> Errors()
    {
        if (TileUrl.Length > 0)
        {
            // The placeholders are not valid in a URI; check the URL with stand-ins.
            var probe = TileUrl.Replace("{s}", "a").Replace("{z}", "1").Replace("{x}", "1").Replace("{y}", "1");
            if (!Uri.TryCreate(probe, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https") || string.IsNullOrEmpty(uri.Host) || probe.Contains('{') || probe.Contains('}'))
                yield return "Grid:Map:TileUrl must be an http or https URL whose only placeholders are {s}, {z}, {x} and {y}.";
            else if (!TileUrl.Contains("{z}") || !TileUrl.Contains("{x}") || !TileUrl.Contains("{y}"))
                yield return "Grid:Map:TileUrl must contain {z}, {x} and {y}.";
        }
        if (TileAttribution.Length > 200 || TileAttribution.Any(char.IsControl))
            yield return "Grid:Map:TileAttribution must be one line of at most 200 characters.";
        if (TileSubdomains.Length > 20 || !TileSubdomains.All(char.IsAsciiLetterOrDigit))
            yield return "Grid:Map:TileSubdomains must be up to 20 letters or digits.";
        else if (TileSubdomains.Length > 0 && !TileUrl.Contains("{s}"))
            yield return "Grid:Map:TileSubdomains needs a Grid:Map:TileUrl with {s}.";
    }
}
