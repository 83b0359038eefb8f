using System.Collections.Immutable;
using System.Reflection;
using System.Text.Json;
using Grid.Contracts;
using Grid.Grains;
using Grid.Tests.Grains;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Orleans.Storage;

namespace Grid.Tests.Compatibility;

/// <summary>
/// Stored grain state written by a release, kept as files under Fixtures/StoredState/&lt;release&gt;:
/// the exact bytes the storage provider wrote (Orleans' serializer, as in both profiles), one
/// file per row, and a manifest naming each row's state name and grain key. Every later release
/// must read them: states change additively, ids are never reused.
/// </summary>
public static class StoredStateFixtures
{
    /// <summary>The release whose shapes the fixtures hold; add a folder for a new release, never rewrite an old one.</summary>
    public const string Release = "v2";

    /// <summary>The release before: what a node of this release finds in storage when it is upgraded.</summary>
    public const string Previous = "v1";

    public const string Community = "330503199001";
    public const string Cell = Community + "001";
    public const string Address = "兼容小区1幢101室";
    public const string MemberPhone = "13900009999";
    public static readonly string Organ = TestData.OrganCode("11330503MB0000009");
    public const string User = "compat-worker";
    public const string IdempotencyKey = "committee|compat-key";
    public const string ActivityId = Community + "-2026-12-05-red-saturday";
    public static readonly DateTimeOffset At = new(2026, 11, 2, 1, 0, 0, TimeSpan.Zero);

    /// <summary>A stored row: the grain's key as Grid uses it, and the provider's key columns as it wrote them
    /// (a key that reads as a number is stored in N0/N1 with no extension, any other in the extension).</summary>
    public sealed record Row(string State, string Key, long N0, long N1, string Extension, string File);

    public static string Folder(string release) => Path.Combine(AppContext.BaseDirectory, "Fixtures", "StoredState", release);

    public static IReadOnlyList<Row> Manifest(string release) =>
        JsonSerializer.Deserialize<List<Row>>(File.ReadAllText(Path.Combine(Folder(release), "manifest.json")))!;

    /// <summary>Puts the rows of a release into a cluster's storage as that release left them; <paramref name="which"/> picks some.</summary>
    public static async Task Insert(GridCluster silo, string release, Func<Row, bool>? which = null)
    {
        var serviceId = silo.SiloServices.GetRequiredService<Microsoft.Extensions.Options.IOptions<Orleans.Configuration.ClusterOptions>>().Value.ServiceId;
        foreach (var row in Manifest(release).Where(which ?? (_ => true)))
            await silo.Storage.InsertStateRow(serviceId, row.State, row.N0, row.N1, row.Extension, await File.ReadAllBytesAsync(Path.Combine(Folder(release), row.File)));
    }

    /// <summary>Every state name Grid's grains persist under (the constants of <see cref="GridStorage"/>).</summary>
    public static IReadOnlyList<string> StateNames() =>
        [.. typeof(GridStorage).GetFields(BindingFlags.Public | BindingFlags.Static)
            .Where(f => f.IsLiteral && f.Name != nameof(GridStorage.Provider))
            .Select(f => (string)f.GetRawConstantValue()!).Order(StringComparer.Ordinal)];

