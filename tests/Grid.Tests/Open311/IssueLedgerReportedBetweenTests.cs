using Grid.Contracts;
using Grid.Grains.Issues;
using Grid.Tests.Grains;

namespace Grid.Tests.Open311;

/// <summary>The ledger query behind Open311 listings, on a real SQLite file.</summary>
public sealed class IssueLedgerReportedBetweenTests : IssueLedgerReportedBetweenSuite
{
    protected override Task<TestStorage> Storage() => Task.FromResult(TestStorage.Sqlite(TestData.TempDirectory("ledger")));
}

/// <summary>The same query on PostgreSQL.</summary>
public sealed class IssueLedgerReportedBetweenTestsOnPostgres : IssueLedgerReportedBetweenSuite
{
    protected override Task<TestStorage> Storage() => TestStorage.Postgres("ledger");
}

[Trait("Tier", "Integration")]
public abstract class IssueLedgerReportedBetweenSuite : IAsyncLifetime
{
    private static readonly DateTimeOffset March = new(2026, 3, 1, 0, 0, 0, TimeSpan.Zero);

    protected abstract Task<TestStorage> Storage();

    private async Task<(IIssueLedger Ledger, string Community)> Ledger()
    {
        storage = await Storage();
        return (storage.Ledger, TestData.NewCommunityCode());
    }

    private TestStorage? storage;

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        if (storage is not null) await storage.DisposeAsync();
    }

    private static async Task<IssueRecord> Add(IIssueLedger ledger, string community, int number, string category, DateTimeOffset at, IssueStatus status = IssueStatus.Reported)
    {
        var kind = new IssueCategory { Code = category, Name = category, Kind = "event", ParentCode = category[..2] };
        var report = new IssueReport { CellCode = community + "001", CategoryCode = category, Title = $"第{number}件", Location = new GeoPoint(120.42, 30.71) };
        var issue = IssueWorkflow.Report($"{community}001-2026-{number:D5}", report, kind, "someone", "someone", at);
        await ledger.Append([.. IssueEvent.Of(issue)], IssueSummary.Of(issue), community);
        if (status != IssueStatus.Reported)
        {
            // A later step: a newer summary, the report event unchanged.
            issue = issue with { Status = status, Version = 2 };
            await ledger.Append([], IssueSummary.Of(issue) with { UpdatedUtc = at.AddDays(1) }, community);
        }
        return issue;
    }

    [Fact]
    public async Task Issues_reported_in_the_range_come_newest_first_with_their_latest_summary()
    {
        var (ledger, community) = await Ledger();
        await Add(ledger, community, 1, "10.01", March.AddDays(-1));
        await Add(ledger, community, 2, "10.01", March, IssueStatus.Closed);
        await Add(ledger, community, 3, "10.02", March.AddDays(5), IssueStatus.Rejected);
        await Add(ledger, community, 4, "10.01", March.AddDays(10), IssueStatus.Dispatched);
        await Add(ledger, community, 5, "10.01", March.AddDays(31));

        var march = await ledger.CommunityIssuesReportedBetween(community, March, March.AddDays(31), null, null, 100);
        Assert.Equal(["第4件", "第3件", "第2件"], march.Select(i => i.Title));
        Assert.Equal(IssueStatus.Closed, march[2].Status);
        Assert.Equal(new GeoPoint(120.42, 30.71), march[2].Location);
        Assert.Equal(March, march[2].CreatedUtc);

        var closedOrRejected = await ledger.CommunityIssuesReportedBetween(community, March, March.AddDays(31), [IssueStatus.Closed, IssueStatus.Rejected], null, 100);
        Assert.Equal(["第3件", "第2件"], closedOrRejected.Select(i => i.Title));
        var litter = await ledger.CommunityIssuesReportedBetween(community, March.AddDays(-30), March.AddDays(60), null, ["10.01"], 100);
        Assert.Equal(["第5件", "第4件", "第2件", "第1件"], litter.Select(i => i.Title));
        Assert.Equal(["第5件", "第4件"], (await ledger.CommunityIssuesReportedBetween(community, March.AddDays(-30), March.AddDays(60), null, null, 2)).Select(i => i.Title));
        Assert.Empty(await ledger.CommunityIssuesReportedBetween(community, March, March.AddDays(31), [], null, 100));
        Assert.Empty(await ledger.CommunityIssuesReportedBetween(TestData.NewCommunityCode(), March, March.AddDays(31), null, null, 100));
    }
}
