namespace Grid.Bench;

public sealed record BenchArgs(int Clients, double Rate, int Seconds, int Cells, Uri? Url, string? AdminPassword, string Source = "reports", int TickerCap = 500, int? FlushMs = null)
{
    public static BenchArgs Parse(IEnumerable<string> args)
    {
        var map = new Dictionary<string, string>();
        string? key = null;
        foreach (var a in args)
        {
            if (a.StartsWith("--")) key = a[2..];
            else if (key is not null) { map[key] = a; key = null; }
        }
        var url = map.TryGetValue("url", out var u) ? new Uri(u) : null;
        if (url is not null && !url.IsLoopback) throw new ArgumentException("--url must be a loopback address: this tool loads only the local machine.");
        return new BenchArgs(
            Clients: Math.Clamp(int.Parse(map.GetValueOrDefault("clients", "50")), 1, 2000),
            Rate: Math.Clamp(double.Parse(map.GetValueOrDefault("rate", "20"), System.Globalization.CultureInfo.InvariantCulture), 0.1, 1000),
            Seconds: Math.Clamp(int.Parse(map.GetValueOrDefault("seconds", "30")), 1, 600),
            Cells: Math.Clamp(int.Parse(map.GetValueOrDefault("cells", "20")), 1, 999),
            Url: url,
            AdminPassword: map.GetValueOrDefault("admin-password"),
            Source: map.GetValueOrDefault("source", "reports") switch
            {
                "reports" => "reports",
                "lifecycles" => "lifecycles",
                _ => throw new ArgumentException("--source is reports or lifecycles."),
            },
            TickerCap: Math.Clamp(int.Parse(map.GetValueOrDefault("ticker-cap", "500")), 1, 1000),
            FlushMs: map.TryGetValue("flush-ms", out var flush) ? Math.Clamp(int.Parse(flush), 10, 5000) : null);
    }
}