    /// <summary>Makes one of everything through the grains themselves, as the API would.</summary>
    public static async Task BuildWorld(IGrainFactory grains)
    {
        await grains.GetGrain<ICommunityGrain>(Community).Define(TestData.Community(Community) with { Name = "兼容社区" });
        await grains.GetGrain<IGridCellGrain>(Cell).Define(TestData.Cell(Cell, "兼容网格"));
        await grains.Registrations().RegisterHousehold(TestData.Household(Cell, Address), "compat");
        await grains.GetGrain<IOrganGrain>(Organ).Define(new OrganDefinition { Code = Organ, Name = "南浔区兼容局", MembersRequired = 3 });
        await grains.GetGrain<IOrganGrain>(Organ).RegisterWith(CommunityCode.Parse(Community));
        var member = (await grains.Registrations().RegisterMember(new MemberDefinition
        {
            Name = "周敏", Phone = MemberPhone, CommunityCode = Community, Branch = "兼容党支部", OrganCode = Organ, CellCode = Cell,
        })).Value!.Id;
        await grains.GetGrain<IUserGrain>(User).Save(new UserAccount
        {
            Username = User, DisplayName = "王芳", Role = Roles.GridWorker, CommunityCode = Community, CellCodes = [Cell],
            PasswordHash = "AQAAAAIAAYagAAAAEFixtureHashNotAPassword==", CreatedUtc = At,
        });
        await grains.GetGrain<ILoginThrottleGrain>(User).Failed();
        await grains.GetGrain<ICommunityPointsGrain>(Community).SetPointRules(new PointRules { Attendance = 6 });
        await grains.GetGrain<ICommunityScheduleGrain>(Community).SaveSchedule(new ActivitySchedule
        {
            Id = "red-saturday", Kind = ActivityKind.RedSaturday, Title = "红色星期六主题党日", Saturday = SaturdayOfMonth.First, StartTime = new TimeOnly(9, 0),
            DurationMinutes = 180, Place = "党群服务中心", DefaultTheme = "兼容主题", Posts = ["签到引导"], ReminderLeadMinutes = [120],
        });
        await grains.GetGrain<ICommunityIssuesGrain>(Community).SetRedSaturday(new RedSaturdayAttendance { Date = new DateOnly(2026, 11, 7), Expected = 12, Attended = 9 });
        // A Red Saturday occurrence with the member expected, signed up and reminded.
        var start = new DateTimeOffset(2026, 12, 5, 1, 0, 0, TimeSpan.Zero);
        await grains.GetGrain<IActivityGrain>(ActivityId).Plan(new ActivityPlan
        {
            Id = ActivityId, CommunityCode = Community, ScheduleId = "red-saturday", Kind = ActivityKind.RedSaturday, Title = "红色星期六主题党日",
            Theme = "兼容主题", Place = "党群服务中心", StartUtc = start, EndUtc = start.AddHours(3), SignInOpensUtc = start.AddMinutes(-30),
            ExpectedMemberIds = [member], Posts = ["签到引导"], ReminderLeadMinutes = [120],
        });
        await grains.GetGrain<IActivityGrain>(ActivityId).SignUp(GridId.Parse<MemberId>(member));
        await grains.GetGrain<IReminderInboxGrain>(member).Receive(new ReminderNotice
        {
            Key = $"{ActivityId}:120:{member}", ActivityId = ActivityId, MemberId = member, CommunityCode = Community, LeadMinutes = 120,
            Title = "红色星期六主题党日", Theme = "兼容主题", Place = "党群服务中心", StartUtc = start, SentUtc = At,
        });
        var catalog = grains.GetGrain<ICategoryCatalogGrain>(ICategoryCatalogGrain.Key);
        await catalog.Save((await catalog.Find("10.01"))! with { Name = "兼容类别" });
        var reported = await grains.GetGrain<IIdempotencyKeyGrain>(IdempotencyKey)
            .ReportIssue("compat-fingerprint", new IssueReport { CellCode = Cell, CategoryCode = "10.01", Title = "兼容诉求" }, "committee", "社区党委");
        var issue = grains.GetGrain<IIssueGrain>(reported.Value!.Id);
        await issue.Execute(new IssueCommand { Action = IssueAction.Accept, Actor = "committee", Note = "" });
        await issue.Execute(new IssueCommand
        {
            Action = IssueAction.Dispatch, Actor = "committee", Note = "请处理",
            Assignee = new Assignee { Kind = AssigneeKind.Member, Id = member, Name = "周敏" },
        });
    }
}

