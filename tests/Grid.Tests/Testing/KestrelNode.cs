using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Grid.Tests.Testing;

/// <summary>
/// The real node (Program) in this process, served by a real Kestrel on a loopback port, so
/// that several nodes can form one cluster here, SignalR clients connect over WebSockets, and
/// Chromium can load the dashboard; optionally with a clock the test moves (grains, deadline
/// watch and hub read the TimeProvider from DI; the live fan-out's windows run on real time).
/// </summary>
public sealed class KestrelNode : WebApplicationFactory<Program>
{
    private readonly Dictionary<string, string?> settings;
    private readonly TimeProvider? clock;
    private readonly Dictionary<string, string> tokens = [];

    public KestrelNode(string dataDirectory, TimeProvider? clock = null, int? primarySiloPort = null, IDictionary<string, string?>? settings = null)
    {
        DataDirectory = dataDirectory;
        this.clock = clock;
        HttpPort = TestData.FreeTcpPort();
        SiloPort = TestData.FreeTcpPort();
        this.settings = new Dictionary<string, string?>
        {
            ["urls"] = $"http://127.0.0.1:{HttpPort}",
            ["Grid:DataDirectory"] = dataDirectory,
            ["Grid:SiloPort"] = SiloPort.ToString(),
            ["Grid:PrimarySiloPort"] = (primarySiloPort ?? 0).ToString(),
            ["Grid:Seed:Demo"] = "false",
            ["Grid:Admin:Username"] = "root",
            ["Grid:Admin:Password"] = AdminPassword,
            // Several tests sign in and report from one address and user in quick succession.
            ["Grid:RateLimits:TokenPerMinute"] = "10000",
            ["Grid:RateLimits:ReportsPerMinute"] = "10000",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>()) this.settings[key] = value;
        UseKestrel(HttpPort);
    }

    public const string AdminPassword = "kestrel-admin-password";
    public const string Password = "kestrel-test-password";

    public string DataDirectory { get; }
    public int HttpPort { get; }
    public int SiloPort { get; }
    public Uri Address => new($"http://127.0.0.1:{HttpPort}");

    public IGrainFactory Grains => Services.GetRequiredService<IGrainFactory>();

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        foreach (var (key, value) in settings) builder.UseSetting(key, value);
        if (clock is not null)
            builder.ConfigureTestServices(services =>
            {
                services.RemoveAll<TimeProvider>();
                services.AddSingleton(clock);
            });
    }

    /// <summary>Starts the host (silo, API, Kestrel) and waits until it answers as ready.</summary>
    public async Task<KestrelNode> Started()
    {
        StartServer();
        using var http = new HttpClient { BaseAddress = Address, Timeout = TimeSpan.FromSeconds(10) };
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(90);
        while (!(await http.GetAsync("/health/ready")).IsSuccessStatusCode)
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"Node on {Address} not ready.");
            await Task.Delay(200);
        }
        return this;
    }

    public async Task<string> Token(string username)
    {
        if (tokens.TryGetValue(username, out var token)) return token;
        using var http = new HttpClient { BaseAddress = Address };
        var response = await http.PostAsJsonAsync("/api/auth/token", new { username, password = username == "root" ? AdminPassword : Password });
        Assert.True(response.IsSuccessStatusCode, $"sign-in as {username}: {await response.Content.ReadAsStringAsync()}");
        return tokens[username] = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("access_token").GetString()!;
    }

    /// <summary>A plain HttpClient on the node's real address, signed in as <paramref name="username"/>.</summary>
    public async Task<HttpClient> As(string username)
    {
        var http = new HttpClient { BaseAddress = Address, Timeout = TimeSpan.FromSeconds(60) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", await Token(username));
        return http;
    }

    /// <summary>The real .NET SignalR client over WebSockets (token in access_token, as browsers send it).</summary>
    public async Task<HubConnection> Hub(string username)
    {
        var token = await Token(username);
        return new HubConnectionBuilder()
            .WithUrl(new Uri(Address, "/hubs/command"), o =>
            {
                o.Transports = HttpTransportType.WebSockets;
                o.SkipNegotiation = true;
                o.AccessTokenProvider = () => Task.FromResult<string?>(token);
            })
            .Build();
    }
}
