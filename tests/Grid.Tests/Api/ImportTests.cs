using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Grid.Contracts;

namespace Grid.Tests.Api;

[Collection(GridHostCollection.Name)]
public sealed class ImportTests(GridHost host) : ImportSuite(host);

[Collection(PostgresGridHostCollection.Name)]
public sealed class ImportTestsOnPostgres(PostgresGridHost host) : ImportSuite(host);

[Trait("Tier", "Integration")]
public abstract class ImportSuite(GridHost host)
{
    private static StringContent Csv(string text) => new(text, Encoding.UTF8, "text/csv");

    private static int[] ErrorRows(JsonElement problem) =>
        [.. problem.GetProperty("rowErrors").EnumerateArray().Select(e => e.GetProperty("row").GetInt32()).Distinct().Order()];

    private static (int, string)[] ErrorFields(JsonElement problem) =>
        [.. problem.GetProperty("rowErrors").EnumerateArray().Select(e => (e.GetProperty("row").GetInt32(), e.GetProperty("field").GetString()!)).Distinct().Order()];

    private static string RowError(JsonElement problem, int row, string field) =>
        problem.GetProperty("rowErrors").EnumerateArray().First(e => e.GetProperty("row").GetInt32() == row && e.GetProperty("field").GetString() == field)
            .GetProperty("error").GetString()!;

    [Fact]
    public async Task A_households_file_with_a_bad_row_is_rejected_whole_with_every_error_listed()
    {
        var admin = await host.As("root");
        var before = (await host.Grains.GetGrain<IGridCellGrain>(host.CellA2).Get())!.HouseholdCount;
        var id = TestData.IdNumber();
        var file = $"""
            cell_code,address,tags,resident_name,resident_phone,resident_id_number,resident_relation
            {host.CellA2},导入楼1号,elderly_alone,孙丽,13811110001,{id},户主
            {host.CellA2},导入楼2号,,周强,1381111,{id},户主
            33050310100100X,导入楼3号,,吴敏,13811110003,,户主
            {host.CellA2},导入楼4号,vip,郑华,13811110004,,户主
            """;
        var response = await admin.PostAsync("/api/import/households", Csv(file));
        var problem = await ProblemAssert.Is(response, 422);
        Assert.Equal("import.rejected", problem.GetProperty("code").GetString());
        Assert.Equal([3, 4, 5], ErrorRows(problem));
        Assert.Equal([(3, "resident_phone"), (4, "cell_code"), (5, "tags")], ErrorFields(problem));
        Assert.Contains("手机号", RowError(problem, 3, "resident_phone"));
        Assert.Contains("网格编码", RowError(problem, 4, "cell_code"));
        Assert.Equal(before, (await host.Grains.GetGrain<IGridCellGrain>(host.CellA2).Get())!.HouseholdCount);
    }

    [Fact]
    public async Task A_clean_households_file_is_applied_and_sending_it_again_changes_nothing()
    {
        var admin = await host.As("committee-a");
        var file = $"""
            cell_code,address,tags,resident_name,resident_phone,resident_relation
            {host.CellA2},"新村5幢, 东单元 101室",elderly_alone;hardship,陈老伯,13822220001,户主
            {host.CellA2},新村5幢102室,,林芳,13822220002,户主
            {host.CellA2},新村5幢102室,,林小宇,,子女
            """;
        var first = await admin.PostAsync("/api/import/households", Csv(file));
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        var report = await first.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(2, report.GetProperty("created").GetInt32());

        var again = await (await admin.PostAsync("/api/import/households", Csv(file))).Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(0, again.GetProperty("created").GetInt32());
        Assert.Equal(2, again.GetProperty("unchanged").GetInt32());

        var ids = await host.Grains.GetGrain<IGridCellGrain>(host.CellA2).HouseholdIdsByAddress();
        var family = await host.Grains.GetGrain<IHouseholdGrain>(ids["新村5幢102室"]).Get();
        Assert.Equal(["林芳", "林小宇"], family!.Definition.Residents.Select(r => r.Name));
        var oldMan = await host.Grains.GetGrain<IHouseholdGrain>(ids["新村5幢, 东单元 101室"]).Get();
        Assert.Equal([HouseholdTags.ElderlyAlone, HouseholdTags.Hardship], oldMan!.Definition.Tags.ToArray());
    }

    [Fact]
    public async Task A_households_row_that_contradicts_a_registered_household_rejects_the_file()
    {
        var admin = await host.As("root");
        await admin.PostAsync("/api/import/households", Csv($"cell_code,address,resident_name\n{host.CellA1},冲突楼1号,甲\n"));
        var response = await admin.PostAsync("/api/import/households", Csv($"cell_code,address,resident_name\n{host.CellA1},冲突楼1号,乙\n{host.CellA1},冲突楼2号,丙\n"));
        var problem = await ProblemAssert.Is(response, 422);
        Assert.Equal([(2, "address")], ErrorFields(problem));
        Assert.Contains("已登记了另一户", RowError(problem, 2, "address"));
        Assert.False((await host.Grains.GetGrain<IGridCellGrain>(host.CellA1).HouseholdIdsByAddress()).ContainsKey("冲突楼2号"));
    }