/// <summary>
/// The fixtures cover every state this release writes. With GRID_WRITE_STATE_FIXTURES=1 it
/// (re)writes them into the source tree: do that once per release, into a new release folder.
/// </summary>
[Trait("Tier", "Integration")]
public sealed class StoredStateFixtureCoverageTests
{
    [Fact]
    public async Task Every_state_name_this_release_persists_has_a_committed_fixture()
    {
        var clock = new FakeTimeProvider(StoredStateFixtures.At);
        await using var silo = await GridCluster.StartAsync(TestStorage.Sqlite(TestData.TempDirectory("fixtures")), clock);
        await StoredStateFixtures.BuildWorld(silo.Grains);
        // Deactivation writes what the issue indexes still hold in memory (IndexWriteBehind): the fixtures hold it too.
        await silo.Grains.GetGrain<IManagementGrain>(0).ForceActivationCollection(TimeSpan.Zero);
        var written = await Rows(((SqliteTestStorage)silo.Storage).ConnectionString);
        Assert.Equal(StoredStateFixtures.StateNames(), written.Select(r => r.State).Distinct().Order(StringComparer.Ordinal));

        if (Environment.GetEnvironmentVariable("GRID_WRITE_STATE_FIXTURES") == "1")
        {
            var folder = Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "..", "..", "..", "Fixtures", "StoredState", StoredStateFixtures.Release));
            Directory.CreateDirectory(folder);
            var manifest = new List<StoredStateFixtures.Row>();
            foreach (var (state, n0, n1, extension, payload) in written.OrderBy(r => r.State, StringComparer.Ordinal).ThenBy(r => r.Extension, StringComparer.Ordinal))
            {
                var file = $"{state}.{manifest.Count(m => m.State == state)}.bin";
                await File.WriteAllBytesAsync(Path.Combine(folder, file), payload);
                // Codes that read as numbers are kept by the provider in N0/N1 only; name their grains' keys here.
                var key = extension.Length > 0 ? extension : state switch
                {
                    GridStorage.Community or GridStorage.CommunityIssues or GridStorage.CommunityAttendance or GridStorage.CommunityPoints
                        or GridStorage.CommunitySchedules or GridStorage.CommunityActivities => StoredStateFixtures.Community,
                    GridStorage.Cell => StoredStateFixtures.Cell,
                    _ => throw new InvalidOperationException($"A {state} row with a numeric key: name its key here."),
                };
                manifest.Add(new StoredStateFixtures.Row(state, key, n0, n1, extension, file));
            }
            await File.WriteAllTextAsync(Path.Combine(folder, "manifest.json"),
                JsonSerializer.Serialize(manifest, new JsonSerializerOptions { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }) + "\n");
        }

        Assert.Equal(StoredStateFixtures.StateNames(), StoredStateFixtures.Manifest(StoredStateFixtures.Release).Select(r => r.State).Distinct().Order(StringComparer.Ordinal));
    }

    private static async Task<List<(string State, long N0, long N1, string Extension, byte[] Payload)>> Rows(string connectionString)
    {
        await using var connection = new SqliteConnection(connectionString);
        await connection.OpenAsync();
        var command = connection.CreateCommand();
        command.CommandText = "SELECT GrainTypeString, GrainIdN0, GrainIdN1, GrainIdExtension, PayloadBinary FROM OrleansStorage WHERE PayloadBinary IS NOT NULL";
        var rows = new List<(string, long, long, string, byte[])>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync()) rows.Add((reader.GetString(0), reader.GetInt64(1), reader.GetInt64(2), reader.GetString(3), (byte[])reader.GetValue(4)));
        return rows;
    }
}

/// <summary>The previous release's stored states, put into storage as it left them, are read by this release's grains.</summary>
public sealed class StoredStateCompatibilityTests(SqliteClusterFixture fixture) : StoredStateCompatibilitySuite(fixture), IClassFixture<SqliteClusterFixture>
{
    protected override Task<TestStorage> NewStorage() => Task.FromResult(TestStorage.Sqlite(TestData.TempDirectory("upgrade")));
}

public sealed class StoredStateCompatibilityTestsOnPostgres(PostgresClusterFixture fixture) : StoredStateCompatibilitySuite(fixture), IClassFixture<PostgresClusterFixture>
{
    protected override Task<TestStorage> NewStorage() => TestStorage.Postgres("upgrade");
}

[Trait("Tier", "Integration")]
public abstract class StoredStateCompatibilitySuite(IGridClusterFixture fixture)
{
    /// <summary>Storage of its own, for a test whose grains rewrite the previous release's rows.</summary>
    protected abstract Task<TestStorage> NewStorage();

    private IGrainStorage Storage => fixture.Silo.SiloServices.GetRequiredKeyedService<IGrainStorage>(GridStorage.Provider);

    private Task<T> Read<T>(StoredStateFixtures.Row row) => Read<T>(Storage, row.State, row.Key);

    private static async Task<T> Read<T>(IGrainStorage storage, string stateName, string key)
    {
        var state = new GrainState<T>();
        await storage.ReadStateAsync(stateName, GrainId.Create(stateName, key), state);
        Assert.True(state.RecordExists, $"{stateName} {key} not found");
        return state.State!;
    }

