// "grain-calls" measures the ceiling for grain calls on this machine: a bare Orleans ping grain
// (no state, no storage, no filters) called from inside the silo's process, which is where Grid's
// endpoints call grains from (the web host and the silo share one process). The figure is the
// limit that the node's grain calls on the request path are compared with.
//
//   dotnet bench/Grid.Bench/bin/Release/net10.0/Grid.Bench.dll grain-calls --seconds 10 --concurrency 1,64,512
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Grid.Bench;

public interface IPingGrain : IGrainWithIntegerKey
{
    Task<int> Ping(int value);
}

public sealed class PingGrain : Grain, IPingGrain
{
    public Task<int> Ping(int value) => Task.FromResult(value + 1);
}

public static class GrainCalls
{
    /// <summary>Grains the calls are spread over, so that concurrency is not serialised on one activation.</summary>
    private const int Grains = 1024;

    public sealed record Row(int Concurrency, long Calls, TimeSpan Elapsed, double CoresUsed)
    {
        public double PerSecond => Calls / Elapsed.TotalSeconds;
    }

    public static async Task<int> Run(IReadOnlyList<string> args)
    {
        var options = new ArgReader(args);
        var seconds = Math.Clamp(options.Int("--seconds", 10), 1, 600);
        var concurrencies = options.Get("--concurrency", "1,64,512").Split(',').Select(int.Parse).ToArray();

        Console.WriteLine($"# Bare Orleans ping grain, in-process: {Grains} grains, {seconds} s per row");
        Console.WriteLine($"machine: {Machine.Describe()}; load average before: {Machine.LoadAverage()}");
        var rows = await Ceiling(seconds, concurrencies);
        Console.WriteLine();
        Console.WriteLine("| concurrency | calls | seconds | calls/s | CPU used (of 2 cores) |");
        Console.WriteLine("| ---: | ---: | ---: | ---: | ---: |");
        foreach (var row in rows)
            Console.WriteLine($"| {row.Concurrency} | {row.Calls:N0} | {row.Elapsed.TotalSeconds:F1} | **{row.PerSecond:N0}** | {row.CoresUsed:F2} |");
        return 0;
    }

    /// <summary>A silo of its own in this process, the ping grains activated and warmed up, then one closed-loop row per concurrency.</summary>
    public static async Task<IReadOnlyList<Row>> Ceiling(int seconds, IReadOnlyList<int> concurrencies)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
        builder.UseOrleans(silo => silo.UseLocalhostClustering(siloPort: Loopback.FreePort(), gatewayPort: Loopback.FreePort()));
        using var host = builder.Build();
        await host.StartAsync();
        var factory = host.Services.GetRequiredService<IGrainFactory>();
        // Activate every grain and let the JIT settle before anything is timed.
        await Parallel.ForEachAsync(Enumerable.Range(0, Grains), async (i, _) => await factory.GetGrain<IPingGrain>(i).Ping(i));
        await Measure(factory, 64, TimeSpan.FromSeconds(2));
        var rows = new List<Row>();
        foreach (var concurrency in concurrencies)
        {
            var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
            var (calls, elapsed) = await Measure(factory, concurrency, TimeSpan.FromSeconds(seconds));
            rows.Add(new Row(concurrency, calls, elapsed, (Process.GetCurrentProcess().TotalProcessorTime - cpuBefore) / elapsed));
        }
        await host.StopAsync();
        return rows;
    }

    /// <summary>Closed loop: <paramref name="concurrency"/> callers, each calling as soon as its last call returned.</summary>
    private static async Task<(long Calls, TimeSpan Elapsed)> Measure(IGrainFactory factory, int concurrency, TimeSpan duration)
    {
        long calls = 0;
        var watch = Stopwatch.StartNew();
        var callers = Enumerable.Range(0, concurrency).Select(c => Task.Run(async () =>
        {
            var grain = c;
            long mine = 0;
            while (watch.Elapsed < duration)
            {
                await factory.GetGrain<IPingGrain>(grain % Grains).Ping(grain);
                grain += concurrency;
                mine++;
            }
            Interlocked.Add(ref calls, mine);
        })).ToArray();
        await Task.WhenAll(callers);
        return (calls, watch.Elapsed);
    }

}
