using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Playwright;

namespace Grid.Tests.Browser;

/// <summary>The grid worker's phone page (/worker.html) in Chromium at phone size, checked against the API.</summary>
[Collection(BrowserCollection.Name)]
[Trait("Tier", "EndToEnd")]
public sealed class WorkerPageTests(BrowserNode grid)
{
    private const int MinTouchTarget = 44;

    [Fact]
    public async Task A_grid_worker_closes_an_issue_from_the_phone_page()
    {
        // The committee reports, accepts and dispatches to the worker, through the API.
        var committee = await grid.As(BrowserNode.Committee);
        var report = new HttpRequestMessage(HttpMethod.Post, "/api/issues")
        {
            Content = JsonContent.Create(new
            {
                cellCode = grid.Cell, categoryCode = "10.02", title = "3幢楼道堆放杂物",
                description = "3幢2单元楼道堆满纸箱和旧家具，影响通行", reporterName = "张阿姨", reporterPhone = "13812345678",
            }),
        };
        report.Headers.Add("Idempotency-Key", Guid.NewGuid().ToString());
        var reported = await BrowserNode.Ok(await committee.SendAsync(report), HttpStatusCode.Created);
        var id = reported.GetProperty("id").GetString()!;
        var createdUtc = reported.GetProperty("createdUtc").GetDateTimeOffset();
        await BrowserNode.Ok(await committee.PostAsJsonAsync($"/api/issues/{id}/accept", new { }));
        await BrowserNode.Ok(await committee.PostAsJsonAsync($"/api/issues/{id}/dispatch",
            new { assignee = new { kind = "grid_worker", id = BrowserNode.Worker } }));

        await using var phone = await grid.NewPhone();
        var page = await phone.NewPageAsync();
        await WithEvidence(page, "close-issue", async () =>
        {
            // The dashboard's login panel links to the phone page.
            await page.GotoAsync(Url("/"));
            await page.Locator("#login-panel a[href='/worker.html']").TapAsync();
            await page.Locator("#login-title", new() { HasTextString = "网格员登录" }).WaitForAsync();
            Assert.EndsWith("/worker.html", page.Url);
            await SignIn(page);

            var item = page.Locator($".inbox-item[data-issue-id='{id}']");
            await item.WaitForAsync();
            var text = await item.InnerTextAsync();
            Assert.Contains("3幢楼道堆放杂物", text);
            Assert.Contains("待接单", text);
            Assert.Contains("剩余", text);   // the deadline counts down
            Assert.Contains("第一网格", text); // the cell's name, not its code
            await AssertTappable(page.Locator("#refresh"), page.Locator("#tab-inbox"), page.Locator("#tab-report"), item);
            await AssertNoHorizontalScroll(page);
            await Screenshot(page, "worker-inbox.png");

            await item.TapAsync();
            var detail = page.Locator($"#issue-detail[data-issue-id='{id}']");
            await page.Locator($"#issue-detail[data-issue-id='{id}'][data-status='dispatched']").WaitForAsync();
            // Times are China Standard Time although this phone's clock is set to UTC.
            var reportedAt = createdUtc.ToOffset(TimeSpan.FromHours(8)).ToString("yyyy-MM-dd HH:mm");
            Assert.Equal(reportedAt, await detail.Locator("#issue-history li[data-action='report'] time").InnerTextAsync());
            Assert.Contains("13812345678", await page.Locator("#issue-facts").InnerTextAsync()); // the cell's worker sees the phone

            await AssertTappable(page.Locator("#start"));
            await page.Locator("#start").TapAsync();
            await page.Locator("#issue-detail[data-status='in_progress']").WaitForAsync();
            await page.Locator("#resolve-note").FillAsync("已联系住户清理楼道杂物，\n通道恢复畅通");
            await page.Locator("#resolve-photo").SetInputFilesAsync(new FilePayload { Name = "after.png", MimeType = "image/png", Buffer = TestPng.Make() });
            await page.Locator("#resolve-photo-name", new() { HasTextString = "after.png" }).WaitForAsync();
            await AssertTappable(page.Locator("#resolve"));
            await page.Locator("#resolve").TapAsync();

            await page.Locator("#issue-detail[data-status='resolved']").WaitForAsync();
            await page.Locator("#issue-photos figure[data-kind='after'] img[src^='blob:']").WaitForAsync();
            await page.Locator("#detail-message[data-kind='ok']").WaitForAsync();
            Assert.True(await page.Locator("#start").IsHiddenAsync());
            Assert.True(await page.Locator("#resolve-form").IsHiddenAsync());
            await AssertNoHorizontalScroll(page);
            await Screenshot(page, "worker-after-resolve.png", fullPage: true);
        });

        // The API agrees: resolved by the worker, with one after-photo.
        var issue = await BrowserNode.Ok(await committee.GetAsync($"/api/issues/{id}"));
        Assert.Equal("resolved", issue.GetProperty("status").GetString());
        var history = issue.GetProperty("history").EnumerateArray().ToList();
        var start = Assert.Single(history, h => h.GetProperty("action").GetString() == "start");
        Assert.Equal(BrowserNode.Worker, start.GetProperty("actor").GetString());
        var resolve = Assert.Single(history, h => h.GetProperty("action").GetString() == "resolve");
        Assert.Equal(BrowserNode.Worker, resolve.GetProperty("actor").GetString());
        Assert.Equal("已联系住户清理楼道杂物， 通道恢复畅通", resolve.GetProperty("note").GetString());
        var photo = Assert.Single(issue.GetProperty("photos").EnumerateArray());
        Assert.Equal("after", photo.GetProperty("kind").GetString());
        Assert.Equal("image/png", photo.GetProperty("contentType").GetString());

        // The committee verifies: closed.
        var verified = await BrowserNode.Ok(await committee.PostAsJsonAsync($"/api/issues/{id}/verify", new { passed = true }));
        Assert.Equal("closed", verified.GetProperty("status").GetString());
    }