    [Fact]
    public async Task States_written_by_the_previous_release_are_read_with_their_key_fields()
    {
        var rows = StoredStateFixtures.Manifest(StoredStateFixtures.Previous);
        await StoredStateFixtures.Insert(fixture.Silo, StoredStateFixtures.Previous);
        StoredStateFixtures.Row One(string state) => rows.Single(r => r.State == state);
        const string community = StoredStateFixtures.Community, cell = StoredStateFixtures.Cell;

        var directory = await Read<DirectoryState>(One(GridStorage.Directory));
        Assert.Contains(community, directory.Communities);
        Assert.Contains(StoredStateFixtures.Organ, directory.Organs);

        var communityState = await Read<CommunityState>(One(GridStorage.Community));
        Assert.Equal("兼容社区", communityState.Definition!.Name);
        Assert.Contains(cell, communityState.Cells);
        Assert.True(communityState.MembersByPhone.ContainsKey(StoredStateFixtures.MemberPhone));
        Assert.Single(communityState.Issues);

        var cellState = await Read<CellState>(One(GridStorage.Cell));
        Assert.Equal("兼容网格", cellState.Definition!.Name);
        var householdId = cellState.HouseholdsByAddress[StoredStateFixtures.Address];
        Assert.Single(cellState.Issues);

        var household = await Read<HouseholdState>(One(GridStorage.Household));
        Assert.Equal(householdId, household.Record!.Id);
        Assert.Equal(StoredStateFixtures.Address, household.Record.Definition.Address);
        Assert.Equal("张建国", household.Record.Definition.Residents[0].Name);

        var member = await Read<MemberState>(One(GridStorage.Member));
        Assert.Equal("周敏", member.Record!.Definition.Name);
        Assert.Equal(StoredStateFixtures.Organ, member.Record.Definition.OrganCode);
        Assert.Single(member.OpenAssignments);

        var organ = await Read<OrganState>(One(GridStorage.Organ));
        Assert.Equal("南浔区兼容局", organ.Definition!.Name);
        Assert.Contains(community, organ.Communities);
        Assert.Contains(member.Record.Id, organ.Members);

        var user = await Read<UserState>(One(GridStorage.User));
        Assert.Equal((StoredStateFixtures.User, Roles.GridWorker, StoredStateFixtures.At), (user.Account!.Username, user.Account.Role, user.Account.CreatedUtc));
        Assert.Equal(new[] { cell }, user.Account.CellCodes.ToArray());

        var issue = await Read<IssueState>(One(GridStorage.Issue));
        Assert.Equal((IssueStatus.Dispatched, "兼容诉求", AssigneeKind.Member), (issue.Record!.Status, issue.Record.Report.Title, issue.Record.Assignee!.Kind));
        Assert.Equal(member.Record.Id, issue.Record.Assignee.Id);
        Assert.NotNull(issue.AssignmentId);

        var assignment = await Read<AssignmentState>(One(GridStorage.Assignment));
        Assert.Equal(issue.AssignmentId, assignment.Record!.Id);

        var idempotency = await Read<IdempotencyKeyState>(One(GridStorage.IdempotencyKey));
        Assert.Equal(("compat-fingerprint", issue.Record.Id), (idempotency.Fingerprint, idempotency.IssueId));

        var categories = await Read<CategoryCatalogState>(One(GridStorage.Categories));
        Assert.Contains(categories.Categories, c => c.Code == "10.01" && c.Name == "兼容类别");

        var throttle = await Read<LoginThrottleState>(One(GridStorage.LoginThrottle));
        Assert.Equal(new[] { StoredStateFixtures.At }, throttle.Failures.ToArray());

        var activity = await Read<ActivityState>(One(GridStorage.Activity));
        Assert.Equal((StoredStateFixtures.ActivityId, "兼容主题"), (activity.View!.Plan.Id, activity.View.Plan.Theme));
        Assert.Equal(new[] { member.Record.Id }, activity.View.Plan.ExpectedMemberIds.ToArray());
        Assert.True(activity.View.SignUps.ContainsKey(member.Record.Id));

        var reminders = await Read<ReminderInboxState>(One(GridStorage.ReminderInbox));
        var notice = Assert.Single(reminders.Notices.Values);
        Assert.Equal((StoredStateFixtures.ActivityId, 120, member.Record.Id), (notice.ActivityId, notice.LeadMinutes, notice.MemberId));

        foreach (var inboxRow in rows.Where(r => r.State == GridStorage.Inbox))
        {
            var inbox = await Read<InboxState>(inboxRow);
            Assert.True(inbox.Issues.ContainsKey(issue.Record.Id), $"inbox {inboxRow.Key} lost the issue");
        }

        // And through the grains themselves, activated on the old state.
        var read = await fixture.Silo.Grains.GetGrain<IHouseholdGrain>(householdId).Get();
        Assert.Equal(StoredStateFixtures.Address, read!.Definition.Address);
        var readIssue = await fixture.Silo.Grains.GetGrain<IIssueGrain>(issue.Record.Id).Get();
        Assert.Equal(IssueStatus.Dispatched, readIssue!.Status);
        Assert.Equal(new[] { issue.Record.Id }, (await fixture.Silo.Grains.GetGrain<IGridCellGrain>(cell).OpenIssues()).Select(i => i.Id).ToArray());
    }

