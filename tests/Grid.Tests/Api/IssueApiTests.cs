using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace Grid.Tests.Api;

[Collection(GridHostCollection.Name)]
public sealed class IssueApiTests(GridHost host) : IssueApiSuite(host);

[Collection(PostgresGridHostCollection.Name)]
public sealed class IssueApiTestsOnPostgres(PostgresGridHost host) : IssueApiSuite(host);

[Trait("Tier", "Integration")]
public abstract class IssueApiSuite(GridHost host)
{
    // A 1×1 PNG, byte for byte.
    internal static readonly byte[] Png = Convert.FromBase64String("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==");

    private object NewIssue(string? title = null, string? cell = null) => new
    {
        cellCode = cell ?? host.CellA1,
        categoryCode = "10.01",
        title = title ?? "小区门口垃圾堆放",
        description = "东门垃圾三天未清运",
        reporterName = "赵大妈",
        reporterPhone = "13811112222",
        // Inside cell A1; the other cells' issues carry no position (a position must lie in its cell).
        location = cell is null || cell == host.CellA1 ? new { lng = 120.4215, lat = 30.7115 } : null,
    };

    private static async Task<JsonElement> Json(HttpResponseMessage response, HttpStatusCode expected)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == expected, $"expected {(int)expected}, got {(int)response.StatusCode}: {body}");
        return JsonDocument.Parse(body).RootElement;
    }

    private async Task<string> Report(string user = "committee-a", object? body = null, string? key = null)
    {
        var client = await host.As(user);
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/issues") { Content = JsonContent.Create(body ?? NewIssue()) };
        if (key is not null) request.Headers.Add("Idempotency-Key", key);
        return (await Json(await client.SendAsync(request), HttpStatusCode.Created)).GetProperty("id").GetString()!;
    }

    private async Task<HttpResponseMessage> Act(string user, string id, string action, object? body = null, int? ifMatch = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, $"/api/issues/{id}/{action}") { Content = JsonContent.Create(body ?? new { }) };
        if (ifMatch is { } v) request.Headers.IfMatch.Add(new EntityTagHeaderValue($"\"{v}\""));
        return await (await host.As(user)).SendAsync(request);
    }

    private async Task<string> DispatchedToWorker()
    {
        var id = await Report();
        await Json(await Act("committee-a", id, "accept"), HttpStatusCode.OK);
        await Json(await Act("committee-a", id, "dispatch", new { assignee = new { kind = "grid_worker", id = "worker-a1" } }), HttpStatusCode.OK);
        return id;
    }

    [Fact]
    public async Task An_issue_goes_round_the_whole_loop_and_its_history_says_who_did_what()
    {
        var id = await DispatchedToWorker();
        await Json(await Act("worker-a1", id, "start"), HttpStatusCode.OK);
        var photo = await (await host.As("worker-a1")).PostAsync($"/api/issues/{id}/photos?kind=after", new ByteArrayContent(Png));
        await Json(photo, HttpStatusCode.Created);
        await Json(await Act("worker-a1", id, "resolve", new { note = "已联系环卫清运" }), HttpStatusCode.OK);
        await Json(await Act("committee-a", id, "verify", new { passed = true, note = "现场核查已清理" }), HttpStatusCode.OK);
        var rated = await Json(await Act("committee-a", id, "rate", new { score = 5, note = "居民满意" }), HttpStatusCode.OK);

        Assert.Equal("closed", rated.GetProperty("status").GetString());
        var steps = rated.GetProperty("history").EnumerateArray()
            .Select(h => (h.GetProperty("action").GetString(), h.GetProperty("actor").GetString())).ToList();
        Assert.Equal([("report", "committee-a"), ("accept", "committee-a"), ("dispatch", "committee-a"), ("start", "worker-a1"),
            ("resolve", "worker-a1"), ("verify", "committee-a"), ("rate", "committee-a")], steps);
        Assert.Equal("after", rated.GetProperty("photos")[0].GetProperty("kind").GetString());
        Assert.Equal(5, rated.GetProperty("rating").GetProperty("score").GetInt32());

        var get = await (await host.As("committee-a")).GetAsync($"/api/issues/{id}");
        Assert.Equal($"\"{(await Json(get, HttpStatusCode.OK)).GetProperty("version").GetInt32()}\"", get.Headers.ETag!.Tag);
    }

    [Fact]
    public async Task Two_workers_resolving_at_once_make_one_200_and_one_409_and_one_resolve_in_history()
    {
        var id = await DispatchedToWorker();
        var started = await Json(await Act("worker-a1", id, "start"), HttpStatusCode.OK);
        var version = started.GetProperty("version").GetInt32();

        var answers = await Task.WhenAll(
            Act("worker-a1", id, "resolve", new { note = "甲处理完毕" }, version),
            Act("committee-a", id, "resolve", new { note = "乙处理完毕" }, version));

        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.Conflict], answers.Select(a => a.StatusCode).Order());
        var conflict = await ProblemAssert.Is(answers.Single(a => a.StatusCode == HttpStatusCode.Conflict), 409);
        Assert.Equal("resolved", conflict.GetProperty("currentStatus").GetString());
        var issue = await (await host.As("committee-a")).GetFromJsonAsync<JsonElement>($"/api/issues/{id}");
        Assert.Single(issue.GetProperty("history").EnumerateArray(), h => h.GetProperty("action").GetString() == "resolve");
        Assert.Equal(version + 1, issue.GetProperty("version").GetInt32());
    }

    [Fact]
    public async Task A_step_sent_with_a_stale_version_is_a_412_and_changes_nothing()
    {
        var id = await DispatchedToWorker();
        var current = (await (await host.As("worker-a1")).GetFromJsonAsync<JsonElement>($"/api/issues/{id}")).GetProperty("version").GetInt32();
        var stale = await ProblemAssert.Is(await Act("worker-a1", id, "start", ifMatch: current - 1), 412);
        Assert.Equal(("version", current), (stale.GetProperty("code").GetString(), stale.GetProperty("version").GetInt32()));
        var after = await (await host.As("worker-a1")).GetFromJsonAsync<JsonElement>($"/api/issues/{id}");
        Assert.Equal("dispatched", after.GetProperty("status").GetString());
        var garbled = new HttpRequestMessage(HttpMethod.Post, $"/api/issues/{id}/start") { Content = JsonContent.Create(new { }) };
        garbled.Headers.TryAddWithoutValidation("If-Match", "not-a-tag");
        await ProblemAssert.NamesField(await (await host.As("worker-a1")).SendAsync(garbled), "If-Match");
    }

    [Fact]
    public async Task The_same_idempotency_key_never_creates_two_issues()
    {
        var key = Guid.NewGuid().ToString();
        var body = NewIssue("幂等测试" + key[..8]);
        var first = await Report("worker-a1", body, key);
        var second = await Report("worker-a1", body, key);
        Assert.Equal(first, second);
        var open = await (await host.As("committee-a")).GetFromJsonAsync<JsonElement>($"/api/cells/{host.CellA1}/issues?status=reported");
        Assert.Single(open.GetProperty("items").EnumerateArray(), i => i.GetProperty("title").GetString() == "幂等测试" + key[..8]);

        var client = await host.As("worker-a1");
        var reuse = new HttpRequestMessage(HttpMethod.Post, "/api/issues") { Content = JsonContent.Create(NewIssue("另一件事")) };
        reuse.Headers.Add("Idempotency-Key", key);
        var reused = await ProblemAssert.Is(await client.SendAsync(reuse), 422);
        Assert.Equal("idempotency_key_reused", reused.GetProperty("code").GetString());
    }

    [Fact]
    public async Task A_step_that_does_not_apply_is_a_409_naming_the_current_status()
    {
        var id = await Report();
        var problem = await ProblemAssert.Is(await Act("committee-a", id, "verify", new { passed = true }), 409);
        Assert.Equal("reported", problem.GetProperty("currentStatus").GetString());
        Assert.Equal("issue.status", problem.GetProperty("code").GetString());
        Assert.Equal("「待受理」的诉求不能核查；核查只适用于「待核查」的诉求。", problem.GetProperty("detail").GetString());
        await ProblemAssert.Is(await Act("committee-a", id, "fly"), 404);
        var badId = await ProblemAssert.NamesField(await Act("committee-a", "not-an-issue", "accept"), "id");
        Assert.Contains("诉求编号「not-an-issue」不正确", badId.GetProperty("errors").GetProperty("id")[0].GetString());
        await ProblemAssert.Is(await Act("committee-a", $"{host.CellA1}-2026-99999", "accept"), 404);
        await ProblemAssert.NamesField(await Act("committee-a", id, "reject"), "note");
    }

    [Fact]
    public async Task Each_role_may_take_only_its_own_steps()
    {
        var id = await Report("member-a");
        await ProblemAssert.Is(await Act("scheduler-a", id, "accept"), 403);
        await ProblemAssert.Is(await Act("worker-a1", id, "accept"), 403);
        await ProblemAssert.Is(await Act("committee-b", id, "accept"), 403);
        await Json(await Act("committee-a", id, "accept"), HttpStatusCode.OK);
        // A grid worker dispatches only to themselves or members placed in the cell, never to an organ.
        await ProblemAssert.Is(await Act("worker-a1", id, "dispatch", new { assignee = new { kind = "organ", id = host.Organ } }), 403);
        await Json(await Act("worker-a1", id, "dispatch", new { assignee = new { kind = "member", id = host.MemberA } }), HttpStatusCode.OK);
        // The member it went to starts it; the grid worker, no longer the assignee, may not.
        await ProblemAssert.Is(await Act("worker-a1", id, "start"), 403);
        await Json(await Act("member-a", id, "start"), HttpStatusCode.OK);

        await ProblemAssert.Is(await (await host.As("worker-a1")).PostAsJsonAsync("/api/issues", NewIssue(cell: host.CellA2)), 403);
        await ProblemAssert.Is(await (await host.As("committee-b")).PostAsJsonAsync("/api/issues", NewIssue()), 403);
    }

    [Fact]
    public async Task Dispatch_without_an_assignee_follows_the_categorys_route_to_the_cells_grid_worker()
    {
        var routed = await Report();
        await Json(await Act("committee-a", routed, "accept"), HttpStatusCode.OK);
        var dispatched = await Json(await Act("committee-a", routed, "dispatch"), HttpStatusCode.OK);
        Assert.Equal("worker-a1", dispatched.GetProperty("assignee").GetProperty("id").GetString());
        Assert.Equal("grid_worker", dispatched.GetProperty("assignee").GetProperty("kind").GetString());

        // Cell A2 has no grid worker: the route has nowhere to go, and the committee must name someone.
        var unrouted = await Report(body: NewIssue(cell: host.CellA2));
        await Json(await Act("committee-a", unrouted, "accept"), HttpStatusCode.OK);
        await ProblemAssert.NamesField(await Act("committee-a", unrouted, "dispatch"), "assignee");
        await ProblemAssert.NamesField(await Act("committee-a", unrouted, "dispatch", new { assignee = new { kind = "grid_worker", id = "worker-a1" } }), "assignee.id");
    }

    [Fact]
    public async Task The_reporting_residents_name_and_phone_are_masked_for_roles_without_need()
    {
        var id = await Report();
        var full = await (await host.As("worker-a1")).GetFromJsonAsync<JsonElement>($"/api/issues/{id}");
        Assert.Equal("13811112222", full.GetProperty("reporterPhone").GetString());
        var masked = await (await host.As("scheduler-a")).GetFromJsonAsync<JsonElement>($"/api/issues/{id}");
        Assert.Equal("138****2222", masked.GetProperty("reporterPhone").GetString());
        Assert.Equal("赵**", masked.GetProperty("reporterName").GetString());
        await ProblemAssert.Is(await (await host.As("committee-b")).GetAsync($"/api/issues/{id}"), 403);
    }

    [Fact]
    public async Task Photos_are_checked_by_content_and_size_and_stored_in_the_database()
    {
        var id = await Report();
        var client = await host.As("committee-a");
        var created = await Json(await client.PostAsync($"/api/issues/{id}/photos?kind=before", new ByteArrayContent(Png)), HttpStatusCode.Created);
        var photoId = created.GetProperty("id").GetString();
        var image = await client.GetAsync($"/api/issues/{id}/photos/{photoId}");
        Assert.Equal("image/png", image.Content.Headers.ContentType!.MediaType);
        Assert.Equal(Png, await image.Content.ReadAsByteArrayAsync());

        var notImage = new ByteArrayContent(Encoding.UTF8.GetBytes("<html>not a photo</html>"));
        notImage.Headers.ContentType = new MediaTypeHeaderValue("image/jpeg"); // the header lies; the content decides
        await ProblemAssert.NamesField(await client.PostAsync($"/api/issues/{id}/photos?kind=before", notImage), "body");
        await ProblemAssert.Is(await client.PostAsync($"/api/issues/{id}/photos?kind=before", new ByteArrayContent(new byte[5 * 1024 * 1024 + 1])), 413);
        await ProblemAssert.NamesField(await client.PostAsync($"/api/issues/{id}/photos?kind=during", new ByteArrayContent(Png)), "kind");
    }

    [Fact]
    public async Task The_assignees_inbox_and_the_cell_list_show_the_dispatched_issue()
    {
        var id = await DispatchedToWorker();
        var inbox = await (await host.As("worker-a1")).GetFromJsonAsync<JsonElement>("/api/me/inbox");
        Assert.Contains(inbox.GetProperty("items").EnumerateArray(), i => i.GetProperty("id").GetString() == id);
        var list = await (await host.As("committee-a")).GetFromJsonAsync<JsonElement>($"/api/cells/{host.CellA1}/issues?status=dispatched");
        Assert.Contains(list.GetProperty("items").EnumerateArray(), i => i.GetProperty("id").GetString() == id);
        await ProblemAssert.NamesField(await (await host.As("committee-a")).GetAsync($"/api/cells/{host.CellA1}/issues?status=lost"), "status");
        var overdue = await (await host.As("committee-a")).GetFromJsonAsync<JsonElement>($"/api/communities/{host.CommunityA}/issues?overdue=true");
        Assert.DoesNotContain(overdue.GetProperty("items").EnumerateArray(), i => i.GetProperty("id").GetString() == id);
    }

    [Fact]
    public async Task Closed_issues_are_listed_from_the_ledger()
    {
        var id = await Report("worker-a1", new
        {
            cellCode = host.CellA1, categoryCode = "10.02", title = "楼道堆物", resolveOnSpot = new { note = "当场劝离清理" },
        });
        await Json(await Act("committee-a", id, "verify", new { passed = true }), HttpStatusCode.OK);
        var closed = await (await host.As("committee-a")).GetFromJsonAsync<JsonElement>($"/api/cells/{host.CellA1}/issues?status=closed");
        Assert.Contains(closed.GetProperty("items").EnumerateArray(), i => i.GetProperty("id").GetString() == id);
    }

    [Fact]
    public async Task Monthly_KPIs_are_computed_from_the_issues_steps()
    {
        var id = await DispatchedToWorker();
        await Json(await Act("worker-a1", id, "start"), HttpStatusCode.OK);
        await Json(await Act("worker-a1", id, "resolve", new { note = "已处理" }), HttpStatusCode.OK);
        await Json(await Act("committee-a", id, "verify", new { passed = false, note = "未彻底清理" }), HttpStatusCode.OK);

        var kpis = await (await host.As("committee-a")).GetFromJsonAsync<JsonElement>($"/api/communities/{host.CommunityA}/kpis");
        var community = kpis.GetProperty("community");
        Assert.True(community.GetProperty("resolved").GetInt32() >= 1);
        Assert.True(community.GetProperty("reworks").GetInt32() >= 1);
        Assert.Contains(kpis.GetProperty("assignees").EnumerateArray(), a => a.GetProperty("key").GetString() == "grid_worker:worker-a1");
        await ProblemAssert.NamesField(await (await host.As("committee-a")).GetAsync($"/api/communities/{host.CommunityA}/kpis?month=2026-13"), "month");
        await ProblemAssert.Is(await (await host.As("worker-a1")).GetAsync($"/api/communities/{host.CommunityA}/kpis"), 403);
    }

    [Fact]
    public async Task The_committee_whistles_an_organ_and_a_member_of_that_organ_reports()
    {
        var id = await Report();
        await Json(await Act("committee-a", id, "accept"), HttpStatusCode.OK);
        var whistled = await Json(await Act("committee-a", id, "whistle", new { organCode = host.Organ }), HttpStatusCode.OK);
        Assert.Equal(host.Organ, whistled.GetProperty("whistle").GetProperty("organCode").GetString());
        // member-a belongs to the organ (see GridHost): they report (报到) for it.
        var reported = await Json(await Act("member-a", id, "organ-report"), HttpStatusCode.OK);
        Assert.Equal("member-a", reported.GetProperty("whistle").GetProperty("reportedBy").GetString());
        await ProblemAssert.NamesField(await Act("committee-a", id, "whistle", new { organCode = "bad" }), "organCode");
    }

    [Fact]
    public async Task Categories_are_a_tree_with_deadlines_and_only_admins_change_them()
    {
        var categories = await (await host.As("worker-a1")).GetFromJsonAsync<JsonElement[]>("/api/categories");
        Assert.Contains(categories!, c => c.GetProperty("code").GetString() == "10.01" && c.GetProperty("parentCode").GetString() == "10");
        Assert.All(categories!.Where(c => c.GetProperty("parentCode").ValueKind == JsonValueKind.String),
            c => Assert.True(c.GetProperty("handlingHours").GetInt32() > 0));
        await ProblemAssert.Is(await (await host.As("committee-a")).PutAsJsonAsync("/api/categories/16", new { name = "x", kind = "event", handlingHours = 1 }), 403);
        await ProblemAssert.NamesField(await (await host.As("root")).PutAsJsonAsync("/api/categories/99.01", new { name = "孤儿", kind = "event", handlingHours = 24 }), "code");
        var aClass = await ProblemAssert.NamesField(await (await host.As("committee-a")).PostAsJsonAsync("/api/issues", new
        {
            cellCode = host.CellA1, categoryCode = "10", title = "只选了大类",
        }), "categoryCode");
        Assert.Equal("issue.category", aClass.GetProperty("code").GetString());
    }

    [Fact]
    public async Task A_position_outside_the_cell_is_refused_by_the_intake()
    {
        var outside = await ProblemAssert.NamesField(await (await host.As("worker-a1")).PostAsJsonAsync("/api/issues", new
        {
            cellCode = host.CellA1, categoryCode = "10.01", title = "定位偏了", location = new { lng = 120.60, lat = 30.90 },
        }), "location");
        Assert.Equal("issue.location", outside.GetProperty("code").GetString());
        Assert.Contains("不在网格", outside.GetProperty("errors").GetProperty("location")[0].GetString());
    }
}