    [Fact]
    public async Task A_grid_worker_reports_an_issue_on_the_spot()
    {
        await using var phone = await grid.NewPhone(geolocation: true);
        var page = await phone.NewPageAsync();
        var id = "";
        await WithEvidence(page, "on-spot", async () =>
        {
            await page.GotoAsync(Url("/worker.html"));
            await SignIn(page);
            await page.Locator("#tab-report").TapAsync();
            await page.Locator("#report-form").WaitForAsync();
            // My only cell is chosen for me, by name; categories are subclasses grouped under their class.
            await page.Locator("#report-category optgroup[label='安全隐患'] option[value='13.02']").WaitForAsync(new() { State = WaitForSelectorState.Attached });
            Assert.Equal(grid.Cell, await page.Locator("#report-cell").InputValueAsync());
            Assert.Contains("第一网格", await page.Locator("#report-cell option:checked").InnerTextAsync());
            Assert.Equal(0, await page.Locator("#report-category option[value='13']").CountAsync());

            await page.Locator("#report-category").SelectOptionAsync("13.02");
            await page.Locator("#report-title").FillAsync("5幢楼道电动车飞线充电");
            await page.Locator("#report-description").FillAsync("5幢1单元一楼楼道内\n电动车从窗口拉线充电");
            await page.Locator("#report-name").FillAsync("李师傅");
            await page.Locator("#report-phone").FillAsync("13900002222");
            await page.Locator("#report-locate").TapAsync();
            await page.Locator("#report-location", new() { HasTextString = "已定位" }).WaitForAsync();
            await page.Locator("#on-spot").CheckAsync();
            await page.Locator("#on-spot-note").FillAsync("已劝导住户将电动车移至小区集中充电点");
            await page.Locator("#report-photo").SetInputFilesAsync(new FilePayload { Name = "before.png", MimeType = "image/png", Buffer = TestPng.Make(tint: 90) });
            await page.Locator("#report-photo-preview[src^='blob:']").WaitForAsync();
            await AssertTappable(page.Locator("#report-submit"), page.Locator("#report-locate"), page.Locator("label[for='on-spot']"),
                page.Locator("label[for='report-photo']"), page.Locator("#report-photo-clear"));
            await AssertNoHorizontalScroll(page);
            await Screenshot(page, "worker-report.png", fullPage: true);

            await page.Locator("#report-submit").TapAsync();
            var result = page.Locator("#report-result[data-status='resolved'][data-photo='uploaded']");
            await result.WaitForAsync();
            id = (await result.GetAttributeAsync("data-issue-id"))!;
            Assert.StartsWith(grid.Cell + "-", id);
            Assert.Contains("就地解决", await result.InnerTextAsync());
            Assert.True(await page.Locator("#report-form").IsHiddenAsync());
            await Screenshot(page, "worker-report-done.png");

            // Signing out forgets the token.
            await page.Locator("#logout").TapAsync();
            await page.Locator("#login-form").WaitForAsync();
            Assert.Null(await page.EvaluateAsync<string?>("sessionStorage.getItem('grid.token')"));
        });

        var committee = await grid.As(BrowserNode.Committee);
        var issue = await BrowserNode.Ok(await committee.GetAsync($"/api/issues/{id}"));
        Assert.Equal("resolved", issue.GetProperty("status").GetString());
        Assert.Equal(BrowserNode.Worker, issue.GetProperty("reportedBy").GetString());
        Assert.Equal("grid_worker", issue.GetProperty("source").GetString());
        Assert.Equal("13.02", issue.GetProperty("categoryCode").GetString());
        Assert.Equal("5幢楼道电动车飞线充电", issue.GetProperty("title").GetString());
        Assert.Equal("李师傅", issue.GetProperty("reporterName").GetString());
        Assert.Equal(120.4215, issue.GetProperty("location").GetProperty("lng").GetDouble(), 4);
        Assert.Equal(30.7115, issue.GetProperty("location").GetProperty("lat").GetDouble(), 4);
        Assert.Equal(BrowserNode.Worker, issue.GetProperty("assignee").GetProperty("id").GetString());
        var onSpot = Assert.Single(issue.GetProperty("history").EnumerateArray(), h => h.GetProperty("action").GetString() == "resolve_on_spot");
        Assert.Equal(BrowserNode.Worker, onSpot.GetProperty("actor").GetString());
        Assert.Equal("已劝导住户将电动车移至小区集中充电点", onSpot.GetProperty("note").GetString());
        var photo = Assert.Single(issue.GetProperty("photos").EnumerateArray());
        Assert.Equal("before", photo.GetProperty("kind").GetString());
    }

