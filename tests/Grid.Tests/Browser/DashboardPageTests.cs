using System.Diagnostics;
using System.Net.Http.Json;
using Grid.Tests.Live;
using Microsoft.Extensions.Time.Testing;
using Microsoft.Playwright;

namespace Grid.Tests.Browser;

/// <summary>
/// The real node in this process on a real Kestrel port, a community built through its API, and
/// Debian's Chromium. With a moved clock (<see cref="DashboardNode"/>) the node's deadline watch
/// escalates on that clock, so a test can let a deadline pass without waiting hours; the live
/// fan-out runs on real time either way.
/// </summary>
public abstract class DashboardFixture(bool movedClock) : IAsyncLifetime
{
    public FakeTimeProvider? Clock { get; } = movedClock ? new(DateTimeOffset.UtcNow) : null;
    public string Community { get; } = TestData.NewCommunityCode();
    public const int Cells = 6;
    public KestrelNode Node { get; private set; } = null!;
    public IBrowser Browser { get; private set; } = null!;
    private IPlaywright? playwright;

    public async Task InitializeAsync()
    {
        if (!File.Exists(BrowserNode.ChromiumPath))
            throw new InvalidOperationException($"The browser tests need Debian's Chromium at {BrowserNode.ChromiumPath} (tests/run.sh installs it).");
        Directory.CreateDirectory(BrowserNode.ArtifactsDirectory);
        Node = await new KestrelNode(TestData.TempDirectory("dashboard"), Clock).Started();
        try
        {
            await LiveWorld.Build(Node, Community, Cells);
            playwright = await Playwright.CreateAsync();
            Browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
            {
                ExecutablePath = BrowserNode.ChromiumPath,
                Headless = true,
                Timeout = 60_000,
                Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-quic", "--no-first-run", "--disable-sync"],
            });
        }
        catch
        {
            await DisposeAsync();
            throw;
        }
    }

    public async Task DisposeAsync()
    {
        if (Browser is not null) await Browser.CloseAsync();
        playwright?.Dispose();
        if (Node is not null) await Node.DisposeAsync();
    }
}

/// <summary>A clock the tests move: issued tokens and deadlines follow it, so its tests never sign in after moving it.</summary>
public sealed class DashboardNode() : DashboardFixture(movedClock: true);

public sealed class SystemClockDashboardNode() : DashboardFixture(movedClock: false);

[Trait("Tier", "EndToEnd")]
public sealed class DashboardPageTests(DashboardNode grid) : IClassFixture<DashboardNode>
{
    /// <summary>"Within seconds": what the dashboard must manage after the API answered.</summary>
    private const float Live = 5_000;

    private string Cell(int n) => LiveWorld.CellCode(grid.Community, n);

