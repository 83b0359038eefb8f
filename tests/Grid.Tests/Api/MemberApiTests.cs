using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace Grid.Tests.Api;

[Collection(GridHostCollection.Name)]
public sealed class MemberApiTests(GridHost host) : MemberApiSuite(host);

[Collection(PostgresGridHostCollection.Name)]
public sealed class MemberApiTestsOnPostgres(PostgresGridHost host) : MemberApiSuite(host);

[Trait("Tier", "Integration")]
public abstract class MemberApiSuite(GridHost host)
{
    private static async Task<JsonElement> Json(HttpResponseMessage response, HttpStatusCode expected)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == expected, $"expected {(int)expected}, got {(int)response.StatusCode}: {body}");
        return body.Length == 0 ? default : JsonDocument.Parse(body).RootElement;
    }

    /// <summary>A fresh organ, registered with community A, and one of its people registered and given a login.</summary>
    private async Task<(string Organ, string MemberId, string Login)> SunkDownMember()
    {
        var admin = await host.As("root");
        var committee = await host.As("committee-a");
        var organ = TestData.OrganCode("11330503MA" + Random.Shared.Next(1_000_000, 9_999_999));
        var phones = Enumerable.Range(0, 3).Select(_ => "137" + Random.Shared.Next(10_000_000, 99_999_999)).ToArray();
        await Json(await admin.PutAsJsonAsync($"/api/organs/{organ}", new { name = "南浔区民政局", membersRequired = 4 }), HttpStatusCode.OK);
        await Json(await admin.PutAsJsonAsync($"/api/organs/{organ}/roster", phones.Select((p, i) => new { name = $"干部{i}", phone = p })), HttpStatusCode.OK);

        // Before the organ itself has registered with the community (单位报到), its people cannot.
        var early = await ProblemAssert.Is(await committee.PostAsJsonAsync($"/api/organs/{organ}/registrations", new { phone = phones[0], communityCode = host.CommunityA }), 409);
        Assert.Equal("organ.not_registered", early.GetProperty("code").GetString());
        Assert.Contains("单位报到", early.GetProperty("detail").GetString());
        await Json(await committee.PostAsync($"/api/organs/{organ}/communities/{host.CommunityA}", null), HttpStatusCode.OK);
        var registered = await Json(await committee.PostAsJsonAsync($"/api/organs/{organ}/registrations", new { phone = phones[0], communityCode = host.CommunityA }),
            HttpStatusCode.Created);
        var memberId = registered.GetProperty("id").GetString()!;
        Assert.Equal("干部0", registered.GetProperty("name").GetString());
        Assert.Equal(organ, registered.GetProperty("organCode").GetString());

        var login = "sink-" + memberId[^5..];
        await Json(await admin.PutAsJsonAsync($"/api/users/{login}", new
        {
            displayName = "干部0", role = "member", communityCode = host.CommunityA, memberId, password = GridHost.Password,
        }), HttpStatusCode.OK);
        return (organ, memberId, login);
    }

    [Fact]
    public async Task Registration_placement_assignment_service_and_completion_end_in_points()
    {
        var (organ, memberId, login) = await SunkDownMember();
        var committee = await host.As("committee-a");

        var figures = await (await host.As("root")).GetFromJsonAsync<JsonElement>($"/api/organs/{organ}/figures");
        Assert.Equal((4, 3, 1, 0), (figures.GetProperty("required").GetInt32(), figures.GetProperty("onRoster").GetInt32(),
            figures.GetProperty("registered").GetInt32(), figures.GetProperty("placed").GetInt32()));
        Assert.Equal(0.25, figures.GetProperty("reportingRate").GetDouble());
        var unregistered = await committee.GetFromJsonAsync<JsonElement>($"/api/organs/{organ}/roster?unregistered=true");
        Assert.Equal(2, unregistered.GetProperty("entries").GetArrayLength());

        await Json(await committee.PostAsJsonAsync($"/api/members/{memberId}/placement", new { cellCode = host.CellA1 }), HttpStatusCode.OK);
        Assert.Equal(1, (await committee.GetFromJsonAsync<JsonElement>($"/api/organs/{organ}/figures")).GetProperty("placed").GetInt32());

        var created = await Json(await (await host.As("worker-a1")).PostAsJsonAsync("/api/assignments", new
        {
            memberId, cellCode = host.CellA1, kind = "patrol", title = "楼道消防通道巡查", dueUtc = DateTimeOffset.UtcNow.AddDays(1),
        }), HttpStatusCode.Created);
        var id = created.GetProperty("id").GetString()!;
        var member = await host.As(login);
        var inbox = await member.GetFromJsonAsync<JsonElement>("/api/me/inbox");
        Assert.Contains(inbox.GetProperty("assignments").EnumerateArray(), a => a.GetProperty("id").GetString() == id);

        foreach (var step in new[] { "accept", "check-in", "check-out" })
            await Json(await member.PostAsJsonAsync($"/api/assignments/{id}/{step}", new { }), HttpStatusCode.OK);
        await ProblemAssert.NamesField(await member.PostAsJsonAsync($"/api/assignments/{id}/complete", new { }), "note");
        var done = await Json(await member.PostAsJsonAsync($"/api/assignments/{id}/complete", new { note = "通道已清理" }), HttpStatusCode.OK);
        Assert.Equal("completed", done.GetProperty("status").GetString());
        await ProblemAssert.Is(await member.PostAsJsonAsync($"/api/assignments/{id}/complete", new { note = "再来一次" }), 409);

        var standing = await member.GetFromJsonAsync<JsonElement>($"/api/members/{memberId}/standing");
        Assert.Equal(3, standing.GetProperty("pointsThisYear").GetInt32());
        Assert.Equal("assignment_completed", standing.GetProperty("points")[0].GetProperty("rule").GetString());
        Assert.Empty(standing.GetProperty("openAssignmentIds").EnumerateArray());
        var board = await member.GetFromJsonAsync<JsonElement[]>($"/api/communities/{host.CommunityA}/leaderboard");
        Assert.Contains(board!, l => l.GetProperty("memberId").GetString() == memberId && l.GetProperty("points").GetInt32() == 3);
    }

    [Fact]
    public async Task A_manual_entry_sent_twice_with_one_key_is_booked_once_and_stars_follow_the_communitys_thresholds()
    {
        var (_, memberId, _) = await SunkDownMember();
        var committee = await host.As("committee-a");
        var key = Guid.NewGuid().ToString();
        HttpRequestMessage Entry() => new(HttpMethod.Post, $"/api/members/{memberId}/points")
        {
            Content = JsonContent.Create(new { points = 8, reason = "防汛抢险表现突出" }), Headers = { { "Idempotency-Key", key } },
        };
        await Json(await committee.SendAsync(Entry()), HttpStatusCode.Created);
        var again = await Json(await committee.SendAsync(Entry()), HttpStatusCode.OK);
        Assert.Equal("committee-a", again.GetProperty("actor").GetString());
        await ProblemAssert.NamesField(await committee.PostAsJsonAsync($"/api/members/{memberId}/points", new { points = 5 }), "reason");

        var standing = await committee.GetFromJsonAsync<JsonElement>($"/api/members/{memberId}/standing");
        Assert.Equal(8, standing.GetProperty("pointsThisYear").GetInt32());
        Assert.Equal(1, standing.GetProperty("points").GetArrayLength());
        Assert.Equal(1, standing.GetProperty("stars").GetInt32()); // default thresholds 0/20/40/70/100

        var rules = await committee.GetFromJsonAsync<JsonElement>($"/api/communities/{host.CommunityA}/point-rules");
        await ProblemAssert.NamesField(await committee.PutAsJsonAsync($"/api/communities/{host.CommunityA}/point-rules", new { starThresholds = new[] { 0, 5, 5, 9, 12 } }), "starThresholds");
        try
        {
            await Json(await committee.PutAsJsonAsync($"/api/communities/{host.CommunityA}/point-rules", new { starThresholds = new[] { 0, 2, 4, 8, 50 } }), HttpStatusCode.OK);
            var card = await (await host.As("committee-b")).GetFromJsonAsync<JsonElement>($"/api/members/{memberId}/card");
            Assert.Equal(4, card.GetProperty("stars").GetInt32());
            Assert.False(card.TryGetProperty("phone", out _));
        }
        finally
        {
            await committee.PutAsJsonAsync($"/api/communities/{host.CommunityA}/point-rules", rules);
        }
    }

    [Fact]
    public async Task Members_see_and_change_only_their_own_work_and_grid_workers_assign_only_in_their_cells()
    {
        var (_, memberId, login) = await SunkDownMember();
        var worker = await host.As("worker-a1");
        var due = DateTimeOffset.UtcNow.AddDays(2);

        // Not yet placed in the worker's cell: not the worker's to assign.
        await ProblemAssert.NamesField(await worker.PostAsJsonAsync("/api/assignments", new { memberId, cellCode = host.CellA1, kind = "patrol", title = "巡查", dueUtc = due }), "memberId");
        await ProblemAssert.Is(await (await host.As("scheduler-a")).PostAsJsonAsync($"/api/members/{memberId}/placement", new { cellCode = host.CellA2 }), 403);
        await Json(await (await host.As("committee-a")).PostAsJsonAsync($"/api/members/{memberId}/placement", new { cellCode = host.CellA2 }), HttpStatusCode.OK);
        await ProblemAssert.Is(await worker.PostAsJsonAsync("/api/assignments", new { memberId, cellCode = host.CellA2, kind = "patrol", title = "巡查", dueUtc = due }), 403);
        await ProblemAssert.Is(await (await host.As("committee-b")).PostAsJsonAsync("/api/assignments", new { memberId, cellCode = host.CellA2, kind = "patrol", title = "巡查", dueUtc = due }), 403);

        var created = await Json(await (await host.As("committee-a")).PostAsJsonAsync("/api/assignments", new
        {
            memberId, cellCode = host.CellA2, kind = "other", title = "协助整理台账", dueUtc = due,
        }), HttpStatusCode.Created);
        var id = created.GetProperty("id").GetString();
        await ProblemAssert.Is(await (await host.As("member-a")).PostAsJsonAsync($"/api/assignments/{id}/accept", new { }), 403);
        await ProblemAssert.Is(await (await host.As("member-a")).GetAsync($"/api/assignments/{id}"), 403);
        await ProblemAssert.Is(await (await host.As("member-a")).GetAsync($"/api/members/{memberId}/standing"), 403);
        await ProblemAssert.Is(await (await host.As(login)).PostAsJsonAsync($"/api/assignments/{id}/cancel", new { }), 403);
        await Json(await (await host.As(login)).PostAsJsonAsync($"/api/assignments/{id}/accept", new { }), HttpStatusCode.OK);
        await Json(await (await host.As("committee-a")).PostAsJsonAsync($"/api/assignments/{id}/cancel", new { note = "另行安排" }), HttpStatusCode.OK);
        await ProblemAssert.Is(await (await host.As("committee-b")).PostAsync($"/api/organs/{host.Organ}/communities/{host.CommunityA}", null), 403);
        await ProblemAssert.NamesField(await (await host.As("committee-a")).PostAsJsonAsync("/api/assignments", new { memberId, cellCode = host.CellA2, kind = "patrol", title = "巡查", dueUtc = DateTimeOffset.UtcNow.AddDays(-1) }), "dueUtc");
    }

    [Fact]
    public async Task Member_ids_in_paths_are_checked_by_one_rule_and_unknown_members_are_404()
    {
        var committee = await host.As("committee-a");
        foreach (var path in new[] { "/api/members/330503101001X00001", "/api/members/330503101001X00001/standing", "/api/members/330503101001X00001/card" })
        {
            var problem = await ProblemAssert.NamesField(await committee.GetAsync(path), "id");
            Assert.Contains("党员编号", problem.GetProperty("errors").GetProperty("id")[0].GetString());
        }
        var unknown = await ProblemAssert.Is(await committee.GetAsync($"/api/members/{host.CommunityA}M99999/card"), 404);
        Assert.Equal(("not_found", $"党员 {host.CommunityA}M99999 不存在。"), (unknown.GetProperty("code").GetString(), unknown.GetProperty("detail").GetString()));
        var badHousehold = await ProblemAssert.NamesField(await committee.PutAsync($"/api/members/{host.MemberA}/households/x-1", null), "householdId");
        Assert.Contains("住户编号", badHousehold.GetProperty("errors").GetProperty("householdId")[0].GetString());
    }

    [Fact]
    public async Task A_mobile_member_is_flagged_with_where_they_are()
    {
        var (_, memberId, login) = await SunkDownMember();
        var member = await host.As(login);
        await ProblemAssert.NamesField(await member.PutAsJsonAsync($"/api/members/{memberId}/mobile", new { isMobile = true }), "location");
        var updated = await Json(await member.PutAsJsonAsync($"/api/members/{memberId}/mobile", new { isMobile = true, location = "杭州市滨江区" }), HttpStatusCode.OK);
        Assert.True(updated.GetProperty("isMobile").GetBoolean());
        Assert.Equal("杭州市滨江区", updated.GetProperty("mobileLocation").GetString());
        await ProblemAssert.Is(await (await host.As("member-a")).PutAsJsonAsync($"/api/members/{memberId}/mobile", new { isMobile = false }), 403);
    }

    [Fact]
    public async Task A_linked_member_logs_visits_to_their_household()
    {
        var (_, memberId, login) = await SunkDownMember();
        var household = await Json(await (await host.As("worker-a1")).PostAsJsonAsync("/api/households", new
        {
            cellCode = host.CellA1, address = "联户楼" + memberId[^5..], tags = new[] { "elderly_alone" },
            residents = new[] { new { name = "钱奶奶", relation = "户主" } },
        }), HttpStatusCode.Created);
        var householdId = household.GetProperty("id").GetString();

        await ProblemAssert.Is(await (await host.As(login)).PostAsJsonAsync($"/api/households/{householdId}/visits", new { note = "上门看望" }), 403);
        Assert.Equal(HttpStatusCode.NoContent, (await (await host.As("worker-a1")).PutAsync($"/api/members/{memberId}/households/{householdId}", null)).StatusCode);
        await Json(await (await host.As(login)).PostAsJsonAsync($"/api/households/{householdId}/visits", new { note = "上门看望，\n血压正常" }), HttpStatusCode.Created);
        var visits = await (await host.As("committee-a")).GetFromJsonAsync<JsonElement>($"/api/households/{householdId}/visits");
        Assert.Equal(7, visits.GetProperty("intervalDays").GetInt32());
        Assert.Equal(login, visits.GetProperty("visits")[0].GetProperty("by").GetString());
        Assert.Empty(await (await host.As("worker-a1")).GetFromJsonAsync<JsonElement[]>($"/api/cells/{host.CellA1}/visits-due") ?? []);
    }
}