    [Fact]
    public async Task The_phone_page_survives_a_flaky_network_bad_photos_and_someone_acting_first()
    {
        var committee = await grid.As(BrowserNode.Committee);
        await using var phone = await grid.NewPhone();
        var page = await phone.NewPageAsync();
        var keys = new List<string>();
        page.Request += (_, r) =>
        {
            if (r.Method == "POST" && r.Url.EndsWith("/api/issues", StringComparison.Ordinal) && r.Headers.TryGetValue("idempotency-key", out var key))
                lock (keys) keys.Add(key);
        };
        var reportedId = "";
        const string title = "2幢门口路灯不亮";
        await WithEvidence(page, "flaky", async () =>
        {
            await page.GotoAsync(Url("/worker.html#report"));
            await SignIn(page);
            await page.Locator("#report-category option[value='01.02']").WaitForAsync(new() { State = WaitForSelectorState.Attached });
            await page.Locator("#report-category").SelectOptionAsync("01.02");
            await page.Locator("#report-title").FillAsync(title);

            // The first answer is lost on the way back: the server created the issue, the phone saw a network error.
            var lost = 0;
            await page.RouteAsync("**/api/issues", async route =>
            {
                if (route.Request.Method == "POST" && Interlocked.Exchange(ref lost, 1) == 0)
                {
                    await route.FetchAsync();
                    await route.AbortAsync("internetdisconnected");
                }
                else await route.ContinueAsync();
            });
            await page.Locator("#report-submit").TapAsync();
            await page.Locator("#report-error", new() { HasTextString = "网络异常" }).WaitForAsync();
            await page.Locator("#report-submit").TapAsync();
            var result = page.Locator("#report-result[data-issue-id]");
            await result.WaitForAsync();
            reportedId = (await result.GetAttributeAsync("data-issue-id"))!;
        });
        // Both tries carried one key, and the cell has the issue once.
        Assert.Equal(2, keys.Count);
        Assert.Equal(keys[0], keys[1]);
        var listed = await BrowserNode.Ok(await committee.GetAsync($"/api/cells/{grid.Cell}/issues"));
        Assert.Single(listed.GetProperty("items").EnumerateArray(), i => i.GetProperty("title").GetString() == title);
        Assert.Equal(reportedId, listed.GetProperty("items").EnumerateArray().Single(i => i.GetProperty("title").GetString() == title).GetProperty("id").GetString());

        // The committee accepts and dispatches it to the worker, who opens it.
        await BrowserNode.Ok(await committee.PostAsJsonAsync($"/api/issues/{reportedId}/accept", new { }));
        var assignee = new { assignee = new { kind = "grid_worker", id = BrowserNode.Worker } };
        await BrowserNode.Ok(await committee.PostAsJsonAsync($"/api/issues/{reportedId}/dispatch", assignee));
        await WithEvidence(page, "conflicts", async () =>
        {
            await page.GotoAsync(Url($"/worker.html#issue/{reportedId}"));
            await page.Locator($"#issue-detail[data-issue-id='{reportedId}'][data-status='dispatched']").WaitForAsync();

            // 412: the committee dispatched again meanwhile, so the page's version is stale.
            await BrowserNode.Ok(await committee.PostAsJsonAsync($"/api/issues/{reportedId}/dispatch", assignee));
            await page.Locator("#start").TapAsync();
            await page.Locator("#detail-message[data-kind='warn']", new() { HasTextString = "不是最新版本" }).WaitForAsync();
            Assert.Equal("dispatched", await page.Locator("#issue-detail").GetAttributeAsync("data-status"));
            await page.Locator("#start").TapAsync();
            await page.Locator("#issue-detail[data-status='in_progress']").WaitForAsync();

            // Photos the server would refuse: the page says why, and nothing is resolved.
            await page.Locator("#resolve-note").FillAsync("已报修");
            await page.Locator("#resolve-photo").SetInputFilesAsync(new FilePayload { Name = "notes.txt", MimeType = "text/plain", Buffer = "不是照片"u8.ToArray() });
            await page.Locator("#resolve-photo-name", new() { HasTextString = "JPEG" }).WaitForAsync();
            await page.Locator("#resolve").TapAsync();
            await page.Locator("#detail-message[data-kind='error']", new() { HasTextString = "JPEG" }).WaitForAsync();
            await page.Locator("#resolve-photo").SetInputFilesAsync(new FilePayload { Name = "fake.png", MimeType = "image/png", Buffer = "not really a PNG"u8.ToArray() });
            await page.Locator("#resolve").TapAsync();
            await page.Locator("#detail-message[data-kind='error']", new() { HasTextString = "照片上传失败" }).WaitForAsync();
            Assert.Equal("in_progress", await page.Locator("#issue-detail").GetAttributeAsync("data-status"));
            await page.Locator("#resolve-photo-clear").TapAsync();
            Assert.True(await page.Locator("#resolve-photo-chosen").IsHiddenAsync());

            // 409: the committee resolved it on the worker's behalf first.
            await BrowserNode.Ok(await committee.PostAsJsonAsync($"/api/issues/{reportedId}/resolve", new { note = "社区已代为报修" }));
            await page.Locator("#resolve").TapAsync();
            await page.Locator("#detail-message[data-kind='warn']", new() { HasTextString = "状态已变化" }).WaitForAsync();
            await page.Locator("#issue-detail[data-status='resolved']").WaitForAsync();
            Assert.True(await page.Locator("#resolve-form").IsHiddenAsync());
        });

        var issue = await BrowserNode.Ok(await committee.GetAsync($"/api/issues/{reportedId}"));
        Assert.Equal("resolved", issue.GetProperty("status").GetString());
        Assert.Empty(issue.GetProperty("photos").EnumerateArray());
        var resolve = Assert.Single(issue.GetProperty("history").EnumerateArray(), h => h.GetProperty("action").GetString() == "resolve");
        Assert.Equal(BrowserNode.Committee, resolve.GetProperty("actor").GetString());
    }

