using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Grid.Tests.Api;

namespace Grid.Tests.Open311;

/// <summary>GeoReport v2 through the real node: an Open311 app reports, the committee works the issue in Grid, the app follows it.</summary>
[Collection(GridHostCollection.Name)]
public sealed class Open311ApiTests(GridHost host) : Open311ApiSuite(host);

[Collection(PostgresGridHostCollection.Name)]
public sealed class Open311ApiTestsOnPostgres(PostgresGridHost host) : Open311ApiSuite(host);

[Trait("Tier", "Integration")]
public abstract class Open311ApiSuite(GridHost host)
{
    // Inside cell A1 (120.420..120.423, 30.710..30.713), inside cell B1, and in no cell at all.
    private const string LatA1 = "30.7115", LongA1 = "120.4215";
    private const string LatB1 = "30.7115", LongB1 = "120.4415";

    private static string Unique(string text) => $"{text}{Guid.NewGuid().ToString("N")[..8]}";

    private Task<HttpResponseMessage> Post(string? idempotencyKey = null, string? apiKey = GridHost.Open311Key, params (string Name, string Value)[] fields)
    {
        var all = fields.ToList();
        if (apiKey is not null) all.Add(("api_key", apiKey));
        var request = new HttpRequestMessage(HttpMethod.Post, "/open311/v2/requests.json")
        {
            Content = new FormUrlEncodedContent(all.Select(f => KeyValuePair.Create(f.Name, f.Value))),
        };
        if (idempotencyKey is not null) request.Headers.Add("Idempotency-Key", idempotencyKey);
        return host.CreateClient().SendAsync(request);
    }

    private static (string, string)[] Report(string description, string serviceCode = "10.01", string lat = LatA1, string lng = LongA1) =>
        [("service_code", serviceCode), ("lat", lat), ("long", lng), ("description", description)];