    [Fact]
    public async Task A_households_row_placed_outside_its_cell_rejects_the_file()
    {
        var admin = await host.As("root");
        var file = $"cell_code,address,lng,lat\n{host.CellA1},界内楼1号,120.4215,30.7115\n{host.CellA1},界外楼1号,120.45,30.7115\n";
        var problem = await ProblemAssert.Is(await admin.PostAsync("/api/import/households", Csv(file)), 422);
        Assert.Equal([(3, "lng/lat")], ErrorFields(problem));
        Assert.Contains($"位置不在网格 {host.CellA1}", RowError(problem, 3, "lng/lat"));
        Assert.False((await host.Grains.GetGrain<IGridCellGrain>(host.CellA1).HouseholdIdsByAddress()).ContainsKey("界内楼1号"));
    }

    [Fact]
    public async Task A_file_that_is_not_csv_as_expected_is_a_400_problem()
    {
        var admin = await host.As("root");
        var unreadable = await ProblemAssert.Is(await admin.PostAsync("/api/import/households", Csv("address\nx\n")), 400);
        Assert.Equal(("import.unreadable", "缺少必填的列：cell_code。"), (unreadable.GetProperty("code").GetString(), unreadable.GetProperty("detail").GetString()));
        await ProblemAssert.Is(await admin.PostAsync("/api/import/households", Csv("cell_code,address\n\"open")), 400);
        await ProblemAssert.Is(await admin.PostAsync("/api/import/households", Csv("")), 400);
    }

    [Fact]
    public async Task Members_import_checks_every_row_against_the_directory_before_applying_any()
    {
        var admin = await host.As("committee-a");
        var bad = $"""
            name,phone,community_code,branch,organ_code,cell_code,joined_party_on,is_mobile,mobile_location
            何平,13633330001,{host.CommunityA},第一党支部,,{host.CellA1},2001-07-01,false,
            何安,13633330002,{host.CommunityA},第一党支部,,{host.CellB1},2001-07-01,false,
            何静,13633330001,{host.CommunityA},第一党支部,,,07/01/2001,maybe,
            何军,13633330004,{host.CommunityB},第一党支部,,,,,
            """;
        var problem = await ProblemAssert.Is(await admin.PostAsync("/api/import/members", Csv(bad)), 422);
        Assert.Equal([(3, "cell_code"), (4, "is_mobile"), (4, "joined_party_on"), (5, "community_code")], ErrorFields(problem));
        Assert.Contains("yyyy-MM-dd", RowError(problem, 4, "joined_party_on"));
        Assert.Contains("无权", RowError(problem, 5, "community_code"));
        Assert.False((await host.Grains.GetGrain<ICommunityGrain>(host.CommunityA).MemberIdsByPhone()).ContainsKey("13633330001"));

        var good = $"""
            name,phone,community_code,branch,organ_code,cell_code,joined_party_on,is_mobile,mobile_location
            何平,13633330001,{host.CommunityA},第一党支部,{host.Organ},{host.CellA1},2001-07-01,false,
            何静,13633330003,{host.CommunityA},第一党支部,,,,是,杭州市
            """;
        var report = await (await admin.PostAsync("/api/import/members", Csv(good))).Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(2, report.GetProperty("created").GetInt32());
        var id = (await host.Grains.GetGrain<ICommunityGrain>(host.CommunityA).MemberIdsByPhone())["13633330001"];
        Assert.Contains(id, (await host.Grains.GetGrain<IOrganGrain>(host.Organ).Get())!.MemberIds);
    }

    [Fact]
    public async Task A_cells_file_with_bad_features_is_rejected_whole()
    {
        var admin = await host.As("root");
        var good = host.CommunityA + "009";
        var square = TestData.Square(120.43).Select(p => new[] { p.Lng, p.Lat }).ToArray();
        var collection = new
        {
            type = "FeatureCollection",
            features = new object[]
            {
                new { type = "Feature", properties = new { code = good, name = "好网格" }, geometry = new { type = "Polygon", coordinates = new[] { square } } },
                new { type = "Feature", properties = new { code = host.CommunityA + "010", name = "开口" }, geometry = new { type = "Polygon", coordinates = new[] { square[..4] } } },
                new { type = "Feature", properties = new { code = "330503109999001", name = "无社区" }, geometry = new { type = "Polygon", coordinates = new[] { square } } },
                new { type = "Feature", properties = new { code = host.CommunityA + "011", name = "点" }, geometry = new { type = "Point", coordinates = new[] { 120.4, 30.7 } } },
            },
        };
        var problem = await ProblemAssert.Is(await admin.PostAsJsonAsync("/api/import/cells", collection), 422);
        Assert.Equal([1, 2, 3], ErrorRows(problem));
        Assert.Null(await host.Grains.GetGrain<IGridCellGrain>(good).Get());
        await ProblemAssert.Is(await admin.PostAsJsonAsync("/api/import/cells", new { type = "Feature" }), 400);
    }

    [Fact]
    public async Task Only_admins_and_committees_import_and_a_committee_only_into_its_community()
    {
        var file = $"cell_code,address\n{host.CellB1},越界1号\n";
        await ProblemAssert.Is(await (await host.As("worker-a1")).PostAsync("/api/import/households", Csv(file)), 403);
        var problem = await ProblemAssert.Is(await (await host.As("committee-a")).PostAsync("/api/import/households", Csv(file)), 422);
        Assert.Equal([(2, "cell_code")], ErrorFields(problem));
        Assert.Contains("无权", RowError(problem, 2, "cell_code"));
    }
}
