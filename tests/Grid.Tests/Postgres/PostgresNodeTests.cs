using System.Diagnostics;

namespace Grid.Tests.Postgres;

/// <summary>The node executable on the postgres profile: the migrate verb and the start-up refusals.</summary>
[Trait("Tier", "EndToEnd")]
public sealed class PostgresNodeTests
{
    private static async Task<(int Exit, string Output)> Run(params string[] args)
    {
        var info = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = AppContext.BaseDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "Grid.Silo.dll"));
        foreach (var arg in args) info.ArgumentList.Add(arg);
        using var process = System.Diagnostics.Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await stdout + await stderr);
    }

    [Fact]
    public async Task Migrate_applies_the_scripts_once_prints_them_and_exits()
    {
        var connectionString = await TestPostgres.CreateDatabaseAsync("migrate");
        try
        {
            var first = await Run("migrate", "--Grid:Profile=postgres", $"--ConnectionStrings:Grid={connectionString}");
            Assert.True(first.Exit == 0, first.Output);
            foreach (var (name, _) in Grid.Silo.Storage.Postgres.PostgresSchema.Scripts()) Assert.Contains($"applied {name}", first.Output);
            Assert.Contains("applied 0001_orleans_clustering_and_grain_state.sql", first.Output);

            var again = await Run("migrate", "--Grid:Profile=postgres", $"--ConnectionStrings:Grid={connectionString}");
            Assert.True(again.Exit == 0, again.Output);
            Assert.Contains("schema up to date", again.Output);
            Assert.DoesNotContain("applied 0001", again.Output);
        }
        finally
        {
            await TestPostgres.DropDatabaseAsync(connectionString);
        }
    }

    [Fact]
    public async Task A_node_on_the_postgres_profile_with_demo_users_and_no_key_refuses_to_start_and_says_why()
    {
        var (exit, output) = await Run("--urls", $"http://127.0.0.1:{TestData.FreeTcpPort()}", "--Grid:Profile=postgres",
            $"--Grid:DataDirectory={TestData.TempDirectory("refused")}", "--ConnectionStrings:Grid=Host=127.0.0.1;Database=none;Username=grid;Password=postgres");
        Assert.Equal(2, exit);
        Assert.Contains("The postgres profile refuses to start", output);
        Assert.Contains("Grid:Seed:Demo must be false", output);
        Assert.Contains("Grid:Auth:SigningKey must be configured", output);
        Assert.Contains("ConnectionStrings:Grid uses a known default database password", output);
        Assert.DoesNotContain("Grid is running", output);
    }

    [Fact]
    public async Task A_node_told_not_to_migrate_refuses_an_unmigrated_database_and_names_the_command()
    {
        var connectionString = await TestPostgres.CreateDatabaseAsync("nomigrate");
        try
        {
            var (exit, output) = await Run("--urls", $"http://127.0.0.1:{TestData.FreeTcpPort()}", "--Grid:Profile=postgres",
                $"--Grid:DataDirectory={TestData.TempDirectory("nomigrate")}", $"--ConnectionStrings:Grid={connectionString}",
                "--Grid:Seed:Demo=false", $"--Grid:Auth:SigningKey={Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(48))}",
                "--Grid:Postgres:MigrateOnStart=false", $"--Grid:SiloPort={TestData.FreeTcpPort()}", "--Grid:AdvertisedAddress=127.0.0.1");
            Assert.NotEqual(0, exit);
            Assert.Contains("Grid:Postgres:MigrateOnStart is false: run `dotnet Grid.Silo.dll migrate` first", output);
            Assert.DoesNotContain("Grid is running", output);
        }
        finally
        {
            await TestPostgres.DropDatabaseAsync(connectionString);
        }
    }
}
