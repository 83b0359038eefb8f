using Grid.Silo.Storage;
using Grid.Silo.Storage.Postgres;

namespace Grid.Silo.Hosting;

/// <summary>
/// <c>dotnet Grid.Silo.dll migrate [settings]</c>: applies the schema scripts of the configured
/// profile and exits (0 applied or up to date, 1 failed, 2 misconfigured), for databases where
/// nodes may not change the schema themselves (Grid:Postgres:MigrateOnStart=false).
/// Reads configuration exactly like a node: appsettings.json, environment, command line.
/// </summary>
public static class MigrateCommand
{
    public const string Verb = "migrate";

    public static async Task<int> RunAsync(string[] args)
    {
        var configuration = WebApplication.CreateBuilder(args).Configuration;
        var profile = configuration[GridOptions.Section + ":Profile"] ?? GridOptions.Embedded;
        try
        {
            IReadOnlyList<string> applied;
            string where;
            if (profile == GridOptions.Postgres)
            {
                var connectionString = configuration.GetConnectionString(PostgresOptions.ConnectionStringName);
                if (string.IsNullOrWhiteSpace(connectionString))
                {
                    Console.Error.WriteLine("migrate: ConnectionStrings:Grid is not set (e.g. ConnectionStrings__Grid=\"Host=db;Database=grid;Username=grid;Password=...\").");
                    return 2;
                }
                where = new Npgsql.NpgsqlConnectionStringBuilder(connectionString) is var b ? $"PostgreSQL database {b.Database} on {b.Host}" : "";
                applied = await PostgresSchema.ApplyAsync(connectionString);
                Console.WriteLine($"Hangfire's schema '{PostgresScheduling.Schema}' installed or up to date");
                Console.WriteLine($"Hangfire's schema '{PostgresScheduling.Schema}' is up to date");
            }
            else if (profile == GridOptions.Embedded)
            {
                var grid = new GridOptions { DataDirectory = configuration[GridOptions.Section + ":DataDirectory"] ?? "data" };
                Directory.CreateDirectory(grid.FullDataDirectory);
                where = $"SQLite file {grid.SqlitePath}";
                applied = SqliteSchema.Apply(grid.SqliteConnectionString);
            }
            else
            {
                Console.Error.WriteLine($"migrate: Grid:Profile must be 'embedded' or 'postgres', not '{profile}'.");
                return 2;
            }
            foreach (var name in applied) Console.WriteLine($"applied {name}");
            Console.WriteLine(applied.Count == 0 ? $"{where}: schema up to date" : $"{where}: {applied.Count} script(s) applied");
            return 0;
        }
        catch (Exception e)
        {
            Console.Error.WriteLine($"migrate failed: {e.Message}");
            return 1;
        }
    }
}
