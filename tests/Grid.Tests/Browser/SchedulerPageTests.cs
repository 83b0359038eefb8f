using System.Net;
using System.Net.Http.Json;
using Grid.Contracts;
using Grid.Grains.Activities;
using Microsoft.Playwright;

namespace Grid.Tests.Browser;

/// <summary>The scheduler's page (/scheduler.html) in Chromium against a real node: schedules, the venue code, live attendance.</summary>
[Collection(BrowserCollection.Name)]
[Trait("Tier", "EndToEnd")]
public sealed class SchedulerPageTests(BrowserNode grid)
{
    private const string Scheduler = "scheduler-web";

    [Fact]
    public async Task A_scheduler_shows_the_venue_code_and_sees_attendance_arrive_live()
    {
        var admin = await grid.As("root");
        await BrowserNode.Ok(await admin.PutAsJsonAsync($"/api/users/{Scheduler}", new
        {
            displayName = "练溪社区活动组织者", role = Roles.Scheduler, communityCode = grid.Community, password = BrowserNode.Password,
        }));
        var members = new List<(string Id, string Username)>();
        foreach (var (name, mobile) in new[] { ("陈红", false), ("周流动", true), ("吴请假", false) })
        {
            var phone = "136" + Random.Shared.Next(10_000_000, 99_999_999);
            var created = await BrowserNode.Ok(await admin.PostAsJsonAsync("/api/members", new
            {
                name, phone, communityCode = grid.Community, branch = "第一党支部", cellCode = grid.Cell, isMobile = mobile, mobileLocation = mobile ? "苏州市" : null,
            }), HttpStatusCode.Created);
            var memberId = created.GetProperty("id").GetString()!;
            await BrowserNode.Ok(await admin.PutAsJsonAsync($"/api/users/u{phone}", new
            {
                displayName = name, role = Roles.Member, communityCode = grid.Community, memberId, password = BrowserNode.Password,
            }));
            members.Add((memberId, $"u{phone}"));
        }

        // A weekly session starting in 20 minutes, so that sign-in is open now.
        var start = DateTimeOffset.UtcNow.ToOffset(TimeSpan.FromHours(8)).AddMinutes(20);
        var scheduler = await grid.As(Scheduler);
        var saved = await BrowserNode.Ok(await scheduler.PutAsJsonAsync($"/api/communities/{grid.Community}/schedules/weekly-study", new
        {
            title = "周六学习会", kind = "other", cron = $"{start.Minute} {start.Hour} * * {(int)start.DayOfWeek}", durationMinutes = 90,
            place = "党群服务中心二楼", defaultTheme = "学习新修订的党章", posts = new[] { "签到引导" },
        }), HttpStatusCode.Created);
        var id = ActivityCalendar.ActivityId(grid.Community, "weekly-study", saved.GetProperty("nextStartsUtc")[0].GetDateTimeOffset());
        await BrowserNode.Ok(await (await grid.As(members[2].Username)).PostAsJsonAsync($"/api/activities/{id}/leave", new { reason = "陪家人就医" }));

        await using var context = await grid.Browser.NewContextAsync(new BrowserNewContextOptions
        {
            ViewportSize = new ViewportSize { Width = 1280, Height = 900 }, Locale = "zh-CN", TimezoneId = "UTC",
        });
        context.SetDefaultTimeout(BrowserNode.Timeout);
        var page = await context.NewPageAsync();
        var console = new List<string>();
        page.Console += (_, m) => { lock (console) console.Add($"console.{m.Type}: {m.Text}"); };
        page.PageError += (_, e) => { lock (console) console.Add($"page error: {e}"); };
        try
        {
            await page.GotoAsync(new Uri(grid.Node.Address, "/").ToString());
            await page.Locator("#login-panel a[href='/scheduler.html']").ClickAsync();
            await page.Locator("#login-title", new() { HasTextString = "登录活动调度" }).WaitForAsync();
            await page.Locator("#username").FillAsync(Scheduler);
            await page.Locator("#password").FillAsync(BrowserNode.Password);
            await page.Locator("#login-form button[type='submit']").ClickAsync();

            var row = page.Locator($"#activity-rows tr[data-id='{id}']");
            await row.WaitForAsync();
            Assert.Contains("周六学习会 · 学习新修订的党章", await row.InnerTextAsync());
            // Shown in China Standard Time although the browser's clock is UTC.
            Assert.Contains(start.ToString("HH:mm"), await row.InnerTextAsync());
            await page.Locator(".schedule-list li", new() { HasTextString = "周六学习会" }).WaitForAsync();
            await page.Locator("#live-indicator[data-state='live']").WaitForAsync();

            await row.ClickAsync();
            await page.Locator($"#activity-detail[data-activity-id='{id}']").WaitForAsync();
            var code = page.Locator("#code-value");
            await page.Locator("#code-value:not(:text('------'))").WaitForAsync();
            var shown = await code.InnerTextAsync();
            Assert.Matches("^[0-9]{6}$", shown);
            Assert.Contains("陪家人就医", await page.Locator("#people-rows").InnerTextAsync());

            // Members sign in with the code on the screen (and one remotely); the page follows without a reload.
            await BrowserNode.Ok(await (await grid.As(members[0].Username)).PostAsJsonAsync($"/api/activities/{id}/sign-in", new { code = shown }));
            await BrowserNode.Ok(await (await grid.As(members[1].Username)).PostAsJsonAsync($"/api/activities/{id}/sign-in", new { remote = true }));
            await page.Locator("#detail-counts div", new() { HasTextString = "已签到2" }).WaitForAsync();
            await page.Locator("#people-rows tr", new() { HasTextString = "远程签到" }).WaitForAsync();
            Assert.Contains("2", await row.Locator("td").Nth(6).InnerTextAsync());
            await page.ScreenshotAsync(new() { Path = Path.Combine(BrowserNode.ArtifactsDirectory, "scheduler.png"), FullPage = true });

            // A new schedule from the page: the first Saturday at 09:00 by default.
            await page.Locator("#new-schedule").ClickAsync();
            await page.Locator("#f-id").FillAsync("red-saturday");
            await page.Locator("#f-place").FillAsync("练溪社区党群服务中心");
            await page.Locator("#schedule-form button[type='submit']").ClickAsync();
            await page.Locator(".schedule-list li", new() { HasTextString = "每月第一个星期六 09:00" }).WaitForAsync();
            var redSaturday = await BrowserNode.Ok(await scheduler.GetAsync($"/api/communities/{grid.Community}/schedules/red-saturday"));
            Assert.Equal("0 9 * * 6#1", redSaturday.GetProperty("cron").GetString());
            Assert.Equal([4320, 120], redSaturday.GetProperty("reminderLeadMinutes").EnumerateArray().Select(e => e.GetInt32()));
        }
        catch (Exception e)
        {
            var shot = Path.Combine(BrowserNode.ArtifactsDirectory, "scheduler-failure.png");
            try { await page.ScreenshotAsync(new() { Path = shot, FullPage = true }); } catch { /* the page may be gone */ }
            string log;
            lock (console) log = string.Join("\n", console);
            throw new Xunit.Sdk.XunitException($"{e.Message}\nScreenshot: {shot}\nPage console:\n{log}\n{e}");
        }
        finally
        {
            await scheduler.DeleteAsync($"/api/communities/{grid.Community}/schedules/weekly-study");
        }
    }
}
