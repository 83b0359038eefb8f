using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Grid.Contracts;
using Grid.Grains;
using Grid.Silo.Demo;
using Grid.Silo.Hosting;
using Grid.Silo.Storage;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;

namespace Grid.Tests.City;

public sealed class CityLoadTests(CityHost host) : CityLoadSuite(host), IClassFixture<CityHost>;

public sealed class CityLoadTestsOnPostgres(PostgresCityHost host) : CityLoadSuite(host), IClassFixture<PostgresCityHost>;

[Trait("Tier", "EndToEnd")]
public abstract class CityLoadSuite(CityHost host)
{
    [Fact]
    public async Task A_node_started_on_a_loaded_city_reads_every_kind_of_record_back_through_the_api()
    {
        Assert.Equal(CityHost.Size.StateCount, host.RowsLoaded);
        var admin = await host.Admin();
        var communities = host.City.Communities().ToList();
        Assert.Equal(3, communities.Count);

        var listed = await admin.GetStringAsync("/api/communities");
        foreach (var community in communities)
        {
            Assert.Contains(community.Code, listed);
            var view = await admin.GetFromJsonAsync<JsonElement>($"/api/communities/{community.Code}");
            Assert.Equal(community.Community.Definition!.Name, view.GetProperty("definition").GetProperty("name").GetString());
            var cells = await admin.GetFromJsonAsync<JsonElement>($"/api/communities/{community.Code}/cells");
            Assert.Equal(10, cells.GetArrayLength());
            // The leaderboard is a state of its own since the community grain's split: loaded beside the community's.
            var board = await admin.GetFromJsonAsync<JsonElement>($"/api/communities/{community.Code}/leaderboard");
            Assert.Equal(Math.Min(100, community.Points.Leaderboard.Count), board.GetArrayLength());
            Assert.All(board.EnumerateArray(), line => Assert.True(community.Points.Leaderboard.ContainsKey(line.GetProperty("memberId").GetString()!)));
        }

        // A cell in each community: its household index and placed members.
        foreach (var community in communities)
        {
            var cell = community.Cells[community.Code.Length % 10];
            var view = await admin.GetFromJsonAsync<JsonElement>($"/api/cells/{cell.Definition!.Code}");
            Assert.Equal(100, view.GetProperty("householdCount").GetInt32());
            Assert.Equal(cell.Members.ToArray(), view.GetProperty("memberIds").EnumerateArray().Select(m => m.GetString()!).ToArray());
            Assert.Equal(cell.Definition.Name, view.GetProperty("definition").GetProperty("name").GetString());
        }

        // Households and members across the whole city, with their personal data (an administrator sees it unmasked).
        var households = communities.SelectMany(c => c.Households).ToList();
        Assert.Equal(3_000, households.Count);
        foreach (var expected in households.Where((_, i) => i % 97 == 0).Select(h => h.Record!))
        {
            var got = await admin.GetFromJsonAsync<JsonElement>($"/api/households/{expected.Id}");
            Assert.Equal(expected.Definition.Address, got.GetProperty("address").GetString());
            Assert.Equal(expected.Definition.Residents.Select(r => (r.Name, r.Phone, r.IdNumber)),
                got.GetProperty("residents").EnumerateArray().Select(r => (r.GetProperty("name").GetString()!, r.GetProperty("phone").GetString()!, r.GetProperty("idNumber").GetString()!)));
            Assert.Equal(expected.Definition.Location!.Value.Lng, got.GetProperty("location").GetProperty("lng").GetDouble());
        }
        var members = communities.SelectMany(c => c.Members).ToList();
        Assert.Equal(600, members.Count);
        foreach (var expected in members.Where((_, i) => i % 23 == 0).Select(m => m.Record!))
        {
            var got = await admin.GetFromJsonAsync<JsonElement>($"/api/members/{expected.Id}");
            Assert.Equal(expected.Definition.Name, got.GetProperty("name").GetString());
            Assert.Equal(expected.Definition.Phone, got.GetProperty("phone").GetString());
            Assert.Equal(expected.Definition.CellCode, got.GetProperty("cellCode").GetString());
        }
        Assert.Equal(HttpStatusCode.NotFound, (await admin.GetAsync($"/api/households/{communities[0].Cells[0].Definition!.Code}-0101")).StatusCode);
    }