    [Fact]
    public async Task A_community_the_previous_release_stored_whole_comes_up_split_with_every_part()
    {
        const string community = StoredStateFixtures.Community;
        // The same China Standard Time day as the fixtures were written: the day's counters still count.
        var clock = new FakeTimeProvider(StoredStateFixtures.At.AddHours(1));
        await using var silo = await GridCluster.StartAsync(await NewStorage(), clock);
        await StoredStateFixtures.Insert(silo, StoredStateFixtures.Previous);
        var storage = silo.SiloServices.GetRequiredKeyedService<IGrainStorage>(GridStorage.Provider);
        var legacy = await Read<CommunityState>(storage, GridStorage.Community, community);
        var issueId = Assert.Single(legacy.Issues.Keys);
        var activity = Assert.Single(legacy.Activities.Values);
        var line = Assert.Single(legacy.Leaderboard.Values);

        var view = (await silo.Grains.GetGrain<ICommunityGrain>(community).Get())!;
        Assert.Equal(("兼容社区", 1), (view.Definition.Name, view.MemberCount));
        var issues = silo.Grains.GetGrain<ICommunityIssuesGrain>(community);
        Assert.Equal([issueId], (await issues.OpenIssues()).Select(i => i.Id));
        var counters = await issues.DashboardCounters();
        Assert.Equal((1, 0, 1, 0), (counters.Issues.Open, counters.Issues.AwaitingAcceptance, counters.Issues.ReportedToday, counters.Issues.ClosedToday));
        var points = silo.Grains.GetGrain<ICommunityPointsGrain>(community);
        Assert.Equal(new[] { line }, (await points.Leaderboard(null, 10)).ToArray());
        Assert.Equal(legacy.Rules.StarThresholds.ToArray(), (await points.PointRules()).StarThresholds.ToArray());
        var schedule = silo.Grains.GetGrain<ICommunityScheduleGrain>(community);
        Assert.Equal(new[] { activity }, (await schedule.Activities(activity.StartUtc, activity.EndUtc)).ToArray());
        Assert.Empty(await schedule.Schedules());

        // Each part now lives in its sibling's own state, and the community's state holds its own concern only.
        Assert.Equal([issueId], (await Read<CommunityIssuesState>(storage, GridStorage.CommunityIssues, community)).Issues.Keys);
        Assert.Equal([line], (await Read<CommunityPointsState>(storage, GridStorage.CommunityPoints, community)).Leaderboard.Values);
        Assert.Equal([activity], (await Read<CommunityActivitiesState>(storage, GridStorage.CommunityActivities, community)).Activities.Values);
        var left = await Read<CommunityState>(storage, GridStorage.Community, community);
        Assert.Equal(CommunityParts.All, left.HandedOver);
        Assert.Empty(left.Issues);
        Assert.Empty(left.Leaderboard);
        Assert.Empty(left.Activities);
        Assert.Equal(legacy.MembersByPhone, left.MembersByPhone);
        Assert.Equal(legacy.Definition, left.Definition);
    }