    private string Url(string path) => new Uri(grid.Node.Address, path).ToString();

    private static async Task SignIn(IPage page)
    {
        await page.Locator("#login-form").WaitForAsync();
        await page.Locator("#username").FillAsync(BrowserNode.Worker);
        await page.Locator("#password").FillAsync(BrowserNode.Password);
        await page.Locator("#login-form button[type='submit']").TapAsync();
        await page.Locator("#who", new() { HasTextString = BrowserNode.WorkerName }).WaitForAsync();
        Assert.NotNull(await page.EvaluateAsync<string?>("sessionStorage.getItem('grid.token')"));
    }

    private static async Task AssertTappable(params ILocator[] targets)
    {
        foreach (var target in targets)
        {
            var box = await target.BoundingBoxAsync();
            Assert.NotNull(box);
            Assert.True(box.Height >= MinTouchTarget && box.Width >= MinTouchTarget,
                $"{target} is {box.Width}×{box.Height} CSS px; touch targets need at least {MinTouchTarget}px.");
        }
    }

    private static async Task AssertNoHorizontalScroll(IPage page)
    {
        var width = await page.EvaluateAsync<int>("document.documentElement.scrollWidth");
        Assert.True(width <= 390, $"the page is {width}px wide at a 390px viewport: it scrolls sideways.");
    }

    private static async Task Screenshot(IPage page, string name, bool fullPage = false)
    {
        // From the top, or the sticky top bar lands mid-page in a full-page picture.
        if (fullPage) await page.EvaluateAsync("window.scrollTo({ top: 0, behavior: 'instant' })");
        await page.ScreenshotAsync(new() { Path = Path.Combine(BrowserNode.ArtifactsDirectory, name), FullPage = fullPage });
    }

    /// <summary>Runs the browser part; on failure keeps a screenshot and the page's console in the message.</summary>
    private static async Task WithEvidence(IPage page, string name, Func<Task> steps)
    {
        var console = new List<string>();
        page.Console += (_, m) => { lock (console) console.Add($"console.{m.Type}: {m.Text}"); };
        page.PageError += (_, e) => { lock (console) console.Add($"page error: {e}"); };
        page.RequestFailed += (_, r) => { lock (console) console.Add($"request failed: {r.Method} {r.Url} {r.Failure}"); };
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
