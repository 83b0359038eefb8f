using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace Grid.Tests.Api;

[Collection(GridHostCollection.Name)]
public sealed class DirectoryApiTests(GridHost host) : DirectoryApiSuite(host);

[Collection(PostgresGridHostCollection.Name)]
public sealed class DirectoryApiTestsOnPostgres(PostgresGridHost host) : DirectoryApiSuite(host);

[Trait("Tier", "Integration")]
public abstract class DirectoryApiSuite(GridHost host)
{
    private object Household(string cell, string address, string phone = "13812345678") => new
    {
        cellCode = cell,
        address,
        residents = new[] { new { name = "王秀英", phone, idNumber = TestData.IdNumber(), relation = "户主" } },
        tags = new[] { "elderly_alone" },
    };

    [Fact]
    public async Task A_committee_lists_only_its_own_community_and_an_admin_lists_all()
    {
        var mine = await (await host.As("committee-a")).GetFromJsonAsync<JsonElement[]>("/api/communities");
        Assert.Equal([host.CommunityA], mine!.Select(c => c.GetProperty("definition").GetProperty("code").GetString()));
        var all = await (await host.As("root")).GetFromJsonAsync<JsonElement[]>("/api/communities");
        Assert.Contains(all!, c => c.GetProperty("definition").GetProperty("code").GetString() == host.CommunityB);
    }

    [Fact]
    public async Task Community_and_cell_lookups_answer_400_403_and_404_as_problems()
    {
        var committee = await host.As("committee-a");
        await ProblemAssert.NamesField(await committee.GetAsync("/api/communities/12345"), "code");
        await ProblemAssert.Is(await committee.GetAsync($"/api/communities/{host.CommunityB}"), 403);
        await ProblemAssert.Is(await (await host.As("root")).GetAsync("/api/communities/330503109999"), 404);
        await ProblemAssert.NamesField(await committee.GetAsync("/api/cells/33050310100100x"), "code");
        await ProblemAssert.Is(await committee.GetAsync($"/api/cells/{host.CellB1}"), 403);
    }

    [Fact]
    public async Task The_cells_of_a_community_carry_their_boundary_and_grid_centre()
    {
        var cells = await (await host.As("scheduler-a")).GetFromJsonAsync<JsonElement[]>($"/api/communities/{host.CommunityA}/cells");
        Assert.Equal(2, cells!.Length);
        var cell = cells.Single(c => c.GetProperty("definition").GetProperty("code").GetString() == host.CellA1);
        Assert.Equal(5, cell.GetProperty("definition").GetProperty("boundary").GetArrayLength());
        Assert.Equal(120.4215, cell.GetProperty("centre").GetProperty("lng").GetDouble(), 4);
        Assert.Contains(host.MemberA, cell.GetProperty("memberIds").EnumerateArray().Select(m => m.GetString()));
    }