    [Fact]
    public async Task The_dashboard_draws_every_cell_and_turns_a_cell_overdue_with_the_counters_within_seconds()
    {
        // A wall screen: 1920×1080, Chinese, its clock not in China (the page converts to CST itself).
        await using var context = await grid.Browser.NewContextAsync(new BrowserNewContextOptions
        {
            ViewportSize = new ViewportSize { Width = 1920, Height = 1080 }, Locale = "zh-CN", TimezoneId = "UTC",
        });
        context.SetDefaultTimeout(BrowserNode.Timeout);
        var page = await context.NewPageAsync();
        await WithEvidence(page, "dashboard", async () =>
        {
            await page.GotoAsync(new Uri(grid.Node.Address, "/").ToString());
            await page.Locator("#username").FillAsync(LiveWorld.Committee);
            await page.Locator("#password").FillAsync(KestrelNode.Password);
            await page.Locator("#login-form button[type='submit']").ClickAsync();

            // Every cell drawn, live, and the snapshot's counters on screen.
            await page.Locator($"#map[data-cell-count='{DashboardFixture.Cells}']").WaitForAsync();
            for (var n = 1; n <= DashboardFixture.Cells; n++)
                await page.Locator($"path.cell[data-cell-code='{Cell(n)}'][data-status='normal']").WaitForAsync();
            Assert.Equal(DashboardFixture.Cells, await page.Locator("path.cell").CountAsync());
            await page.Locator("#live-indicator[data-state='live']").WaitForAsync();
            Assert.Equal("实时", await page.Locator("#live-indicator .live-text").InnerTextAsync());
            await page.Locator("#app[data-snapshot-at]").WaitForAsync();
            await Expect(page.Locator("#counter-open"), "0");
            await Expect(page.Locator("#counter-overdue"), "0");
            await Expect(page.Locator("#counter-on-time"), "—");
            await Expect(page.Locator("#counter-red-saturday"), "—");

            // The committee reports and dispatches through the API: within seconds the cell is amber and one issue is open.
            using var committee = await grid.Node.As(LiveWorld.Committee);
            var id = await LiveWorld.Report(committee, Cell(1), "13.03", "3号路口道路塌陷");
            await LiveWorld.Ok(await committee.PostAsJsonAsync($"/api/issues/{id}/accept", new { }));
            await LiveWorld.Ok(await committee.PostAsJsonAsync($"/api/issues/{id}/dispatch", new { assignee = new { kind = "grid_worker", id = LiveWorld.Worker } }));
            var answered = Stopwatch.StartNew();
            await page.Locator($"path.cell[data-cell-code='{Cell(1)}'][data-status='attention']").WaitForAsync(new() { Timeout = Live });
            await Expect(page.Locator("#counter-open"), "1", Live);
            var amberAfter = answered.Elapsed;
            await page.Locator($"#event-ticker li[data-issue-id='{id}']").First.WaitForAsync(new() { Timeout = Live });

            // 道路塌陷 must be handled in 4 hours. Five hours later the deadline watch escalates it:
            // within seconds the cell turns to the overdue colour and the overdue counter changes.
            grid.Clock!.Advance(TimeSpan.FromHours(5));
            var passed = Stopwatch.StartNew();
            var cell = page.Locator($"path.cell[data-cell-code='{Cell(1)}'][data-status='overdue']");
            await cell.WaitForAsync(new() { Timeout = Live });
            await Expect(page.Locator("#counter-overdue"), "1", Live);
            var redAfter = passed.Elapsed;
            // The overdue colour itself (--st-overdue), once the colour transition has run.
            await page.WaitForFunctionAsync($"() => getComputedStyle(document.querySelector(\"path.cell[data-cell-code='{Cell(1)}']\")).fill === 'rgb(217, 54, 62)'",
                null, new() { Timeout = Live });
            await page.Locator("#event-ticker li[data-kind='escalation']").First.WaitForAsync(new() { Timeout = Live });
            Assert.Equal("1", await page.Locator(".legend-item[data-status='overdue'] b").InnerTextAsync());
            for (var n = 2; n <= DashboardFixture.Cells; n++)
                Assert.Equal("normal", await page.Locator($"path.cell[data-cell-code='{Cell(n)}']").GetAttributeAsync("data-status"));

            // Drill-down: the grid worker, the members placed, the issue (late) — and no resident's name or phone anywhere.
            await page.Locator($"path.cell[data-cell-code='{Cell(1)}']").ClickAsync();
            var detail = page.Locator($"#cell-detail[data-cell-code='{Cell(1)}']");
            await detail.Locator($"#cell-issues li.late[data-issue-id='{id}']").WaitForAsync();
            var text = await detail.InnerTextAsync();
            Assert.Contains(LiveWorld.WorkerName, text);
            await detail.Locator($"text={LiveWorld.MemberName}").WaitForAsync(); // from the member's public card
            Assert.Contains("3号路口道路塌陷", text);
            Assert.Contains("超期", text);
            // Filters: another category hides it; its own class shows it.
            await page.Locator("#filter-category").SelectOptionAsync("10");
            await detail.Locator("text=在办诉求 0 件（已按类别筛选）").WaitForAsync();
            await page.Locator("#filter-category").SelectOptionAsync("13");
            await detail.Locator($"#cell-issues li[data-issue-id='{id}']").WaitForAsync();
            await page.Locator("#filter-status").SelectOptionAsync("closed");
            await detail.Locator("text=已结案诉求 0 件").WaitForAsync();
            await page.Locator("#filter-status").SelectOptionAsync("");
            await detail.Locator($"#cell-issues li[data-issue-id='{id}']").WaitForAsync();
            // The legend filters the map by status.
            await page.Locator(".legend-item[data-status='normal']").ClickAsync();
            Assert.Equal(DashboardFixture.Cells - 1, await page.Locator("path.cell.dimmed").CountAsync());
            await page.Locator(".legend-item[data-status='normal']").ClickAsync();
            Assert.Equal(0, await page.Locator("path.cell.dimmed").CountAsync());

            var everything = await page.Locator("body").InnerTextAsync();
            Assert.DoesNotContain("13812345678", everything);
            Assert.DoesNotContain("张阿姨", everything);
            Assert.DoesNotContain(LiveWorld.MemberPhone, everything);
            await AssertFits(page, 1920);
            await page.ScreenshotAsync(new() { Path = Path.Combine(BrowserNode.ArtifactsDirectory, "dashboard-wall-overdue.png") });

            // The same dashboard on a laptop.
            await page.SetViewportSizeAsync(1366, 768);
            await cell.WaitForAsync();
            await AssertFits(page, 1366);
            await page.ScreenshotAsync(new() { Path = Path.Combine(BrowserNode.ArtifactsDirectory, "dashboard-laptop-overdue.png") });

            Assert.True(amberAfter < TimeSpan.FromMilliseconds(Live) && redAfter < TimeSpan.FromMilliseconds(Live), $"{amberAfter}, {redAfter}");
        });
    }