    [Fact]
    public async Task The_node_writes_on_the_loaded_rows_and_next_to_them_under_the_keys_the_loader_computes()
    {
        var admin = await host.Admin();
        var community = host.City.Community(2);
        var cell = community.Cells[4];
        var cellCode = cell.Definition!.Code;
        var (address, existingId) = cell.HouseholdsByAddress.First();

        // The loaded index answers: the address is taken, by the loaded household.
        var taken = await admin.PostAsJsonAsync("/api/households", new { cellCode, address });
        var problem = await ProblemAssert.Is(taken, 409);
        Assert.Equal(existingId, problem.GetProperty("householdId").GetString());

        // A new address gets the next number, and the node's own row carries the hashes the loader computes.
        var created = await admin.PostAsJsonAsync("/api/households", new { cellCode, address = "城市基准测试路1号" });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var id = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString();
        Assert.Equal(HouseholdId.Of(CellCode.Parse(cellCode), 101).Value, id);
        Assert.Equal((GrainStateKey.For(GridStorage.Household, id!), 1L), await host.StoredKey(GridStorage.Household, id!));
        // The cell grain updated its loaded row (version 1 → 2) rather than conflicting with it. A cell code is a
        // hexadecimal number to Orleans, so this row is keyed by N1, unlike the household's (by extension).
        Assert.Equal((GrainStateKey.For(GridStorage.Cell, cellCode), 2L), await host.StoredKey(GridStorage.Cell, cellCode));
        Assert.NotEqual(0, GrainStateKey.For(GridStorage.Cell, cellCode).N1);
        Assert.Equal(0, GrainStateKey.For(GridStorage.Household, id!).N1);
    }
}

/// <summary>The generated city itself: deterministic, valid codes, ID numbers and phones, positions inside their cells.</summary>
[Trait("Tier", "Unit")]
public sealed class CityGeneratorTests
{
    [Fact]
    public void The_same_size_always_yields_the_same_valid_city()
    {
        var size = new CitySize(Cells: 25, Households: 2_510, Members: 503);
        var city = new Grid.Silo.Demo.City(size).Communities().ToList();
        var again = new Grid.Silo.Demo.City(size).Communities().ToList();
        Assert.Equal(3, city.Count);
        static string Household(HouseholdState h) =>
            $"{h.Record!.Id} {h.Record.Definition.Address} {h.Record.Definition.Location} {string.Join(",", h.Record.Definition.Tags)} " +
            string.Join(";", h.Record.Definition.Residents.Select(r => $"{r.Name} {r.Phone} {r.IdNumber} {r.Relation}"));
        static string Member(MemberState m) => $"{m.Record!.Id} {m.Record.Definition with { Pledges = [] }} {m.Record.Definition.Name} {m.Record.Definition.Phone}";
        Assert.Equal(city.SelectMany(c => c.Households).Select(Household), again.SelectMany(c => c.Households).Select(Household));
        Assert.Equal(city.SelectMany(c => c.Members).Select(Member), again.SelectMany(c => c.Members).Select(Member));
        Assert.Equal(2_510, city.Sum(c => c.Households.Length));
        Assert.Equal(503, city.Sum(c => c.Members.Length));
        Assert.Equal([10, 10, 5], city.Select(c => c.Cells.Length));

        foreach (var community in city)
        {
            Assert.Null(GridCodes.CommunityCodeError(community.Code));
            Assert.Equal(community.Members.Length, community.Community.MembersByPhone.Count);
            var centre = community.Community.Definition!.Centre;
            foreach (var cell in community.Cells)
            {
                Assert.Null(GridCodes.CellCodeError(cell.Definition!.Code));
                Assert.Equal(community.Code, GridCodes.CommunityOf(cell.Definition.Code));
                Assert.Null(Geometry.RingError(cell.Definition.Boundary));
                Assert.True(GeoDistance.Meters(centre, Geometry.Centroid(cell.Definition.Boundary)) < 10_000);
            }
            var cells = community.Cells.ToDictionary(c => c.Definition!.Code);
            foreach (var household in community.Households.Select(h => h.Record!))
            {
                var cell = cells[household.Definition.CellCode];
                Assert.Equal(household.Id, cell.HouseholdsByAddress[household.Definition.Address]);
                Assert.True(Geometry.Contains(cell.Definition!.Boundary, household.Definition.Location!.Value), $"{household.Id} lies outside its cell");
                foreach (var resident in household.Definition.Residents)
                {
                    Assert.Null(PersonalData.IdNumberError(resident.IdNumber));
                    Assert.True(resident.Phone == "" || PersonalData.IsMobile(resident.Phone));
                    Assert.InRange(resident.Name.Length, 2, 4);
                }
            }
            foreach (var member in community.Members.Select(m => m.Record!))
            {
                Assert.True(PersonalData.IsMobile(member.Definition.Phone));
                Assert.Equal(member.Id, community.Community.MembersByPhone[member.Definition.Phone]);
                Assert.Contains(member.Id, cells[member.Definition.CellCode!].Members);
            }
        }
    }

    [Fact]
    public void Sizes_a_city_cannot_have_are_refused()
    {
        Assert.NotNull(new CitySize(0, 0, 0).Error());
        Assert.NotNull(new CitySize(10, 10 * CitySize.MaxHouseholdsPerCell + 1, 0).Error());
        Assert.NotNull(new CitySize(10, 100, -1).Error());
        Assert.Null(new CitySize(10_000, 1_000_000, 200_000).Error());
    }
}