    private async Task<string> Reported(HttpResponseMessage response)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Created, $"expected 201, got {(int)response.StatusCode}: {body}");
        var created = JsonDocument.Parse(body).RootElement;
        Assert.Equal(JsonValueKind.Array, created.ValueKind);
        var id = created[0].GetProperty("service_request_id").GetString()!;
        Assert.False(string.IsNullOrEmpty(created[0].GetProperty("service_notice").GetString()));
        Assert.Equal(JsonValueKind.Null, created[0].GetProperty("account_id").ValueKind);
        Assert.Equal($"/open311/v2/requests/{id}.json", response.Headers.Location?.OriginalString);
        return id;
    }

    private async Task<JsonElement[]> Get(string pathAndQuery, string apiKey = GridHost.Open311Key)
    {
        var separator = pathAndQuery.Contains('?') ? '&' : '?';
        var response = await host.CreateClient().GetAsync($"{pathAndQuery}{separator}api_key={apiKey}");
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"expected 200, got {(int)response.StatusCode}: {body}");
        return JsonSerializer.Deserialize<JsonElement[]>(body)!;
    }

    private async Task<JsonElement> One(string id) => Assert.Single(await Get($"/open311/v2/requests/{id}.json"));

    [Fact]
    public async Task Services_are_exactly_the_category_subclasses_grouped_by_their_class()
    {
        var categories = await (await host.As("root")).GetFromJsonAsync<JsonElement[]>("/api/categories");
        var subclasses = categories!.Where(c => c.GetProperty("parentCode").ValueKind == JsonValueKind.String).ToArray();
        var classNames = categories!.Where(c => c.GetProperty("parentCode").ValueKind == JsonValueKind.Null)
            .ToDictionary(c => c.GetProperty("code").GetString()!, c => c.GetProperty("name").GetString());

        var services = await Get("/open311/v2/services.json");

        Assert.Equal(subclasses.Select(c => c.GetProperty("code").GetString()).Order(), services.Select(s => s.GetProperty("service_code").GetString()).Order());
        var litter = services.Single(s => s.GetProperty("service_code").GetString() == "10.01");
        Assert.Equal("暴露垃圾", litter.GetProperty("service_name").GetString());
        Assert.Equal(classNames["10"], litter.GetProperty("group").GetString());
        Assert.False(litter.GetProperty("metadata").GetBoolean());
        Assert.Equal("realtime", litter.GetProperty("type").GetString());
        Assert.Equal(JsonValueKind.String, litter.GetProperty("keywords").ValueKind);
        Assert.False(string.IsNullOrEmpty(litter.GetProperty("description").GetString()));
    }

    [Fact]
    public async Task A_request_becomes_a_grid_issue_in_the_cell_and_shows_closed_once_the_committee_verifies_it()
    {
        var description = Unique("小区东门口有暴露垃圾") + "\r\n已经三天没人清理了";
        var id = await Reported(await Post(null, GridHost.Open311Key,
            [.. Report(description), ("first_name", "三"), ("last_name", "张"), ("phone", "138 1234 5678"), ("email", "zhang@example.com"),
             ("address_string", "练溪花园东门"), ("device_id", "device-1"), ("account_id", "account-1")]));
        Assert.StartsWith(host.CellA1 + "-", id);

        // In Grid: an ordinary issue of the cell, reported by the client, with the resident's details kept for those who need them.
        var committee = await host.As("committee-a");
        var issue = await (await host.As("root")).GetFromJsonAsync<JsonElement>($"/api/issues/{id}");
        Assert.Equal("open311", issue.GetProperty("source").GetString());
        Assert.Equal(host.CellA1, issue.GetProperty("cellCode").GetString());
        Assert.Equal("10.01", issue.GetProperty("categoryCode").GetString());
        Assert.Equal("open311:civic-app", issue.GetProperty("reportedBy").GetString());
        Assert.Equal(description.Split("\r\n")[0], issue.GetProperty("title").GetString());
        Assert.Equal(description.Replace("\r\n", "\n") + "\n地址：练溪花园东门", issue.GetProperty("description").GetString());
        Assert.Equal("张三", issue.GetProperty("reporterName").GetString());
        Assert.Equal("13812345678", issue.GetProperty("reporterPhone").GetString());
        Assert.Equal(120.4215, issue.GetProperty("location").GetProperty("lng").GetDouble(), 6);
        Assert.Equal("reported", issue.GetProperty("status").GetString());

        var open = Assert.Single(await Get($"/open311/v2/requests.json?service_request_id={id}"));
        Assert.Equal("open", open.GetProperty("status").GetString());
        Assert.Equal("10.01", open.GetProperty("service_code").GetString());
        Assert.Equal("暴露垃圾", open.GetProperty("service_name").GetString());
        Assert.Equal(30.7115, open.GetProperty("lat").GetDouble(), 6);
        Assert.Equal(120.4215, open.GetProperty("long").GetDouble(), 6);
        Assert.EndsWith("+08:00", open.GetProperty("requested_datetime").GetString());
        Assert.Equal(JsonValueKind.Null, open.GetProperty("expected_datetime").ValueKind);
        Assert.Equal("练溪社区网格001", open.GetProperty("address").GetString());

        async Task Step(string action, object body)
        {
            var response = await committee.PostAsJsonAsync($"/api/issues/{id}/{action}", body);
            Assert.True(response.IsSuccessStatusCode, $"{action}: {await response.Content.ReadAsStringAsync()}");
        }
        await Step("accept", new { note = "立案" });
        await Step("dispatch", new { assignee = new { kind = "grid_worker", id = "worker-a1" } });
        var dispatched = await One(id);
        Assert.Equal("open", dispatched.GetProperty("status").GetString());
        Assert.EndsWith("+08:00", dispatched.GetProperty("expected_datetime").GetString());
        await Step("start", new { note = "" });
        await Step("resolve", new { note = "已清运" });
        await Step("verify", new { passed = true, note = "核查通过" });

        var closed = await One(id);
        Assert.Equal("closed", closed.GetProperty("status").GetString());
        Assert.Equal("已核查结案", closed.GetProperty("status_notes").GetString());
        Assert.Contains(await Get("/open311/v2/requests.json?status=closed"), r => r.GetProperty("service_request_id").GetString() == id);
        Assert.DoesNotContain(await Get("/open311/v2/requests.json?status=open"), r => r.GetProperty("service_request_id").GetString() == id);
    }

    [Fact]
    public async Task The_same_Idempotency_Key_sent_twice_files_one_issue()
    {
        var description = Unique("路灯不亮");
        var key = Guid.NewGuid().ToString();
        var first = await Reported(await Post(key, GridHost.Open311Key, Report(description, "01.02")));
        var retry = await Reported(await Post(key, GridHost.Open311Key, Report(description, "01.02")));
        Assert.Equal(first, retry);
        Assert.Single(await Get("/open311/v2/requests.json?service_code=01.02"), r => r.GetProperty("description").GetString() == description);

        var other = await Post(key, GridHost.Open311Key, Report(Unique("另一件事"), "01.02"));
        await Open311Assert.Error(other, 422);
        // Another client's key space is its own: the same key from it is a new request.
        var fromB = await Reported(await Post(key, GridHost.Open311KeyB, Report(description, "01.02", LatB1, LongB1)));
        Assert.NotEqual(first, fromB);
    }

    [Fact]
    public async Task A_position_outside_every_cell_is_refused_and_files_nothing()
    {
        var description = Unique("无网格之处");
        var error = await Open311Assert.Error(await Post(null, GridHost.Open311Key, Report(description, lat: "25.0", lng: "101.0")), 400);
        Assert.Contains("不在任何网格内", error);
        Assert.DoesNotContain(await Get("/open311/v2/requests.json"), r => r.GetProperty("description").GetString() == description);

        Assert.Contains("lat 和 long 必填", await Open311Assert.Error(await Post(null, GridHost.Open311Key,
            ("service_code", "10.01"), ("address_string", "练溪花园东门"), ("description", "没有坐标")), 400));
        Assert.Contains("填反", await Open311Assert.Error(await Post(null, GridHost.Open311Key, Report("坐标颠倒", lat: LongA1, lng: LatA1)), 400));
    }

    [Theory]
    [InlineData("99.99")]
    [InlineData("10")] // a class, not a subclass
    [InlineData("")]
    public async Task An_unknown_service_code_is_refused(string code)
    {
        var error = await Open311Assert.Error(await Post(null, GridHost.Open311Key, Report("未知类别", code)), 400);
        Assert.Contains("service_code", error);
    }

    [Fact]
    public async Task Without_a_valid_api_key_nothing_is_answered()
    {
        await Open311Assert.Error(await Post(null, apiKey: null, Report("无钥匙")), 401);
        await Open311Assert.Error(await Post(null, apiKey: "not-a-key-grid-knows", Report("错钥匙")), 403);
        var client = host.CreateClient();
        var missing = await client.GetAsync("/open311/v2/requests.json");
        await Open311Assert.Error(missing, 401);
        Assert.NotEmpty(missing.Headers.WwwAuthenticate);
        await Open311Assert.Error(await client.GetAsync("/open311/v2/services.json?api_key=wrong-key-wrong-key"), 403);
        await Open311Assert.Error(await client.GetAsync($"/open311/v2/requests/{host.CellA1}-2026-00001.json"), 401);
        // A Grid token is no api_key.
        var withToken = await host.As("root");
        await Open311Assert.Error(await withToken.GetAsync("/open311/v2/services.json"), 401);
    }

    [Fact]
    public async Task A_client_restricted_to_a_community_reports_and_sees_only_there()
    {
        await Open311Assert.Error(await Post(null, GridHost.Open311KeyB, Report("越界上报")), 403);
        var inB = await Reported(await Post(null, GridHost.Open311KeyB, Report(Unique("东栅垃圾"), lat: LatB1, lng: LongB1)));
        Assert.StartsWith(host.CellB1, inB);
        var inA = await Reported(await Post(null, GridHost.Open311Key, Report(Unique("练溪垃圾"))));

        var seen = await Get("/open311/v2/requests.json", GridHost.Open311KeyB);
        Assert.Contains(seen, r => r.GetProperty("service_request_id").GetString() == inB);
        Assert.All(seen, r => Assert.StartsWith(host.CommunityB, r.GetProperty("service_request_id").GetString()));
        Assert.Empty(await Get($"/open311/v2/requests.json?service_request_id={inA}", GridHost.Open311KeyB));
        await Open311Assert.Error(await host.CreateClient().GetAsync($"/open311/v2/requests/{inA}.json?api_key={GridHost.Open311KeyB}"), 403);
    }

    [Fact]
    public async Task The_reporters_name_and_phone_never_appear_in_what_open311_answers()
    {
        var id = await Reported(await Post(null, GridHost.Open311Key,
            [.. Report(Unique("电动车在楼道充电")), ("first_name", "秀英"), ("last_name", "欧阳"), ("phone", "13987654321"), ("email", "oy@example.com")]));
        foreach (var path in new[] { $"/open311/v2/requests/{id}.json", $"/open311/v2/requests.json?service_request_id={id}", "/open311/v2/requests.json" })
        {
            var request = (await Get(path)).Single(r => r.GetProperty("service_request_id").GetString() == id);
            // Names and decoded values both, whatever escaping the JSON used.
            var text = request.GetRawText() + string.Join("|", request.EnumerateObject().Select(p => $"{p.Name}={(p.Value.ValueKind == JsonValueKind.String ? p.Value.GetString() : p.Value.GetRawText())}"));
            foreach (var secret in new[] { "欧阳", "秀英", "13987654321", "139****4321", "oy@example.com", "reporter", "phone", "first_name", "last_name", "email" })
                Assert.DoesNotContain(secret, text);
        }
    }

    [Fact]
    public async Task Listings_filter_by_service_status_and_dates_within_90_days()
    {
        var description = Unique("道路积水");
        var id = await Reported(await Post(null, GridHost.Open311Key, Report(description, "10.03")));
        bool Has(JsonElement[] list) => list.Any(r => r.GetProperty("service_request_id").GetString() == id);

        var listed = (await Get("/open311/v2/requests.json?service_code=10.03,10.02&status=open")).Single(r => r.GetProperty("service_request_id").GetString() == id);
        Assert.Equal(description, listed.GetProperty("description").GetString()); // the title, which is the description's first line
        Assert.Equal(120.4215, listed.GetProperty("long").GetDouble(), 6);
        Assert.Equal("练溪社区", listed.GetProperty("agency_responsible").GetString());
        Assert.False(Has(await Get("/open311/v2/requests.json?service_code=10.02")));
        Assert.False(Has(await Get("/open311/v2/requests.json?status=closed")));

        var today = DateTimeOffset.UtcNow.ToOffset(TimeSpan.FromHours(8));
        // '+' left unencoded turns into a space; Grid reads it as the offset it was meant to be.
        Assert.True(Has(await Get($"/open311/v2/requests.json?start_date={today.AddDays(-1):yyyy-MM-dd'T'HH:mm:ss}+08:00")));
        Assert.True(Has(await Get($"/open311/v2/requests.json?start_date={today.AddDays(-1).UtcDateTime:yyyy-MM-dd'T'HH:mm:ss'Z'}&end_date={today.AddDays(1).UtcDateTime:yyyy-MM-dd'T'HH:mm:ss'Z'}")));
        Assert.False(Has(await Get($"/open311/v2/requests.json?end_date={today.AddDays(-1).UtcDateTime:yyyy-MM-dd'T'HH:mm:ss'Z'}")));

        var client = host.CreateClient();
        async Task<string> Refused(string query) =>
            await Open311Assert.Error(await client.GetAsync($"/open311/v2/requests.json?api_key={GridHost.Open311Key}&{query}"), 400);
        Assert.Contains("不能超过 90 天", await Refused("start_date=2026-01-01T00:00:00Z&end_date=2026-06-01T00:00:00Z"));
        Assert.Contains("end_date 早于 start_date", await Refused("start_date=2026-02-01T00:00:00Z&end_date=2026-01-01T00:00:00Z"));
        Assert.Contains("start_date 应为 ISO 8601", await Refused("start_date=yesterday"));
        Assert.Contains("status", await Refused("status=pending"));
        Assert.Contains("没有服务「77.01」", await Refused("service_code=77.01"));
        Assert.Contains("service_request_id：诉求编号「42」不正确", await Refused("service_request_id=42"));
    }

    [Fact]
    public async Task Only_json_and_only_forms_are_spoken_and_errors_keep_the_open311_shape()
    {
        var client = host.CreateClient();
        Assert.Contains("只以 JSON", await Open311Assert.Error(await client.GetAsync($"/open311/v2/services.xml?api_key={GridHost.Open311Key}"), 404));
        Assert.Contains("只以 JSON", await Open311Assert.Error(await client.GetAsync($"/open311/v2/requests.xml?api_key={GridHost.Open311Key}"), 404));
        await Open311Assert.Error(await client.GetAsync("/open311/v2/discovery.json"), 404);
        await Open311Assert.Error(await client.GetAsync($"/open311/v2/requests/{host.CellA1}-2026-99999.json?api_key={GridHost.Open311Key}"), 404);

        var json = new StringContent(JsonSerializer.Serialize(new { service_code = "10.01", lat = 30.7115, @long = 120.4215 }), Encoding.UTF8, "application/json");
        Assert.Contains("以表单", await Open311Assert.Error(await client.PostAsync($"/open311/v2/requests.json?api_key={GridHost.Open311Key}", json), 400));
    }
}

/// <summary>Assertions on Open311 errors: [{"code": status, "description": "…"}] with that HTTP status.</summary>
public static class Open311Assert
{
    public static async Task<string> Error(HttpResponseMessage response, int status)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True((int)response.StatusCode == status, $"expected {status}, got {(int)response.StatusCode}: {body}");
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        var error = Assert.Single(JsonSerializer.Deserialize<JsonElement[]>(body)!);
        Assert.Equal(status, error.GetProperty("code").GetInt32());
        var description = error.GetProperty("description").GetString();
        Assert.False(string.IsNullOrWhiteSpace(description));
        return description!;
    }
}
