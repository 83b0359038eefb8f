using System.Collections.Immutable;

namespace Grid.Contracts;

/// <summary>One issue (案卷), keyed by its id: the cell code, the year and a number (330503101001001-2026-00042).</summary>
[Alias("grid.IIssueGrain")]
public interface IIssueGrain : IGrainWithStringKey
{
    [Alias("Get")] Task<IssueRecord?> Get();

    /// <summary>
    /// Creates the issue (Created); calling it again on an existing issue returns it unchanged (Done).
    /// Only <see cref="IIssueIntakeGrain"/> and <see cref="IIdempotencyKeyGrain"/> call it: they make the report's decisions.
    /// </summary>
    [Alias("Report")] Task<Outcome<IssueRecord>> Report(IssueReport report, string reportedBy, string reporterDisplayName);

    [Alias("Execute")] Task<Outcome<IssueRecord>> Execute(IssueCommand command);

    /// <summary>Escalates (超期督办) if the deadline or a whistle's report-by time has passed; a no-op otherwise.</summary>
    [Alias("CheckDeadlines")] Task CheckDeadlines();

    [Alias("AddPhoto")] Task<Outcome<IssueRecord>> AddPhoto(IssuePhoto photo);

    /// <summary>Sends the issue's current summary to every index again (cell, community, inboxes).</summary>
    [Alias("Reindex")] Task Reindex();
}

/// <summary>The category tree (key "catalog"): seeded with a default Chinese set, editable by admins.</summary>
[Alias("grid.ICategoryCatalogGrain")]
public interface ICategoryCatalogGrain : IGrainWithStringKey
{
    public const string Key = "catalog";

    [Alias("All")] Task<ImmutableArray<IssueCategory>> All();
    [Alias("Find")] Task<IssueCategory?> Find(string code);
    [Alias("Save")] Task<ImmutableArray<IssueCategory>> Save(IssueCategory category);
}

/// <summary>
/// An inbox (key "user:&lt;username&gt;", "member:&lt;id&gt;" or "organ:&lt;code&gt;"): the open issues assigned to
/// its owner. An index: the issue grains are the truth and keep it up to date by version.
/// </summary>
[Alias("grid.IInboxGrain")]
public interface IInboxGrain : IGrainWithStringKey
{
    [Alias("Items")] Task<ImmutableArray<IssueSummary>> Items();
    [Alias("Update")] Task Update(IssueSummary summary, bool assignedHere);
}

public static class InboxKeys
{
    public static string For(Assignee a) => a.Kind switch
    {
        AssigneeKind.GridWorker => $"user:{a.Id}",
        AssigneeKind.Member => $"member:{a.Id}",
        _ => $"organ:{a.Id}",
    };
}

/// <summary>Map colour of a cell, from its open issues.</summary>
[GenerateSerializer, Alias("grid.CellStatus")]
public enum CellStatus
{
    Normal = 0,    // 正常
    Attention = 1, // 关注: awaiting acceptance, or due within a day
    Overdue = 2,   // 超期: an issue past its deadline
    Escalated = 3, // 督办: escalated further, or an organ whistled in did not report
}

/// <summary>The command centre's live counters for a community.</summary>
[GenerateSerializer, Immutable, Alias("grid.CommunityIssueCounters")]
public sealed record CommunityIssueCounters
{
    [Id(0)] public int Open { get; init; }
    [Id(1)] public int Overdue { get; init; }
    [Id(2)] public int AwaitingAcceptance { get; init; }
    [Id(3)] public int ReportedToday { get; init; }
    [Id(4)] public int ClosedToday { get; init; }
    /// <summary>The China Standard Time day the "today" counters are for.</summary>
    [Id(5)] public DateOnly Day { get; init; }
}

/// <summary>
/// One Idempotency-Key of one user (key "&lt;username&gt;|&lt;key&gt;"): the issue it created. The id is
/// recorded before the issue is reported, so a retry after a crash reports the same issue.
/// </summary>
[Alias("grid.IIdempotencyKeyGrain")]
public interface IIdempotencyKeyGrain : IGrainWithStringKey
{
    /// <summary>KeyReused when the key was already used for a different request (another fingerprint).</summary>
    [Alias("ReportIssue")] Task<Outcome<IssueRecord>> ReportIssue(string fingerprint, IssueReport report, string reportedBy, string reporterDisplayName);
}

/// <summary>Who reports an issue: a login's username (or "open311:&lt;client&gt;") and the name shown for it.</summary>
[GenerateSerializer, Immutable, Alias("grid.IssueReporter")]
public sealed record IssueReporter(
    [property: Id(0)] string Username,
    [property: Id(1)] string DisplayName);

/// <summary>
/// 上报: the one place an issue is reported, whoever sends it (the API, Open311, the seeder). It
/// decides everything that does not depend on who asks: the category is a subclass, the cell exists
/// and the position lies in it, an Idempotency-Key is not reused for another report, and the id.
/// The caller checks only that the reporter may report in that cell.
/// </summary>
[Alias("grid.IIssueIntakeGrain")]
public interface IIssueIntakeGrain : IGrainWithIntegerKey
{
    /// <summary>Created for a new issue; Done with the issue the key already made on a retry with the same key and report.</summary>
    [Alias("Report")] Task<Outcome<IssueRecord>> Report(IssueReport report, IssueReporter reporter, string? idempotencyKey);
}

public static class IssueIds
{
    /// <summary>Allocates the next id in the cell for the China Standard Time year of <paramref name="now"/>.</summary>
    public static async Task<IssueId> Next(IGrainFactory grains, CellCode cell, DateTimeOffset now) =>
        GridId.Parse<IssueId>(await grains.Cell(cell).NextIssueId(now.ToOffset(TimeSpan.FromHours(8)).Year));
}

public static class IssueIntakeGrains
{
    /// <summary>The stateless intake on whichever silo takes the call.</summary>
    public static IIssueIntakeGrain IssueIntake(this IGrainFactory grains) => grains.GetGrain<IIssueIntakeGrain>(0);
}

[GenerateSerializer, Immutable, Alias("grid.DeadlineCandidates")]
public sealed record DeadlineCandidates
{
    [Id(0)] public ImmutableArray<string> IssueIds { get; init; } = [];
    [Id(1)] public ImmutableArray<string> CellCodes { get; init; } = [];
}