    [Fact]
    public async Task A_community_stored_whole_with_every_part_filled_comes_up_split_and_catches_up_from_the_ledger()
    {
        var grains = fixture.Silo.Grains;
        var community = TestData.NewCommunityCode();
        var cell = community + "001";
        var now = DateTimeOffset.UtcNow;
        IssueSummary Summary(int number, IssueStatus status) => new()
        {
            Id = $"{cell}-2026-{number:D5}", CellCode = cell, CommunityCode = community, Title = "旧诉求", CategoryCode = "10.01", CategoryName = "市容环境",
            Status = status, CreatedUtc = now.AddMinutes(-20), UpdatedUtc = now.AddMinutes(-10), Version = 3, DeadlineUtc = now.AddDays(1),
        };
        var overdue = Summary(1, IssueStatus.Dispatched) with { EscalationLevel = 1 };
        var closed = Summary(2, IssueStatus.Closed);
        var member = MemberId.Of(CommunityCode.Parse(community), 1).Value;
        var line = new LeaderboardLine { MemberId = member, Name = "周敏", Branch = "第一党支部", Points = 12, Stars = 1 };
        var schedule = new ActivitySchedule { Id = "red-saturday", Kind = ActivityKind.RedSaturday, Title = "红色星期六主题党日", Saturday = SaturdayOfMonth.First, Version = 2, UpdatedUtc = now.AddDays(-30) };
        var occurrence = new ActivitySummary
        {
            Id = $"{community}-2026-12-05-red-saturday", ScheduleId = "red-saturday", Title = "红色星期六主题党日", StartUtc = now.AddDays(3), EndUtc = now.AddDays(3).AddHours(3), Version = 4,
        };
        var red = new RedSaturdayAttendance { Date = ChinaTime.Day(now), Expected = 40, Attended = 30 };
        var month = now.ToOffset(ChinaTime.Offset).ToString("yyyy-MM", System.Globalization.CultureInfo.InvariantCulture);
        var legacy = new CommunityState
        {
            Definition = TestData.Community(community), Cells = [cell], CreatedUtc = now.AddDays(-60),
            MembersByPhone = ImmutableDictionary<string, string>.Empty.Add("13900000001", member), LastMemberNumber = 1,
            Issues = ImmutableDictionary<string, IssueSummary>.Empty.Add(overdue.Id, overdue).Add(closed.Id, closed),
            Day = ChinaTime.Day(now), ReportedOnDay = [overdue.Id, closed.Id], ClosedOnDay = [closed.Id],
            ClosureMonth = month, ClosedInMonth = ImmutableDictionary<string, bool>.Empty.Add(closed.Id, true),
            Rules = new PointRules { Attendance = 7 }, LeaderboardYear = now.ToOffset(ChinaTime.Offset).Year,
            Leaderboard = ImmutableDictionary<string, LeaderboardLine>.Empty.Add(member, line),
            Schedules = ImmutableDictionary<string, ActivitySchedule>.Empty.Add(schedule.Id, schedule),
            ScheduleHandledUntil = ImmutableDictionary<string, DateTimeOffset>.Empty.Add(schedule.Id, now.AddDays(-1)),
            Activities = ImmutableDictionary<string, ActivitySummary>.Empty.Add(occurrence.Id, occurrence),
            OnDuty = ImmutableDictionary<string, OnDuty>.Empty.Add($"{cell}-A2026-00001", new OnDuty { MemberId = member, SinceUtc = now.AddMinutes(-30) }),
            RedSaturday = red,
            WrittenUtc = now.AddMinutes(-5),
        };
        await Storage.WriteStateAsync(GridStorage.Community, GrainId.Create(GridStorage.Community, community), new GrainState<CommunityState>(legacy));
        // A step the old index held in memory only when its node stopped: the ledger has it, the stored index does not.
        var missed = Summary(3, IssueStatus.Reported) with { UpdatedUtc = now.AddMinutes(-1), CreatedUtc = now.AddMinutes(-1), Version = 1 };
        await fixture.Silo.Storage.Ledger.Append([], missed, community);

        var issues = grains.GetGrain<ICommunityIssuesGrain>(community);
        Assert.Equal([overdue.Id, missed.Id], (await issues.OpenIssues()).Select(i => i.Id).Order(StringComparer.Ordinal));
        var counters = await issues.DashboardCounters();
        Assert.Equal((2, 1, 1, 3, 1), (counters.Issues.Open, counters.Issues.Overdue, counters.Issues.AwaitingAcceptance, counters.Issues.ReportedToday, counters.Issues.ClosedToday));
        Assert.Equal((1, 1, 1, red), (counters.ClosedThisMonth, counters.ClosedOnTimeThisMonth, counters.MembersOnDuty, counters.RedSaturday));
        Assert.Equal(new[] { cell }, (await issues.DeadlineCandidates()).CellCodes.ToArray());

        var points = grains.GetGrain<ICommunityPointsGrain>(community);
        Assert.Equal(7, (await points.PointRules()).Attendance);
        Assert.Equal(new[] { line }, (await points.Leaderboard(null, 10)).ToArray());

        var schedules = grains.GetGrain<ICommunityScheduleGrain>(community);
        var entry = Assert.Single(await schedules.Schedules());
        Assert.Equal((schedule.Id, schedule.Version, now.AddDays(-1)), (entry.Schedule.Id, entry.Schedule.Version, entry.HandledUntilUtc));
        Assert.Equal(new[] { occurrence }, (await schedules.Activities(now, now.AddDays(7))).ToArray());

        var left = await Read<CommunityState>(Storage, GridStorage.Community, community);
        Assert.Equal(CommunityParts.All, left.HandedOver);
        Assert.Equal((0, 0, 0, 0, 0), (left.Issues.Count, left.Leaderboard.Count, left.Schedules.Count, left.Activities.Count, left.OnDuty.Count));
        Assert.Null(left.RedSaturday);
        Assert.Null(left.WrittenUtc);
        Assert.Equal(1, (await grains.GetGrain<ICommunityGrain>(community).Get())!.MemberCount);

        // Written once as its own: a later change touches that state only.
        var schedulesWritten = await fixture.Silo.Storage.StateWrites(GridStorage.CommunitySchedules);
        var activitiesWritten = await fixture.Silo.Storage.StateWrites(GridStorage.CommunityActivities);
        await schedules.MarkScheduleHandled(schedule.Id, now);
        Assert.Equal(schedulesWritten + 1, await fixture.Silo.Storage.StateWrites(GridStorage.CommunitySchedules));
        Assert.Equal(activitiesWritten, await fixture.Silo.Storage.StateWrites(GridStorage.CommunityActivities));
    }

