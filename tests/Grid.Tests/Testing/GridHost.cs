using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Grid.Api.Hubs;
using Grid.Contracts;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;

namespace Grid.Tests.Testing;

/// <summary>
/// The real node (Program) in-process: Orleans silo, storage (the embedded profile's SQLite
/// file here, PostgreSQL in <see cref="PostgresGridHost"/>), API and hub, with demo seeding off.
/// It builds a small world through the API itself: two communities, cells, an organ, a member,
/// and a login for every role.
/// </summary>
public class GridHost : WebApplicationFactory<Program>, IAsyncLifetime
{
    public const string AdminPassword = "admin-password-1";
    public const string Password = "password-for-tests";
    /// <summary>Open311 clients: one for every community, one for community B only.</summary>
    public const string Open311Key = "open311-test-key-all-communities";
    public const string Open311KeyB = "open311-test-key-community-b-only";

    public string DataDirectory { get; } = TestData.TempDirectory("api");
    public string CommunityA { get; } = TestData.NewCommunityCode();
    public string CommunityB { get; } = TestData.NewCommunityCode();
    public string CellA1 => CommunityA + "001";
    public string CellA2 => CommunityA + "002";
    public string CellB1 => CommunityB + "001";
    public string Organ { get; } = TestData.OrganCode("11330503MB" + Random.Shared.Next(1_000_000, 9_999_999));
    public string MemberA { get; private set; } = "";