    internal static async Task Expect(ILocator locator, string text, float timeout = BrowserNode.Timeout)
    {
        var deadline = Stopwatch.StartNew();
        string? seen = null;
        while (deadline.ElapsedMilliseconds < timeout)
        {
            seen = await locator.InnerTextAsync();
            if (seen == text) return;
            await Task.Delay(50);
        }
        Assert.Fail($"{locator} shows '{seen}', not '{text}', after {timeout} ms.");
    }

    private static async Task AssertFits(IPage page, int width)
    {
        var scroll = await page.EvaluateAsync<int>("document.documentElement.scrollWidth");
        Assert.True(scroll <= width, $"the page is {scroll}px wide at a {width}px viewport.");
    }

    internal static async Task WithEvidence(IPage page, string name, Func<Task> steps)
    {
        var console = new List<string>();
        page.Console += (_, m) => { lock (console) console.Add($"console.{m.Type}: {m.Text}"); };
        page.PageError += (_, e) => { lock (console) console.Add($"page error: {e}"); };
        try
        {
            await steps();
        }
        catch (Exception e)
        {
            var shot = Path.Combine(BrowserNode.ArtifactsDirectory, $"{name}-failure.png");
            try { await page.ScreenshotAsync(new() { Path = shot, FullPage = true }); } catch { /* the page may be gone */ }
            string log;
            lock (console) log = string.Join("\n", console);
            throw new Xunit.Sdk.XunitException($"{e.Message}\nScreenshot: {shot}\nPage console:\n{log}\n{e}");
        }
    }
}

/// <summary>
/// Orleans' dashboard from the command dashboard, on a node with the real clock: this test signs in
/// afresh, and a node whose token clock another test moved ahead would issue tokens not yet valid.
/// </summary>
[Trait("Tier", "EndToEnd")]
public sealed class OrleansDashboardPageTests(SystemClockDashboardNode grid) : IClassFixture<SystemClockDashboardNode>
{
    [Fact]
    public async Task An_administrator_opens_Orleans_dashboard_from_the_command_dashboard()
    {
        await using var context = await grid.Browser.NewContextAsync(new BrowserNewContextOptions
        {
            ViewportSize = new ViewportSize { Width = 1366, Height = 768 }, Locale = "zh-CN", TimezoneId = "Asia/Shanghai",
        });
        context.SetDefaultTimeout(BrowserNode.Timeout);
        var page = await context.NewPageAsync();
        await DashboardPageTests.WithEvidence(page, "orleans", async () =>
        {
            await page.GotoAsync(new Uri(grid.Node.Address, "/").ToString());
            await page.Locator("#username").FillAsync("root");
            await page.Locator("#password").FillAsync(KestrelNode.AdminPassword);
            await page.Locator("#login-form button[type='submit']").ClickAsync();
            var link = page.Locator("#orleans-link");
            await link.WaitForAsync();

            // 集群监控 opens Orleans' dashboard in a new tab, signed in by its own cookie; its data calls succeed.
            var popup = await page.RunAndWaitForPopupAsync(() => link.ClickAsync());
            var counters = await popup.WaitForResponseAsync(r => r.Url.Contains("/orleans/DashboardCounters"));
            Assert.Equal(200, counters.Status);
            Assert.EndsWith("/orleans/", popup.Url);
            await popup.ScreenshotAsync(new() { Path = Path.Combine(BrowserNode.ArtifactsDirectory, "orleans-dashboard.png") });
            await popup.CloseAsync();

            // Signing out takes the cookie away.
            await page.Locator("#logout").ClickAsync();
            await page.Locator("#login-panel").WaitForAsync();
            var again = await context.NewPageAsync();
            var denied = await again.GotoAsync(new Uri(grid.Node.Address, "/orleans/").ToString());
            for (var i = 0; denied!.Status != 401 && i < 20; i++) { await Task.Delay(100); denied = await again.ReloadAsync(); }
            Assert.Equal(401, denied!.Status);
        });

        // A committee has no such button.
        var committeePage = await context.NewPageAsync();
        await committeePage.GotoAsync(new Uri(grid.Node.Address, "/").ToString());
        await committeePage.Locator("#username").FillAsync(LiveWorld.Committee);
        await committeePage.Locator("#password").FillAsync(KestrelNode.Password);
        await committeePage.Locator("#login-form button[type='submit']").ClickAsync();
        await committeePage.Locator("#live-indicator[data-state='live']").WaitForAsync();
        Assert.True(await committeePage.Locator("#orleans-link").IsHiddenAsync());
    }

}
