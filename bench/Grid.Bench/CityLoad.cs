// "city-load" writes a city-scale directory straight into a node's grain storage: communities of ten
// cells, households and members, as the rows the grains read back (see Grid.Silo.Demo.City).
//
//   dotnet bench/Grid.Bench/bin/Release/net10.0/Grid.Bench.dll city-load --data DIR --cells 10000 --households 1000000 --members 200000
//   dotnet bench/Grid.Bench/bin/Release/net10.0/Grid.Bench.dll city-load --profile postgres --connection "Host=…" --cells 10000 …
using System.Diagnostics;
using Grid.Silo.Demo;
using Grid.Silo.Hosting;
using Grid.Silo.Storage;

namespace Grid.Bench;

public static class CityLoad
{
    public static async Task<int> Run(ArgReader options)
    {
        var size = new CitySize(options.Int("--cells", 10_000), options.Int("--households", 1_000_000), options.Int("--members", 200_000));
        if (size.Error() is { } error) return Fail(error);
        var profile = options.Get("--profile", GridOptions.Embedded);
        IGrainStateSink sink;
        string where;
        if (profile == GridOptions.Embedded)
        {
            if (options.Get("--data", "") is not { Length: > 0 } data) return Fail("--data DIR is required for the embedded profile.");
            var grid = new GridOptions { DataDirectory = data };
            Directory.CreateDirectory(grid.FullDataDirectory);
            where = grid.SqlitePath;
            sink = await SqliteGrainStateSink.OpenAsync(grid.SqliteConnectionString);
        }
        else if (profile == GridOptions.Postgres)
        {
            if (options.Get("--connection", "") is not { Length: > 0 } connection) return Fail("--connection is required for the postgres profile.");
            where = $"database {new Npgsql.NpgsqlConnectionStringBuilder(connection).Database}";
            sink = await PostgresGrainStateSink.OpenAsync(connection);
        }
        else return Fail("--profile must be embedded or postgres.");

        Console.WriteLine($"# city-load: {size.Communities:N0} communities, {size.Cells:N0} cells, {size.Households:N0} households, {size.Members:N0} members → {where}");
        Console.WriteLine($"machine: {Machine.Describe()}; load average before: {Machine.LoadAverage()}");
        var total = size.StateCount;
        long written = 0, lastWritten = 0;
        var watch = Stopwatch.StartNew();
        var lastReport = TimeSpan.Zero;
        void Progress(int rows)
        {
            written += rows;
            var now = watch.Elapsed;
            if (now - lastReport < TimeSpan.FromSeconds(5) && written < total) return;
            var rate = (written - lastWritten) / (now - lastReport).TotalSeconds;
            var eta = rate > 0 ? TimeSpan.FromSeconds((total - written) / rate) : TimeSpan.Zero;
            Console.WriteLine($"{now.TotalSeconds,7:F1} s  {written,10:N0} / {total:N0} rows  {written * 100.0 / total,5:F1} %  {rate,9:N0} rows/s  ETA {eta:mm\\:ss}");
            (lastReport, lastWritten) = (now, written);
        }
        await using (sink)
        {
            await CityLoader.LoadAsync(new City(size), GrainStateRows.Standalone(), sink, Progress);
        }
        watch.Stop();
        var seconds = watch.Elapsed.TotalSeconds;
        var bytes = profile == GridOptions.Embedded ? new FileInfo(new GridOptions { DataDirectory = options.Get("--data", "") }.SqlitePath).Length : 0;
        Console.WriteLine();
        Console.WriteLine("| profile | communities | cells | households | members | grain states | seconds | states/s | file |");
        Console.WriteLine("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
        Console.WriteLine($"| {profile} | {size.Communities:N0} | {size.Cells:N0} | {size.Households:N0} | {size.Members:N0} | {written:N0} | {seconds:F1} | {written / seconds:N0} | {(bytes > 0 ? $"{bytes / 1048576.0:N0} MiB" : "—")} |");
        return 0;
    }

    private static int Fail(string message)
    {
        Console.Error.WriteLine(message);
        return 2;
    }
}
