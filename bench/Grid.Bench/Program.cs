using Grid.Bench;

// Grid.Bench: load tools for a Grid node. Loopback only, bounded runs.
//   live-latency  end-to-end latency from the API's answer to delivery at the dashboard clients
return args.FirstOrDefault() switch
{
    "live-latency" => await LiveLatency.Run(BenchArgs.Parse(args.Skip(1))),
    _ => Usage(),
};

static int Usage()
{
    Console.Error.WriteLine("""
        usage: dotnet run -c Release --project bench/Grid.Bench -- live-latency [options]
          --clients N     dashboard clients (SignalR, WebSockets) joined to the community   (default 50)
          --rate R        issue reports per second through POST /api/issues, open loop       (default 20)
          --seconds S     measured seconds, after a 5-second warm-up at the same rate        (default 30, at most 600)
          --cells N       cells in the benchmark community                                   (default 20)
          --url URL       use a running node on loopback (needs --admin-password, and a Grid:RateLimits:ReportsPerMinute
                          above 60 × rate, since one committee user sends every report) instead of starting one
          --admin-password P   the node's Grid:Admin:Password (with --url)
        """);
    return 2;
}