    [Fact]
    public async Task A_grid_worker_registers_a_household_once_however_often_the_request_is_sent()
    {
        var worker = await host.As("worker-a1");
        var first = await worker.PostAsJsonAsync("/api/households", Household(host.CellA1, "荷花苑3幢101室"));
        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        var created = await first.Content.ReadFromJsonAsync<JsonElement>();
        var id = created.GetProperty("id").GetString()!;
        Assert.Equal($"/api/households/{id}", first.Headers.Location!.OriginalString);

        var retry = await worker.PostAsJsonAsync("/api/households", Household(host.CellA1, "荷花苑3幢101室"));
        Assert.Equal(HttpStatusCode.OK, retry.StatusCode);
        Assert.Equal(id, (await retry.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString());

        var different = await worker.PostAsJsonAsync("/api/households", Household(host.CellA1, "荷花苑3幢101室", phone: "13999999999"));
        var conflict = await ProblemAssert.Is(different, 409);
        Assert.Equal(id, conflict.GetProperty("householdId").GetString());
        Assert.Equal("household.exists", conflict.GetProperty("code").GetString());
        Assert.Contains("荷花苑3幢101室", conflict.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task A_household_placed_outside_its_cell_is_refused_on_its_location()
    {
        var outside = await (await host.As("worker-a1")).PostAsJsonAsync("/api/households", new
        {
            cellCode = host.CellA1, address = "界外1号", location = new { lng = 120.45, lat = 30.7115 },
        });
        var problem = await ProblemAssert.NamesField(outside, "location");
        Assert.Equal("household.outside_cell", problem.GetProperty("code").GetString());
        Assert.Contains($"位置不在网格 {host.CellA1}", problem.GetProperty("errors").GetProperty("location")[0].GetString());
    }

    [Fact]
    public async Task Households_are_registered_only_by_those_responsible_for_the_cell()
    {
        var outOfScope = await ProblemAssert.Is(await (await host.As("worker-a1")).PostAsJsonAsync("/api/households", Household(host.CellA2, "外格1号")), 403);
        Assert.Equal("forbidden", outOfScope.GetProperty("code").GetString());
        Assert.Contains("无权", outOfScope.GetProperty("detail").GetString());
        await ProblemAssert.Is(await (await host.As("scheduler-a")).PostAsJsonAsync("/api/households", Household(host.CellA1, "外格2号")), 403);
        await ProblemAssert.Is(await (await host.As("member-a")).PostAsJsonAsync("/api/households", Household(host.CellA1, "外格3号")), 403);
        await ProblemAssert.Is(await (await host.As("committee-b")).PostAsJsonAsync("/api/households", Household(host.CellA1, "外格4号")), 403);
        var committee = await (await host.As("committee-a")).PostAsJsonAsync("/api/households", Household(host.CellA2, "外格5号"));
        Assert.Equal(HttpStatusCode.Created, committee.StatusCode);
    }

    [Fact]
    public async Task A_household_with_bad_fields_gets_a_problem_naming_each_field()
    {
        var response = await (await host.As("root")).PostAsJsonAsync("/api/households", new
        {
            cellCode = host.CellA1,
            address = new string('x', 201),
            residents = new[] { new { name = "", phone = "12345", idNumber = "330503199001011230", relation = "户主" } },
            tags = new[] { "vip" },
        });
        var problem = await ProblemAssert.Is(response, 400);
        var errors = problem.GetProperty("errors");
        foreach (var field in new[] { "address", "residents[0].name", "residents[0].phone", "residents[0].idNumber", "tags" })
            Assert.True(errors.TryGetProperty(field, out _), $"{field} missing in {errors}");
        Assert.Equal("invalid", problem.GetProperty("code").GetString());
        Assert.Contains("不是住户标签", errors.GetProperty("tags")[0].GetString());
        Assert.Contains("手机号", errors.GetProperty("residents[0].phone")[0].GetString());
    }

    [Fact]
    public async Task Residents_personal_data_is_shown_in_full_only_to_roles_that_need_it()
    {
        var created = await (await host.As("committee-a")).PostAsJsonAsync("/api/households", Household(host.CellA1, "隐私楼1号", phone: "13812345678"));
        var id = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString();

        async Task<JsonElement> Resident(string user) =>
            (await (await host.As(user)).GetFromJsonAsync<JsonElement>($"/api/households/{id}")).GetProperty("residents")[0];

        foreach (var user in new[] { "root", "committee-a", "worker-a1" })
        {
            var r = await Resident(user);
            Assert.Equal("13812345678", r.GetProperty("phone").GetString());
            Assert.Equal("王秀英", r.GetProperty("name").GetString());
        }
        foreach (var user in new[] { "scheduler-a", "member-a" })
        {
            var r = await Resident(user);
            Assert.Equal("138****5678", r.GetProperty("phone").GetString());
            Assert.Equal("王**", r.GetProperty("name").GetString());
            Assert.DoesNotContain(TestData.IdNumber()[3..14], r.GetProperty("idNumber").GetString());
        }
        await ProblemAssert.Is(await (await host.As("committee-b")).GetAsync($"/api/households/{id}"), 403);
    }

    [Fact]
    public async Task Household_lookups_check_the_id_and_answer_404_for_unknown_ones()
    {
        var admin = await host.As("root");
        var malformed = await ProblemAssert.NamesField(await admin.GetAsync("/api/households/not-an-id"), "id");
        Assert.Contains("住户编号", malformed.GetProperty("errors").GetProperty("id")[0].GetString());
        var unknown = await ProblemAssert.Is(await admin.GetAsync($"/api/households/{host.CellA1}-9999"), 404);
        Assert.Equal(("not_found", $"住户 {host.CellA1}-9999 不存在。"), (unknown.GetProperty("code").GetString(), unknown.GetProperty("detail").GetString()));
    }

    [Fact]
    public async Task A_member_is_registered_once_per_phone_and_must_name_an_existing_organ()
    {
        var committee = await host.As("committee-a");
        var member = new { name = "赵刚", phone = "13700002222", communityCode = host.CommunityA, branch = "第二党支部", cellCode = host.CellA2 };
        var first = await committee.PostAsJsonAsync("/api/members", member);
        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        var retry = await committee.PostAsJsonAsync("/api/members", member);
        Assert.Equal(HttpStatusCode.OK, retry.StatusCode);
        var memberId = (await first.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString();
        Assert.Equal(memberId, (await retry.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString());

        var badOrgan = await committee.PostAsJsonAsync("/api/members", new
        {
            name = "钱多", phone = "13700003333", communityCode = host.CommunityA, branch = "第二党支部", organCode = TestData.OrganCode("11330503MB9999999"),
        });
        Assert.Equal("organ.unknown", (await ProblemAssert.NamesField(badOrgan, "organCode")).GetProperty("code").GetString());
        var wrongCell = await committee.PostAsJsonAsync("/api/members", new
        {
            name = "钱多", phone = "13700003333", communityCode = host.CommunityA, branch = "第二党支部", cellCode = host.CellB1,
        });
        var notHere = await ProblemAssert.NamesField(wrongCell, "cellCode");
        Assert.Contains($"不在社区 {host.CommunityA}", notHere.GetProperty("errors").GetProperty("cellCode")[0].GetString());

        var taken = await ProblemAssert.Is(await committee.PostAsJsonAsync("/api/members", member with { name = "赵钢" }), 409);
        Assert.Equal("member.exists", taken.GetProperty("code").GetString());
        Assert.Equal(memberId, taken.GetProperty("memberId").GetString());
        var malformed = await ProblemAssert.NamesField(await committee.GetAsync("/api/members/330503101001X00001"), "id");
        Assert.Contains("党员编号", malformed.GetProperty("errors").GetProperty("id")[0].GetString());
    }

    [Fact]
    public async Task A_members_phone_is_masked_except_for_the_member_and_their_committee()
    {
        string Phone(JsonElement m) => m.GetProperty("phone").GetString()!;
        Assert.Equal("13900001111", Phone(await (await host.As("member-a")).GetFromJsonAsync<JsonElement>($"/api/members/{host.MemberA}")));
        Assert.Equal("13900001111", Phone(await (await host.As("committee-a")).GetFromJsonAsync<JsonElement>($"/api/members/{host.MemberA}")));
        Assert.Equal("139****1111", Phone(await (await host.As("scheduler-a")).GetFromJsonAsync<JsonElement>($"/api/members/{host.MemberA}")));
        await ProblemAssert.Is(await (await host.As("committee-b")).GetAsync($"/api/members/{host.MemberA}"), 403);
    }

    [Fact]
    public async Task An_organ_lists_its_sunk_down_members()
    {
        var organ = await (await host.As("member-a")).GetFromJsonAsync<JsonElement>($"/api/organs/{host.Organ}");
        Assert.Equal(10, organ.GetProperty("membersRequired").GetInt32());
        Assert.Contains(host.MemberA, organ.GetProperty("memberIds").EnumerateArray().Select(m => m.GetString()));
        await ProblemAssert.NamesField(await (await host.As("root")).GetAsync("/api/organs/ABC"), "code");
        await ProblemAssert.Is(await (await host.As("root")).GetAsync($"/api/organs/{TestData.OrganCode("12330503MB0000009")}"), 404);
    }

    [Fact]
    public async Task Malformed_json_and_wrong_types_are_400_problems_not_500s()
    {
        var admin = await host.As("root");
        var broken = await admin.PostAsync("/api/households", new StringContent("{\"cellCode\": ", Encoding.UTF8, "application/json"));
        Assert.Contains("JSON", (await ProblemAssert.Is(broken, 400)).GetProperty("detail").GetString());
        var wrongType = await admin.PostAsync("/api/households", new StringContent("{\"cellCode\": 5}", Encoding.UTF8, "application/json"));
        Assert.Contains("$.cellCode", (await ProblemAssert.Is(wrongType, 400)).GetProperty("detail").GetString());
        var unknownField = await admin.PostAsync("/api/households", new StringContent("{\"cellcode2\": \"x\"}", Encoding.UTF8, "application/json"));
        await ProblemAssert.Is(unknownField, 400);
    }

    [Fact]
    public async Task The_OpenAPI_document_describes_the_directory()
    {
        var doc = await host.CreateClient().GetFromJsonAsync<JsonElement>("/openapi/v1.json");
        var paths = doc.GetProperty("paths");
        foreach (var path in new[] { "/api/communities", "/api/communities/{code}", "/api/communities/{code}/cells", "/api/cells/{code}",
                     "/api/households", "/api/households/{id}", "/api/members", "/api/members/{id}", "/api/organs/{code}", "/api/auth/token" })
            Assert.True(paths.TryGetProperty(path, out _), path);
    }

    [Fact]
    public async Task Ready_means_the_silo_is_up_and_storage_answers()
    {
        var ready = await host.CreateClient().GetAsync("/health/ready");
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await host.CreateClient().GetAsync("/health/live")).StatusCode);
    }
}