    [Fact]
    public async Task The_community_states_this_release_added_are_read_with_their_key_fields()
    {
        var before = StoredStateFixtures.Manifest(StoredStateFixtures.Previous).Select(r => r.State).ToHashSet();
        var added = StoredStateFixtures.Manifest(StoredStateFixtures.Release).Where(r => !before.Contains(r.State)).ToList();
        await StoredStateFixtures.Insert(fixture.Silo, StoredStateFixtures.Release, added.Contains);
        StoredStateFixtures.Row One(string state) => added.Single(r => r.State == state);

        var issues = await Read<CommunityIssuesState>(One(GridStorage.CommunityIssues));
        var summary = Assert.Single(issues.Issues.Values);
        Assert.Equal((IssueStatus.Dispatched, "兼容诉求"), (summary.Status, summary.Title));
        Assert.NotNull(issues.WrittenUtc);
        var attendance = await Read<CommunityAttendanceState>(One(GridStorage.CommunityAttendance));
        Assert.Equal((new DateOnly(2026, 11, 7), 12, 9), (attendance.RedSaturday!.Date, attendance.RedSaturday.Expected, attendance.RedSaturday.Attended));
        var points = await Read<CommunityPointsState>(One(GridStorage.CommunityPoints));
        Assert.Equal(6, points.Rules.Attendance);
        Assert.Equal("周敏", Assert.Single(points.Leaderboard.Values).Name);
        var schedules = await Read<CommunitySchedulesState>(One(GridStorage.CommunitySchedules));
        Assert.Equal(("兼容主题", 1), (schedules.Schedules["red-saturday"].DefaultTheme, schedules.Schedules["red-saturday"].Version));
        Assert.True(schedules.HandledUntil.ContainsKey("red-saturday"));
        var activities = await Read<CommunityActivitiesState>(One(GridStorage.CommunityActivities));
        Assert.Equal(StoredStateFixtures.ActivityId, Assert.Single(activities.Activities.Keys));
    }
}
