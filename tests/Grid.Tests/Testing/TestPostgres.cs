using Npgsql;

namespace Grid.Tests.Testing;

/// <summary>
/// The PostgreSQL server the tests use: tests/run.sh starts one and names it in GRID_TEST_POSTGRES.
/// Without it a PostgreSQL test fails, never skips, so that a run that did not exercise the
/// postgres profile cannot pass.
/// </summary>
public static class TestPostgres
{
    public const string Variable = "GRID_TEST_POSTGRES";

    public static string ServerConnectionString =>
        Environment.GetEnvironmentVariable(Variable) is { Length: > 0 } value
            ? value
            : throw new InvalidOperationException(
                $"{Variable} is not set. The PostgreSQL tests need a server: run them through `bash tests/run.sh`, which installs and starts one, " +
                $"or set {Variable} to a connection string of a role that may create databases.");

    /// <summary>A new, empty database for one fixture (grid_test_&lt;purpose&gt;_&lt;guid&gt;); its connection string.</summary>
    public static async Task<string> CreateDatabaseAsync(string purpose)
    {
        var name = $"grid_test_{purpose}_{Guid.NewGuid():N}";
        if (name.Length > 63) name = name[..63];
        await using (var connection = new NpgsqlConnection(ServerConnectionString))
        {
            await connection.OpenAsync();
            await using var create = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", connection);
            await create.ExecuteNonQueryAsync();
        }
        return new NpgsqlConnectionStringBuilder(ServerConnectionString) { Database = name }.ConnectionString;
    }

    /// <summary>Drops a fixture's database (connections still open are ended).</summary>
    public static async Task DropDatabaseAsync(string connectionString)
    {
        var name = new NpgsqlConnectionStringBuilder(connectionString).Database;
        NpgsqlConnection.ClearPool(new NpgsqlConnection(connectionString));
        try
        {
            await using var connection = new NpgsqlConnection(ServerConnectionString);
            await connection.OpenAsync();
            await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)", connection);
            await drop.ExecuteNonQueryAsync();
        }
        catch (NpgsqlException)
        {
            // The server is a throwaway one under tests/run.sh; a database left behind does no harm.
        }
    }
}
