using Grid.Contracts;
using Grid.Silo.Demo;
using Grid.Silo.Hosting;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Grid.Tests.Grains;

[Trait("Tier", "Integration")]
public class DemoSeedTests
{
    [Fact]
    public void The_demo_township_is_the_same_every_time_and_big_enough_to_be_realistic()
    {
        var a = new DemoTownship();
        var b = new DemoTownship();
        Assert.Equal(a.Cells.Select(c => (c.Code, c.Name, string.Join(';', c.Boundary))), b.Cells.Select(c => (c.Code, c.Name, string.Join(';', c.Boundary))));
        Assert.True(a.Households.Zip(b.Households).All(p => p.First.SameAs(p.Second)));
        Assert.True(a.Members.Zip(b.Members).All(p => p.First.SameAs(p.Second)));

        Assert.True(a.Communities.Length >= 2);
        Assert.True(a.Cells.Length >= 20);
        Assert.True(a.Households.Length >= 2000);
        Assert.InRange(a.Members.Length, 200, 999);
        Assert.Equal(3, a.Members.Where(m => m.OrganCode is not null).Select(m => m.OrganCode).Distinct().Count());
        Assert.Equal(Roles.All.Order(), a.Users.Select(u => u.Role).Distinct().Order());
    }

    [Fact]
    public void Every_demo_record_passes_the_checks_the_api_applies()
    {
        var town = new DemoTownship();
        Assert.All(town.Cells, c => Assert.Null(GridCodes.CellCodeError(c.Code)));
        Assert.All(town.Cells, c => Assert.Null(Geometry.RingError(c.Boundary)));
        Assert.All(town.Organs, o => Assert.Null(OrganCodes.Error(o.Code)));
        Assert.All(town.Households.SelectMany(h => h.Residents), r =>
        {
            Assert.Null(PersonalData.IdNumberError(r.IdNumber));
            Assert.True(r.Phone == "" || PersonalData.IsMobile(r.Phone));
        });
        Assert.Equal(town.Members.Length, town.Members.Select(m => m.Phone).Distinct().Count());
        Assert.Equal(town.Households.Length, town.Households.Select(h => (h.CellCode, h.Address)).Distinct().Count());
    }

    [Fact]
    public async Task Seeding_again_after_an_interrupted_start_adds_nothing()
    {
        await using var silo = await GridCluster.StartSqliteAsync(TestData.TempDirectory("seed"));
        var seeder = new StartupSeeder(silo.Grains, Options.Create(new SeedOptions { Demo = true }), Options.Create(new AdminAccountOptions()),
            TimeProvider.System, NullLogger<StartupSeeder>.Instance);
        await seeder.StartAsync(CancellationToken.None);
        var rows = await CountRows(silo);
        var town = new DemoTownship();
        Assert.True(rows >= town.Households.Length + town.Members.Length + town.Cells.Length);

        // As if the first start had died before marking the seed done: everything runs again.
        await silo.Grains.GetGrain<IDirectoryGrain>(IDirectoryGrain.RootKey).MarkDemoSeeded(0);
        await seeder.StartAsync(CancellationToken.None);
        Assert.Equal(rows, await CountRows(silo));
        var cell = await silo.Grains.GetGrain<IGridCellGrain>(town.Cells[0].Code).Get();
        Assert.Equal(town.Households.Count(h => h.CellCode == town.Cells[0].Code), cell!.HouseholdCount);

        // The demo issues stand at every stage of the loop, once each however often seeding runs.
        var open = new List<IssueSummary>();
        foreach (var community in town.Communities) open.AddRange(await silo.Grains.GetGrain<ICommunityIssuesGrain>(community.Code).OpenIssues());
        Assert.Equal(town.Issues.Count(i => i.Target != IssueStatus.Closed), open.Count);
        Assert.Equal([IssueStatus.Reported, IssueStatus.Accepted, IssueStatus.Dispatched, IssueStatus.InProgress, IssueStatus.Resolved],
            open.Select(i => i.Status).Distinct().Order());
    }

    private static Task<long> CountRows(GridCluster silo) => silo.Storage.CountStateRows();
}
