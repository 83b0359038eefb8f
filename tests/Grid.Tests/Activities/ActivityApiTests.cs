using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Grid.Contracts;
using Grid.Grains.Activities;
using Grid.Tests.Api;
using Grid.Tests.Live;
using Hangfire;
using Hangfire.Storage;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;

namespace Grid.Tests.Activities;

/// <summary>Schedules and occurrences through the real node: HTTP, roles, problems, Hangfire jobs and dashboard.</summary>
[Collection(GridHostCollection.Name)]
public sealed class ActivityApiTests(GridHost host) : ActivityApiSuite(host);

[Collection(PostgresGridHostCollection.Name)]
public sealed class ActivityApiTestsOnPostgres(PostgresGridHost host) : ActivityApiSuite(host);

[Trait("Tier", "Integration")]
public abstract class ActivityApiSuite(GridHost host)
{
    private static readonly TimeSpan Cst = TimeSpan.FromHours(8);

    private List<RecurringJobDto> Jobs(string prefix)
    {
        using var connection = host.Services.GetRequiredService<JobStorage>().GetConnection();
        return [.. connection.GetRecurringJobs().Where(j => j.Id.StartsWith(prefix, StringComparison.Ordinal)).OrderBy(j => j.Id)];
    }

    private static async Task<JsonElement> Ok(HttpResponseMessage response, HttpStatusCode expected = HttpStatusCode.OK)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == expected, $"{response.RequestMessage?.Method} {response.RequestMessage?.RequestUri?.PathAndQuery}: expected {(int)expected}, got {(int)response.StatusCode} {body}");
        return body.Length == 0 ? default : JsonDocument.Parse(body).RootElement.Clone();
    }

    private async Task<string> Token(string username, string password = GridHost.Password)
    {
        var response = await host.CreateClient().PostAsJsonAsync("/api/auth/token", new { username, password });
        return (await Ok(response)).GetProperty("access_token").GetString()!;
    }

    /// <summary>A further member of community A with a login of their own.</summary>
    private async Task<(string MemberId, string Username)> NewMember(bool mobile)
    {
        var admin = await host.As("root");
        var phone = "137" + Random.Shared.Next(10_000_000, 99_999_999);
        var member = await Ok(await admin.PostAsJsonAsync("/api/members", new
        {
            name = mobile ? "王流动" : "赵党员", phone, communityCode = host.CommunityA, branch = "第一党支部", cellCode = host.CellA1,
            isMobile = mobile, mobileLocation = mobile ? "上海市" : null,
        }), HttpStatusCode.Created);
        var id = member.GetProperty("id").GetString()!;
        var username = "m" + phone;
        await Ok(await admin.PutAsJsonAsync($"/api/users/{username}", new
        {
            displayName = username, role = Roles.Member, communityCode = host.CommunityA, memberId = id, password = GridHost.Password,
        }));
        return (id, username);
    }

    [Fact]
    public async Task Changing_a_schedule_moves_its_Hangfire_jobs_and_occurrences()
    {
        var scheduler = await host.As("scheduler-a");
        var path = $"/api/communities/{host.CommunityA}/schedules/red-saturday";
        var prefix = $"activity:{host.CommunityA}:red-saturday:";
        var created = await Ok(await scheduler.PutAsJsonAsync(path, new
        {
            title = "红色星期六主题党日", saturday = "first", startTime = "09:00", durationMinutes = 180, place = "练溪社区党群服务中心",
            defaultTheme = "学习党的创新理论", themes = new Dictionary<string, string> { ["2026-12"] = "冬季安全隐患大排查" }, posts = new[] { "签到引导" },
        }), HttpStatusCode.Created);
        Assert.Equal("0 9 * * 6#1", created.GetProperty("cron").GetString());
        Assert.Equal("red_saturday", created.GetProperty("kind").GetString());
        var firstStart = created.GetProperty("nextStartsUtc")[0].GetDateTimeOffset();
        Assert.Equal((DayOfWeek.Saturday, 9, true), (firstStart.ToOffset(Cst).DayOfWeek, firstStart.ToOffset(Cst).Hour, firstStart.ToOffset(Cst).Day <= 7));

        var jobs = Jobs(prefix);
        Assert.Equal([prefix + "close", prefix + "remind-2h", prefix + "remind-3d"], jobs.Select(j => j.Id).ToArray());
        Assert.All(jobs, j => Assert.Equal("Asia/Shanghai", j.TimeZoneId));
        var remind2h = jobs.Single(j => j.Id.EndsWith("remind-2h"));
        Assert.Equal("0 7 * * 6#1", remind2h.Cron);
        var firstSaturday = ActivityCalendar.Next(new ActivitySchedule { Id = "x", Title = "x", Saturday = SaturdayOfMonth.First, StartTime = new TimeOnly(7, 0) }, DateTimeOffset.UtcNow)!.Value;
        Assert.Equal(firstSaturday.UtcDateTime, remind2h.NextExecution);
        Assert.Equal(nameof(Grid.Silo.Activities.ActivityJobs.RunAsync), remind2h.Job.Method.Name);

        var firstId = ActivityCalendar.ActivityId(host.CommunityA, "red-saturday", firstStart);
        var listed = await Ok(await scheduler.GetAsync($"/api/communities/{host.CommunityA}/activities"));
        Assert.Contains(listed.EnumerateArray(), a => a.GetProperty("id").GetString() == firstId && a.GetProperty("status").GetString() == "planned");

        // Moved to the last Saturday: the jobs' crons and next runs move, the first-Saturday occurrence is cancelled.
        var moved = await Ok(await scheduler.PutAsJsonAsync(path, new { title = "红色星期六主题党日", saturday = "last", startTime = "09:00", posts = new[] { "签到引导" } }));
        Assert.Equal(2, moved.GetProperty("version").GetInt32());
        remind2h = Jobs(prefix).Single(j => j.Id.EndsWith("remind-2h"));
        Assert.Equal("0 7 * * 6L", remind2h.Cron);
        var lastSaturday = ActivityCalendar.Next(new ActivitySchedule { Id = "x", Title = "x", Saturday = SaturdayOfMonth.Last, StartTime = new TimeOnly(7, 0) }, DateTimeOffset.UtcNow)!.Value;
        Assert.Equal(lastSaturday.UtcDateTime, remind2h.NextExecution);
        Assert.Equal("0 12 * * 6L", Jobs(prefix).Single(j => j.Id.EndsWith("close")).Cron);
        if (lastSaturday.Date != firstSaturday.Date)
            Assert.Equal("cancelled", (await Ok(await scheduler.GetAsync($"/api/activities/{firstId}"))).GetProperty("status").GetString());
        var lastStart = moved.GetProperty("nextStartsUtc")[0].GetDateTimeOffset();
        var lastId = ActivityCalendar.ActivityId(host.CommunityA, "red-saturday", lastStart);
        Assert.Equal("planned", (await Ok(await scheduler.GetAsync($"/api/activities/{lastId}"))).GetProperty("status").GetString());

        // Other reminder leads: jobs for leads no longer wanted go.
        await Ok(await scheduler.PutAsJsonAsync(path, new { title = "红色星期六主题党日", saturday = "last", startTime = "09:00", reminderLeadMinutes = new[] { 60 } }));
        Assert.Equal([prefix + "close", prefix + "remind-1h"], Jobs(prefix).Select(j => j.Id).ToArray());

        await Ok(await scheduler.DeleteAsync(path), HttpStatusCode.NoContent);
        Assert.Empty(Jobs(prefix));
        Assert.Equal("cancelled", (await Ok(await scheduler.GetAsync($"/api/activities/{lastId}"))).GetProperty("status").GetString());
        await ProblemAssert.Is(await scheduler.GetAsync(path), 404);
        await ProblemAssert.Is(await scheduler.DeleteAsync(path), 404);
    }

    [Fact]
    public async Task Schedules_are_checked_field_by_field_and_kept_to_their_community()
    {
        var scheduler = await host.As("scheduler-a");
        var path = $"/api/communities/{host.CommunityA}/schedules/party-lesson";
        await ProblemAssert.NamesField(await scheduler.PutAsJsonAsync(path, new { title = "党课", saturday = "first", cron = "0 9 * * 6" }), "cron");
        await ProblemAssert.NamesField(await scheduler.PutAsJsonAsync(path, new { title = "党课", cron = "0 */2 * * *" }), "cron");
        await ProblemAssert.NamesField(await scheduler.PutAsJsonAsync(path, new { title = "党课", cron = "0 9 31 2 *" }), "cron");
        await ProblemAssert.NamesField(await scheduler.PutAsJsonAsync(path, new { title = "党课", saturday = "first" }), "startTime");
        await ProblemAssert.NamesField(await scheduler.PutAsJsonAsync(path, new { title = "党课", saturday = "first", startTime = "25:00" }), "startTime");
        await ProblemAssert.NamesField(await scheduler.PutAsJsonAsync(path, new { title = "", saturday = "first", startTime = "09:00" }), "title");
        await ProblemAssert.NamesField(await scheduler.PutAsJsonAsync(path, new { title = "党课", saturday = "first", startTime = "09:00", durationMinutes = 5 }), "durationMinutes");
        await ProblemAssert.NamesField(await scheduler.PutAsJsonAsync(path, new { title = "党课", saturday = "first", startTime = "09:00", reminderLeadMinutes = new[] { 0 } }), "reminderLeadMinutes");
        await ProblemAssert.NamesField(await scheduler.PutAsJsonAsync(path, new { title = "党课", saturday = "first", startTime = "09:00", themes = new Dictionary<string, string> { ["12月"] = "x" } }), "themes");
        await ProblemAssert.NamesField(await scheduler.PutAsJsonAsync($"/api/communities/{host.CommunityA}/schedules/Party%20Lesson", new { title = "党课", saturday = "first", startTime = "09:00" }), "scheduleId");
        await ProblemAssert.Is(await scheduler.PutAsJsonAsync(path, new { title = "党课", saturday = "fifth", startTime = "09:00" }), 400);
        await ProblemAssert.Is(await scheduler.PutAsync(path, new StringContent("{", System.Text.Encoding.UTF8, "application/json")), 400);

        // A quarterly Party lesson (一课) by a general cron rule.
        var lesson = await Ok(await scheduler.PutAsJsonAsync(path, new { title = "党课", kind = "party_lesson", cron = "30 14 1 1,4,7,10 *", place = "党员活动室" }), HttpStatusCode.Created);
        Assert.Equal(("14:30", "party_lesson"), (lesson.GetProperty("startTime").GetString(), lesson.GetProperty("kind").GetString()));
        var next = lesson.GetProperty("nextStartsUtc")[0].GetDateTimeOffset().ToOffset(Cst);
        Assert.Equal((1, 14, 30), (next.Day, next.Hour, next.Minute));
        Assert.Contains(next.Month, new[] { 1, 4, 7, 10 });

        // Roles and scope: members and the committee of another community may not edit; members may read their own community's.
        await ProblemAssert.Is(await (await host.As("member-a")).PutAsJsonAsync(path, new { title = "党课", cron = "0 9 1 * *" }), 403);
        await ProblemAssert.Is(await (await host.As("committee-b")).PutAsJsonAsync(path, new { title = "党课", cron = "0 9 1 * *" }), 403);
        await ProblemAssert.Is(await scheduler.PutAsJsonAsync($"/api/communities/{host.CommunityB}/schedules/party-lesson", new { title = "党课", cron = "0 9 1 * *" }), 403);
        await ProblemAssert.Is(await (await host.As("committee-b")).GetAsync($"/api/communities/{host.CommunityA}/schedules"), 403);
        var seen = await Ok(await (await host.As("member-a")).GetAsync($"/api/communities/{host.CommunityA}/schedules"));
        Assert.Contains(seen.EnumerateArray(), s => s.GetProperty("id").GetString() == "party-lesson");
        await Ok(await (await host.As("committee-a")).DeleteAsync(path), HttpStatusCode.NoContent); // the committee edits too
    }

    [Fact]
    public async Task Members_sign_up_ask_leave_and_sign_in_with_the_venue_code_and_get_their_reminders_live()
    {
        var scheduler = await host.As("scheduler-a");
        var (mobileId, mobileUser) = await NewMember(mobile: true);
        var (otherId, otherUser) = await NewMember(mobile: false);

        // A weekly study session starting in 20 minutes: sign-in (30 minutes before) is open.
        var start = DateTimeOffset.UtcNow.ToOffset(Cst).AddMinutes(20);
        var cron = $"{start.Minute} {start.Hour} * * {(int)start.DayOfWeek}";
        var schedulePath = $"/api/communities/{host.CommunityA}/schedules/weekly-study";
        var saved = await Ok(await scheduler.PutAsJsonAsync(schedulePath, new
        {
            title = "周学习", kind = "other", cron, durationMinutes = 60, posts = new[] { "签到引导" }, reminderLeadMinutes = new[] { 10 },
        }), HttpStatusCode.Created);
        var startUtc = saved.GetProperty("nextStartsUtc")[0].GetDateTimeOffset();
        var id = ActivityCalendar.ActivityId(host.CommunityA, "weekly-study", startUtc);
        var path = $"/api/activities/{id}";
        try
        {
            var member = await host.As("member-a");
            var mobile = await host.As(mobileUser);
            var other = await host.As(otherUser);

            var signedUp = await Ok(await member.PostAsync($"{path}/sign-up", null));
            Assert.Equal(1, signedUp.GetProperty("counts").GetProperty("signedUp").GetInt32());
            Assert.Equal(host.MemberA, signedUp.GetProperty("me").GetProperty("memberId").GetString());
            Assert.Empty(signedUp.GetProperty("people").EnumerateArray()); // members see counts and themselves, not the list

            await ProblemAssert.NamesField(await other.PostAsJsonAsync($"{path}/leave", new { reason = " " }), "reason");
            await Ok(await other.PostAsJsonAsync($"{path}/leave", new { reason = "家中老人住院" }));

            // Venue code: organisers only; it must match; a non-mobile member cannot sign in remotely.
            await ProblemAssert.Is(await member.GetAsync($"{path}/code"), 403);
            var code = (await Ok(await scheduler.GetAsync($"{path}/code"))).GetProperty("code").GetString()!;
            await ProblemAssert.NamesField(await member.PostAsJsonAsync($"{path}/sign-in", new { code = "12" }), "code");
            await ProblemAssert.NamesField(await member.PostAsJsonAsync($"{path}/sign-in", new { code = code == "000000" ? "000001" : "000000" }), "code");
            await ProblemAssert.Is(await member.PostAsJsonAsync($"{path}/sign-in", new { remote = true }), 409);
            var signedIn = await Ok(await member.PostAsJsonAsync($"{path}/sign-in", new { code }));
            Assert.Equal("attended", signedIn.GetProperty("me").GetProperty("attendance").GetString());
            var remote = await Ok(await mobile.PostAsJsonAsync($"{path}/sign-in", new { remote = true }));
            Assert.True(remote.GetProperty("me").GetProperty("remote").GetBoolean());
            await ProblemAssert.Is(await scheduler.PostAsync($"{path}/sign-up", null), 403); // not a member
            await ProblemAssert.Is(await (await host.As("committee-b")).GetAsync(path), 403);
            await ProblemAssert.Is(await scheduler.PostAsync($"{path}/close", null), 409); // still on
            await ProblemAssert.NamesField(await scheduler.GetAsync($"/api/activities/not-an-id"), "id");

            await Ok(await scheduler.PutAsJsonAsync($"{path}/posts/签到引导", new { memberId = otherId }));
            var seen = await Ok(await scheduler.GetAsync(path));
            Assert.Equal((2, 1, 1), (seen.GetProperty("counts").GetProperty("signedIn").GetInt32(), seen.GetProperty("counts").GetProperty("remote").GetInt32(),
                seen.GetProperty("counts").GetProperty("onLeave").GetInt32()));
            var people = seen.GetProperty("people").EnumerateArray().ToDictionary(p => p.GetProperty("memberId").GetString()!);
            Assert.Equal("家中老人住院", people[otherId].GetProperty("reason").GetString());
            Assert.Equal("王流动", people[mobileId].GetProperty("name").GetString());
            Assert.Equal(otherId, seen.GetProperty("posts")[0].GetProperty("memberId").GetString());

            // The 10-minute reminder, sent by the runner the jobs use, reaches member-a's connected client and inbox.
            var token = await Token("member-a");
            await using var hub = new HubConnectionBuilder()
                .WithUrl(new Uri(host.Server.BaseAddress, "/hubs/command"), o =>
                {
                    o.HttpMessageHandlerFactory = _ => host.Server.CreateHandler();
                    o.Transports = HttpTransportType.LongPolling;
                    o.AccessTokenProvider = () => Task.FromResult<string?>(token);
                })
                .Build();
            var pushed = new TaskCompletionSource<JsonElement>(TaskCreationOptions.RunContinuationsAsynchronously);
            hub.OnLive("reminder", r => { if (r.GetProperty("activityId").GetString() == id) pushed.TrySetResult(r); });
            await hub.StartAsync();
            var report = await host.Services.GetRequiredService<ActivityRunner>().RemindAsync(id, 10, null);
            Assert.Equal(2, report.Delivered); // member-a and the mobile member; not the member on leave
            Assert.Equal("周学习", (await pushed.Task.WaitAsync(TimeSpan.FromSeconds(30))).GetProperty("title").GetString());
            var inbox = await Ok(await member.GetAsync("/api/me/inbox"));
            var reminder = inbox.GetProperty("reminders").EnumerateArray().Single(r => r.GetProperty("activityId").GetString() == id);
            Assert.Equal(10, reminder.GetProperty("leadMinutes").GetInt32());
            Assert.DoesNotContain((await Ok(await other.GetAsync("/api/me/inbox"))).GetProperty("reminders").EnumerateArray(), r => r.GetProperty("activityId").GetString() == id);
        }
        finally
        {
            await scheduler.DeleteAsync(schedulePath);
        }
    }

    [Fact]
    public async Task Hangfire_dashboard_is_for_administrators_only()
    {
        var client = host.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = false });
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.GetAsync("/hangfire")).StatusCode);
        var memberToken = await Token("member-a");
        var asMember = new HttpRequestMessage(HttpMethod.Get, "/hangfire");
        asMember.Headers.Authorization = new AuthenticationHeaderValue("Bearer", memberToken);
        Assert.Equal(HttpStatusCode.Forbidden, (await client.SendAsync(asMember)).StatusCode);
        await ProblemAssert.Is(await (await host.As("member-a")).PostAsync("/api/dashboard/hangfire-session", null), 403);

        // An administrator exchanges the bearer token for the dashboard's own cookie, scoped to /hangfire.
        var admin = await host.As("root");
        var session = await admin.PostAsync("/api/dashboard/hangfire-session", null);
        Assert.Equal("/hangfire/", (await Ok(session)).GetProperty("url").GetString());
        var cookie = session.Headers.GetValues("Set-Cookie").Single();
        Assert.StartsWith("grid_hangfire=", cookie);
        Assert.Contains("path=/hangfire", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("httponly", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("samesite=strict", cookie, StringComparison.OrdinalIgnoreCase);
        var value = cookie.Split(';')[0]["grid_hangfire=".Length..];

        var page = new HttpRequestMessage(HttpMethod.Get, "/hangfire/recurring");
        page.Headers.Add("Cookie", $"grid_hangfire={value}");
        var dashboard = await client.SendAsync(page);
        Assert.Equal(HttpStatusCode.OK, dashboard.StatusCode);
        Assert.Contains("Hangfire", await dashboard.Content.ReadAsStringAsync());

        // The cookie's token is for the dashboard only: as a bearer token it opens nothing under /api.
        var misuse = new HttpRequestMessage(HttpMethod.Get, "/api/me");
        misuse.Headers.Authorization = new AuthenticationHeaderValue("Bearer", value);
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.SendAsync(misuse)).StatusCode);
        // And a member's token in that cookie does not open the dashboard.
        var forged = new HttpRequestMessage(HttpMethod.Get, "/hangfire/recurring");
        forged.Headers.Add("Cookie", $"grid_hangfire={memberToken}");
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.SendAsync(forged)).StatusCode);
    }

    [Fact]
    public async Task OpenAPI_documents_the_activity_endpoints()
    {
        var doc = await Ok(await host.CreateClient().GetAsync("/openapi/v1.json"));
        var paths = doc.GetProperty("paths");
        foreach (var p in new[]
                 {
                     "/api/communities/{code}/schedules", "/api/communities/{code}/schedules/{scheduleId}", "/api/communities/{code}/activities",
                     "/api/activities/{id}", "/api/activities/{id}/sign-up", "/api/activities/{id}/leave", "/api/activities/{id}/sign-in",
                     "/api/activities/{id}/code", "/api/activities/{id}/posts/{post}", "/api/activities/{id}/close",
                 })
            Assert.True(paths.TryGetProperty(p, out _), $"{p} is not in the OpenAPI document");
        Assert.Contains("venue", paths.GetProperty("/api/activities/{id}/sign-in").GetProperty("post").GetProperty("summary").GetString());
    }
}
