// "cold-start" starts the real node on an existing city (from city-load) several times and times
// each start from launching the process to the first 200 from /health/ready. The same is measured
// on empty storage, so that what the city adds to a start shows beside it.
//
//   dotnet bench/Grid.Bench/bin/Release/net10.0/Grid.Bench.dll cold-start --data DIR [--runs 5]
//   dotnet bench/Grid.Bench/bin/Release/net10.0/Grid.Bench.dll cold-start --profile postgres --connection "Host=…" [--runs 5]
using Grid.Silo.Hosting;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace Grid.Bench;

public static class ColdStart
{
    private const double TargetSeconds = 5;

    public static async Task<int> Run(ArgReader options)
    {
        var runs = Math.Clamp(options.Int("--runs", 5), 1, 50);
        var profile = options.Get("--profile", GridOptions.Embedded);
        var password = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(18));
        var scratch = Path.Combine(Path.GetTempPath(), $"grid-cold-start-{Guid.NewGuid():N}");
        Func<string[]> city, empty;
        string describe;
        string? emptyDatabase = null;
        if (profile == GridOptions.Embedded)
        {
            if (options.Get("--data", "") is not { Length: > 0 } data || !File.Exists(new GridOptions { DataDirectory = data }.SqlitePath))
                return Fail("--data DIR must name a data directory holding a city (run city-load first).");
            city = () => BenchNode.Embedded(data);
            empty = () => BenchNode.Embedded(scratch);
            describe = $"{data} ({Rows(new GridOptions { DataDirectory = data }.SqliteConnectionString)})";
        }
        else if (profile == GridOptions.Postgres)
        {
            if (options.Get("--connection", "") is not { Length: > 0 } connection) return Fail("--connection is required for the postgres profile.");
            city = () => BenchNode.Postgres(connection, scratch);
            var emptyConnection = emptyDatabase = await CreateEmptyDatabase(connection);
            empty = () => BenchNode.Postgres(emptyConnection, scratch);
            describe = $"database {new NpgsqlConnectionStringBuilder(connection).Database}";
        }
        else return Fail("--profile must be embedded or postgres.");

        Console.WriteLine($"# cold-start: {runs} starts of Grid.Silo.dll ({profile}) on {describe}, process start → /health/ready 200");
        Console.WriteLine($"machine: {Machine.Describe()}; load average before: {Machine.LoadAverage()}");
        try
        {
            // The empty storage's first start creates its schema; it is not one of the measured starts.
            await (await BenchNode.Start(empty(), password)).DisposeAsync();
            var emptyTimes = await Starts(empty, password, runs, "empty storage");
            var cityTimes = await Starts(city, password, runs, "city");
            Console.WriteLine();
            Console.WriteLine("| profile | storage | runs | median | max | target | median ÷ target |");
            Console.WriteLine("| --- | --- | ---: | ---: | ---: | ---: | ---: |");
            foreach (var (what, times) in new[] { ("empty", emptyTimes), ("city", cityTimes) })
            {
                var median = Median(times);
                Console.WriteLine($"| {profile} | {what} | {runs} | {median:F2} s | {times.Max():F2} s | ≤ {TargetSeconds:F0} s | {median / TargetSeconds:F2} |");
            }
        }
        finally
        {
            if (Directory.Exists(scratch)) Directory.Delete(scratch, recursive: true);
            if (emptyDatabase is not null) await DropDatabase(emptyDatabase);
        }
        return 0;
    }

    private static async Task<List<double>> Starts(Func<string[]> profile, string password, int runs, string what)
    {
        var times = new List<double>();
        for (var i = 1; i <= runs; i++)
        {
            await using var node = await BenchNode.Start(profile(), password);
            times.Add(node.ReadyAfter.TotalSeconds);
            Console.WriteLine($"{what} start {i}: ready after {node.ReadyAfter.TotalSeconds:F2} s");
        }
        return times;
    }

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[sorted.Count / 2 - 1] + sorted[sorted.Count / 2]) / 2;
    }

    private static string Rows(string connectionString)
    {
        using var connection = new SqliteConnection(connectionString);
        connection.Open();
        using var count = connection.CreateCommand();
        count.CommandText = "SELECT COUNT(*) FROM OrleansStorage";
        return $"{Convert.ToInt64(count.ExecuteScalar()):N0} grain states";
    }

    private static async Task<string> CreateEmptyDatabase(string connectionString)
    {
        var name = $"grid_cold_start_{Guid.NewGuid():N}";
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using (var create = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", connection)) await create.ExecuteNonQueryAsync();
        return new NpgsqlConnectionStringBuilder(connectionString) { Database = name }.ConnectionString;
    }

    private static async Task DropDatabase(string connectionString)
    {
        NpgsqlConnection.ClearAllPools();
        var name = new NpgsqlConnectionStringBuilder(connectionString).Database;
        await using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(connectionString) { Database = "postgres" }.ConnectionString);
        await connection.OpenAsync();
        await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)", connection);
        await drop.ExecuteNonQueryAsync();
    }

    private static int Fail(string message)
    {
        Console.Error.WriteLine(message);
        return 2;
    }
}
