using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Grid.Grains;
using Grid.Silo.Demo;
using Grid.Silo.Hosting;
using Grid.Silo.Storage;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;

namespace Grid.Tests.Testing;

/// <summary>
/// A small city (3 communities, 30 cells, 3,000 households, 600 members) written straight into grain
/// storage by the bench's loader, then the real node started on it: every API read must find the
/// rows the loader wrote, and the node's own writes must land on the same keys.
/// </summary>
public class CityHost : WebApplicationFactory<Program>, IAsyncLifetime
{
    public const string AdminPassword = "city-admin-password";
    public static readonly CitySize Size = new(Cells: 30, Households: 3_000, Members: 600);

    public Grid.Silo.Demo.City City { get; } = new(Size);
    public string DataDirectory { get; } = TestData.TempDirectory("city");

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseTestNode(DataDirectory, AdminPassword);
        ConfigureProfile(builder);
    }

    protected virtual void ConfigureProfile(IWebHostBuilder builder)
    {
    }

    protected virtual Task PrepareStorage() => Task.CompletedTask;

    protected virtual async Task<IGrainStateSink> OpenSink() =>
        await SqliteGrainStateSink.OpenAsync(new GridOptions { DataDirectory = DataDirectory }.SqliteConnectionString);

    /// <summary>The key columns and version of the stored row the node reads for <paramref name="key"/> (looked up as the loader keys it), or null.</summary>
    public virtual async Task<(GrainStateKey Key, long Version)?> StoredKey(string state, string key)
    {
        await using var connection = new Microsoft.Data.Sqlite.SqliteConnection(new GridOptions { DataDirectory = DataDirectory }.SqliteConnectionString);
        await connection.OpenAsync();
        var command = connection.CreateCommand();
        command.CommandText = """
            SELECT GrainIdN0, GrainIdN1, GrainIdExtension, GrainIdHash, GrainTypeHash, Version FROM OrleansStorage
            WHERE GrainTypeString = $state AND GrainIdN0 = $n0 AND GrainIdN1 = $n1 AND GrainIdExtension = $extension
            """;
        var expected = GrainStateKey.For(state, key);
        command.Parameters.AddWithValue("$state", state);
        command.Parameters.AddWithValue("$n0", expected.N0);
        command.Parameters.AddWithValue("$n1", expected.N1);
        command.Parameters.AddWithValue("$extension", expected.Extension);
        await using var reader = await command.ExecuteReaderAsync();
        return await reader.ReadAsync()
            ? (new GrainStateKey(reader.GetInt64(0), reader.GetInt64(1), reader.GetString(2), reader.GetInt32(3), reader.GetInt32(4)), reader.GetInt64(5))
            : null;
    }

    public int RowsLoaded { get; private set; }

    public async Task InitializeAsync()
    {
        await PrepareStorage();
        await using (var sink = await OpenSink())
            await CityLoader.LoadAsync(City, GrainStateRows.Standalone(), sink, written: n => RowsLoaded += n, batchSize: 1_000);
    }

    public async Task<HttpClient> Admin()
    {
        var client = CreateClient();
        var token = await CreateClient().PostAsJsonAsync("/api/auth/token", new { username = "root", password = AdminPassword });
        token.EnsureSuccessStatusCode();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer",
            (await token.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("access_token").GetString());
        return client;
    }

    async Task IAsyncLifetime.DisposeAsync()
    {
        await base.DisposeAsync();
        await DropStorage();
    }

    protected virtual Task DropStorage() => Task.CompletedTask;
}

public sealed class PostgresCityHost : CityHost
{
    private string connectionString = "";

    protected override async Task PrepareStorage() => connectionString = await TestPostgres.CreateDatabaseAsync("city");

    protected override async Task<IGrainStateSink> OpenSink() => await PostgresGrainStateSink.OpenAsync(connectionString);

    protected override void ConfigureProfile(IWebHostBuilder builder) => builder.UsePostgresProfile(connectionString);

    public override async Task<(GrainStateKey Key, long Version)?> StoredKey(string state, string key)
    {
        await using var connection = new Npgsql.NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new Npgsql.NpgsqlCommand("""
            SELECT grain_id_n0, grain_id_n1, grain_id_extension, grain_id_hash, grain_type_hash, version FROM orleans_grain_state
            WHERE state_name = @state AND grain_id_n0 = @n0 AND grain_id_n1 = @n1 AND grain_id_extension = @extension
            """, connection);
        var expected = GrainStateKey.For(state, key);
        command.Parameters.AddWithValue("state", state);
        command.Parameters.AddWithValue("n0", expected.N0);
        command.Parameters.AddWithValue("n1", expected.N1);
        command.Parameters.AddWithValue("extension", expected.Extension);
        await using var reader = await command.ExecuteReaderAsync();
        return await reader.ReadAsync()
            ? (new GrainStateKey(reader.GetInt64(0), reader.GetInt64(1), reader.GetString(2), reader.GetInt32(3), reader.GetInt32(4)), reader.GetInt32(5))
            : null;
    }

    protected override Task DropStorage() => TestPostgres.DropDatabaseAsync(connectionString);
}
