using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Grid.Contracts;
using Microsoft.Playwright;

namespace Grid.Tests.Testing;

/// <summary>
/// The node executable as a real process (a real Kestrel serving the static pages exactly as in
/// production), a small world built through its API, and Debian's Chromium driven by Playwright.
/// Never downloads a browser: /usr/bin/chromium is installed by tests/run.sh.
/// </summary>
public sealed class BrowserNode : IAsyncLifetime
{
    public const string ChromiumPath = "/usr/bin/chromium";
    public const string AdminPassword = "browser-admin-password";
    public const string Password = "browser-test-password";
    public const string Committee = "committee-web";
    public const string Worker = "wangge";
    public const string WorkerName = "王网格";

    /// <summary>Generous: CI shares two cores between the node, Chromium and the other tests.</summary>
    public const float Timeout = 30_000;

    public string Community { get; } = TestData.NewCommunityCode();
    public string Cell => Community + "001";
    public string OtherCell => Community + "002";
    public string DataDirectory { get; } = TestData.TempDirectory("browser");

    /// <summary>Screenshots for people to look at: bin/&lt;configuration&gt;/net10.0/artifacts.</summary>
    public static string ArtifactsDirectory { get; } = Path.Combine(AppContext.BaseDirectory, "artifacts");

    public NodeProcess Node { get; private set; } = null!;
    public IBrowser Browser { get; private set; } = null!;
    private IPlaywright? playwright;
    private readonly Dictionary<string, string> tokens = [];

    public async Task InitializeAsync()
    {
        if (!File.Exists(ChromiumPath))
            throw new InvalidOperationException(
                $"The browser tests need Debian's Chromium at {ChromiumPath}, which is missing. " +
                "tests/run.sh installs it (apt-get install chromium fonts-noto-cjk); Playwright must never download a browser here.");
        Directory.CreateDirectory(ArtifactsDirectory);

        Node = await NodeProcess.StartAsync(DataDirectory, TestData.FreeTcpPort(), TestData.FreeTcpPort(),
            "--Grid:Seed:Demo=false", "--Grid:Admin:Username=root", $"--Grid:Admin:Password={AdminPassword}");
        try
        {
            await BuildWorld();
            playwright = await Playwright.CreateAsync();
            Browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
            {
                ExecutablePath = ChromiumPath,
                Headless = true,
                Timeout = 60_000,
                Args =
                [
                    "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                    "--disable-quic", "--no-first-run", "--disable-sync",
                ],
            });
        }
        catch
        {
            // xunit does not dispose a fixture whose start failed: leave no node process behind.
            await DisposeAsync();
            throw;
        }
    }

    /// <summary>A community with two cells, its committee, and a grid worker of the first cell — all through the API.</summary>
    private async Task BuildWorld()
    {
        var admin = await As("root");
        await Ok(await admin.PutAsJsonAsync($"/api/communities/{Community}", new { name = "练溪社区", township = "练市镇", centre = new { lng = 120.43, lat = 30.71 } }));
        var cells = new
        {
            type = "FeatureCollection",
            features = new[] { (Cell, "第一网格", 120.420), (OtherCell, "第二网格", 120.424) }.Select(c => new
            {
                type = "Feature",
                properties = new { code = c.Item1, name = c.Item2 },
                geometry = new { type = "Polygon", coordinates = new[] { TestData.Square(c.Item3).Select(p => new[] { p.Lng, p.Lat }).ToArray() } },
            }),
        };
        await Ok(await admin.PostAsJsonAsync("/api/import/cells", cells));
        await Ok(await admin.PutAsJsonAsync($"/api/users/{Committee}", new
        {
            displayName = "练溪社区指挥中心", role = Roles.Committee, communityCode = Community, password = Password,
        }));
        await Ok(await admin.PutAsJsonAsync($"/api/users/{Worker}", new
        {
            displayName = WorkerName, role = Roles.GridWorker, communityCode = Community, cellCodes = new[] { Cell }, password = Password,
        }));
    }

    /// <summary>An API client signed in as <paramref name="username"/>.</summary>
    public async Task<HttpClient> As(string username)
    {
        var http = new HttpClient { BaseAddress = Node.Address, Timeout = TimeSpan.FromSeconds(60) };
        if (!tokens.TryGetValue(username, out var token))
        {
            var response = await http.PostAsJsonAsync("/api/auth/token", new { username, password = username == "root" ? AdminPassword : Password });
            await Ok(response);
            tokens[username] = token = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("access_token").GetString()!;
        }
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return http;
    }

    public static async Task<JsonElement> Ok(HttpResponseMessage response, HttpStatusCode? expected = null)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(expected is null ? response.IsSuccessStatusCode : response.StatusCode == expected,
            $"{response.RequestMessage?.Method} {response.RequestMessage?.RequestUri?.PathAndQuery}: {(int)response.StatusCode} {body}");
        return body.Length == 0 ? default : JsonDocument.Parse(body).RootElement.Clone();
    }

    /// <summary>A phone: 390×844 CSS pixels at 2×, touch, Chinese; a device clock not in China, so the page must convert to CST itself.</summary>
    public async Task<IBrowserContext> NewPhone(bool geolocation = false)
    {
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions
        {
            ViewportSize = new ViewportSize { Width = 390, Height = 844 },
            DeviceScaleFactor = 2,
            IsMobile = true,
            HasTouch = true,
            Locale = "zh-CN",
            TimezoneId = "UTC",
            Permissions = geolocation ? ["geolocation"] : [],
            Geolocation = geolocation ? new Geolocation { Longitude = 120.4215f, Latitude = 30.7115f, Accuracy = 12 } : null,
        });
        context.SetDefaultTimeout(Timeout);
        return context;
    }

    public async Task DisposeAsync()
    {
        if (Browser is not null) await Browser.CloseAsync();
        playwright?.Dispose();
        if (Node is not null) await Node.DisposeAsync();
        Browser = null!;
        playwright = null;
        Node = null!;
    }
}

[CollectionDefinition(Name)]
public sealed class BrowserCollection : ICollectionFixture<BrowserNode>
{
    public const string Name = "browser";
}