    private readonly Dictionary<string, string> tokens = [];

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseTestNode(DataDirectory, AdminPassword);
        // Many tests share this host and sign in often; the limits themselves are tested on a host of their own.
        builder.UseSetting("Grid:RateLimits:TokenPerMinute", "10000");
        builder.UseSetting("Grid:RateLimits:ReportsPerMinute", "10000");
        builder.UseSetting("Grid:Open311:Clients:0:Name", "civic-app");
        builder.UseSetting("Grid:Open311:Clients:0:ApiKey", Open311Key);
        builder.UseSetting("Grid:Open311:Clients:1:Name", "dongzha-app");
        builder.UseSetting("Grid:Open311:Clients:1:ApiKey", Open311KeyB);
        builder.UseSetting("Grid:Open311:Clients:1:CommunityCodes:0", CommunityB);
        ConfigureProfile(builder);
    }

    /// <summary>Settings of the storage profile under test (none: embedded).</summary>
    protected virtual void ConfigureProfile(IWebHostBuilder builder)
    {
    }

    /// <summary>The audit trail's table in this profile's database.</summary>
    public virtual string AuditTable => "AuditLog";

    /// <summary>Runs a statement straight against the node's database, as someone with access to it could.</summary>
    public virtual async Task ExecuteInDatabase(string sql)
    {
        await using var connection = new Microsoft.Data.Sqlite.SqliteConnection(new Grid.Silo.Hosting.GridOptions { DataDirectory = DataDirectory }.SqliteConnectionString);
        await connection.OpenAsync();
        var command = connection.CreateCommand();
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync();
    }

    /// <summary>Makes the profile's storage before the node starts.</summary>
    protected virtual Task PrepareStorage() => Task.CompletedTask;

    public IGrainFactory Grains => Services.GetRequiredService<IGrainFactory>();

    public async Task InitializeAsync()
    {
        await PrepareStorage();
        var admin = await As("root");
        foreach (var (code, name) in new[] { (CommunityA, "练溪社区"), (CommunityB, "东栅社区") })
        {
            (await admin.PutAsJsonAsync($"/api/communities/{code}", new { name, township = "练市镇", centre = new { lng = 120.43, lat = 30.71 } })).EnsureSuccessStatusCode();
        }
        var cells = new
        {
            type = "FeatureCollection",
            features = new[] { (CellA1, 120.420), (CellA2, 120.424), (CellB1, 120.440) }.Select(c => new
            {
                type = "Feature",
                properties = new { code = c.Item1, name = "网格" + c.Item1[^3..] },
                geometry = new { type = "Polygon", coordinates = new[] { TestData.Square(c.Item2).Select(p => new[] { p.Lng, p.Lat }).ToArray() } },
            }),
        };
        (await admin.PostAsJsonAsync("/api/import/cells", cells)).EnsureSuccessStatusCode();
        (await admin.PutAsJsonAsync($"/api/organs/{Organ}", new { name = "南浔区民政局", membersRequired = 10 })).EnsureSuccessStatusCode();
        var member = await admin.PostAsJsonAsync("/api/members", new
        {
            name = "李红", phone = "13900001111", communityCode = CommunityA, branch = "第一党支部", cellCode = CellA1, organCode = Organ,
        });
        member.EnsureSuccessStatusCode();
        MemberA = (await member.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;

        await SaveUser(admin, "committee-a", Roles.Committee, CommunityA);
        await SaveUser(admin, "committee-b", Roles.Committee, CommunityB);
        await SaveUser(admin, "scheduler-a", Roles.Scheduler, CommunityA);
        await SaveUser(admin, "worker-a1", Roles.GridWorker, CommunityA, cells: [CellA1]);
        await SaveUser(admin, "member-a", Roles.Member, CommunityA, memberId: MemberA);
    }

    private static async Task SaveUser(HttpClient admin, string username, string role, string community, string[]? cells = null, string? memberId = null)
    {
        var response = await admin.PutAsJsonAsync($"/api/users/{username}", new
        {
            displayName = username, role, communityCode = community, cellCodes = cells ?? [], memberId, password = Password,
        });
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
    }

    /// <summary>A client signed in as <paramref name="username"/> (tokens are cached per user).</summary>
    public async Task<HttpClient> As(string username)
    {
        var client = CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", await Token(username));
        return client;
    }

    public async Task<string> Token(string username)
    {
        if (!tokens.TryGetValue(username, out var token))
        {
            var response = await CreateClient().PostAsJsonAsync("/api/auth/token",
                new { username, password = username == "root" ? AdminPassword : Password });
            Assert.True(response.IsSuccessStatusCode, $"sign-in as {username}: {await response.Content.ReadAsStringAsync()}");
            tokens[username] = token = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("access_token").GetString()!;
        }
        return token;
    }

    /// <summary>The real .NET SignalR client on the command hub over WebSockets (token in access_token, as browsers send it).</summary>
    public async Task<HubConnection> Hub(string? username)
    {
        var token = username is null ? null : await Token(username);
        return new HubConnectionBuilder()
            .WithUrl(new Uri(Server.BaseAddress, CommandHub.Path), o =>
            {
                o.Transports = HttpTransportType.WebSockets;
                o.SkipNegotiation = true;
                o.AccessTokenProvider = () => Task.FromResult(token);
                // As a browser does: the token in the query string, since WebSocket requests carry no Authorization header.
                o.WebSocketFactory = (context, cancel) =>
                {
                    var uri = token is null ? context.Uri : new Uri($"{context.Uri}{(context.Uri.Query.Length > 0 ? "&" : "?")}access_token={Uri.EscapeDataString(token)}");
                    return new ValueTask<System.Net.WebSockets.WebSocket>(Server.CreateWebSocketClient().ConnectAsync(uri, cancel));
                };
            })
            .Build();
    }

    async Task IAsyncLifetime.DisposeAsync()
    {
        await base.DisposeAsync();
        await DropStorage();
    }

    protected virtual Task DropStorage() => Task.CompletedTask;
}

/// <summary>The real node on the postgres profile: its own database, PostgreSQL clustering, a configured token key.</summary>
public sealed class PostgresGridHost : GridHost
{
    public string ConnectionString { get; private set; } = "";

    protected override async Task PrepareStorage() => ConnectionString = await TestPostgres.CreateDatabaseAsync("api");

    protected override void ConfigureProfile(IWebHostBuilder builder) => builder.UsePostgresProfile(ConnectionString);

    protected override Task DropStorage() => TestPostgres.DropDatabaseAsync(ConnectionString);

    public override string AuditTable => "audit_log";

    public override async Task ExecuteInDatabase(string sql)
    {
        await using var connection = new Npgsql.NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var command = new Npgsql.NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }
}

[CollectionDefinition(Name)]
public sealed class PostgresGridHostCollection : ICollectionFixture<PostgresGridHost>
{
    public const string Name = "grid host on postgres";
}

[CollectionDefinition(Name)]
public sealed class GridHostCollection : ICollectionFixture<GridHost>
{
    public const string Name = "grid host";
}
