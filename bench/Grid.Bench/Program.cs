using Grid.Bench;

// Grid.Bench: load tools for a Grid node. Loopback only, bounded runs.
//   live-latency  end-to-end latency from the API's answer to delivery at the dashboard clients
//   fanout        Red Saturday reminders: members reminded per second, durable in SQLite
//   grain-calls   the ceiling: calls per second to a bare Orleans ping grain, in-process
//   city-fanout   a Red Saturday reminder to every member of a generated city, as the node's jobs send it
//   lifecycles    issue lifecycles per second over HTTP (report → accept → dispatch → start → resolve → verify)
//   storage-limit the same lifecycles, then the raw write rate of the same storage for the writes they made
//   city-load     a city-scale directory written straight into grain storage
//   cold-start    process start → ready of a node on such a city
//   memory        managed heap per activation and resident set of a node activating that city
return args.FirstOrDefault() switch
{
    "live-latency" => BenchArgs.Parse(args.Skip(1)) is { Source: "lifecycles" } live ? await LiveLatencyLifecycles.Run(live) : await LiveLatency.Run(BenchArgs.Parse(args.Skip(1))),
    "fanout" => await ReminderFanOut.Run([.. args.Skip(1)]),
    "grain-calls" => await GrainCalls.Run([.. args.Skip(1)]),
    "city-fanout" => await CityFanOut.Run([.. args.Skip(1)]),
    "lifecycles" => await Lifecycles.Run(args.Skip(1)),
    "storage-limit" => await StorageLimit.Run(args.Skip(1)),
    "city-load" => await CityLoad.Run(new ArgReader([.. args.Skip(1)])),
    "cold-start" => await ColdStart.Run(new ArgReader([.. args.Skip(1)])),
    "memory" => await MemoryBench.Run(new ArgReader([.. args.Skip(1)])),
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
          --source lifecycles  events from whole issue lifecycles (six ticker lines each) instead of reports: --rate is then
                               events per second, the bench starts its own node with Grid:Live:TickerCap raised to
          --ticker-cap N       (default 500) so that no line of a burst is folded into a 略过 line
          --flush-ms M         lifecycles: the node's Grid:Live:FlushInterval in milliseconds (default: the node's own)
        usage: dotnet run -c Release --project bench/Grid.Bench -- fanout [options]
          --members N        members of the benchmark community, all expected            (default 2000)
          --concurrency LIST reminders in flight, one run each, e.g. 8,32,128            (default 8,32,128)
          --webhook          also POST every reminder to a gateway on 127.0.0.1
          --data DIR         keep the SQLite file in DIR (else a temporary one, deleted)
        usage: dotnet run -c Release --project bench/Grid.Bench -- grain-calls [options]
          --seconds S        measured seconds per row                                    (default 10)
          --concurrency LIST callers in a closed loop, one row each, e.g. 1,64,512       (default 1,64,512)
        usage: dotnet run -c Release --project bench/Grid.Bench -- city-fanout --data DIR [options]
          --data DIR         a city made by city-load --profile embedded (required)
          --jobs N           occurrences reminded at once, as Hangfire workers            (default: the node's, 2)
          --concurrency N    reminders in flight per occurrence                           (default: the node's, 16)
          --communities N    only the first N communities                                 (default all)
        usage: dotnet run -c Release --project bench/Grid.Bench -- lifecycles|storage-limit [options]
          --seconds S        measured seconds after --warm-up W (default 20, 5)
          --concurrency C    lifecycles in flight, each one step after another   (default 32)
          --communities N, --cells M   N communities of M cells, a grid worker per cell, a committee per community (4, 10)
          --profile P        embedded (SQLite) or postgres (needs --postgres or GRID_BENCH_POSTGRES)   (default embedded)
          --ping-seconds S   lifecycles: then a bare ping grain's ceiling in this process, S s per row (default 10; 0: none)
          --url URL          lifecycles only: a running node on loopback (with --admin-user, --admin-password; the node
                             needs Grid:RateLimits:ReportsPerMinute and TokenPerMinute raised: the bench started node gets 100000)
        usage: dotnet bench/Grid.Bench/bin/Release/net10.0/Grid.Bench.dll city-load [options]
          --profile P        embedded (SQLite file in --data) or postgres (database of --connection)   (default embedded)
          --data DIR         the node's data directory (embedded); must hold no directory yet
          --connection CS    an Npgsql connection string (postgres); the database must hold no directory yet
          --cells N          grid cells, ten to a community                                          (default 10000)
          --households N     households, spread evenly over the cells                                (default 1000000)
          --members N        Party members, spread evenly over the cells                             (default 200000)
        usage: dotnet bench/Grid.Bench/bin/Release/net10.0/Grid.Bench.dll cold-start [options]
          --profile P        embedded (--data DIR) or postgres (--connection CS), as loaded by city-load (default embedded)
          --runs N           measured starts, each on the city and on empty storage                  (default 5)
        usage: dotnet bench/Grid.Bench/bin/Release/net10.0/Grid.Bench.dll memory [options]
          --profile P        embedded (--data DIR) or postgres (--connection CS), as loaded by city-load (default embedded)
          --count N          households and as many members to activate                              (default 20000)
          --full             activate every household and member of the city instead
        """);
    return 2;
}
