using System.Collections.Immutable;
using System.Diagnostics;
using Grid.Api.Auth;
using Grid.Contracts;
using Grid.Grains.Activities;
using Grid.Silo.Hosting;
using Microsoft.Extensions.Options;

namespace Grid.Silo.Demo;

/// <summary>
/// Runs once at start-up, after the silo and before the node takes requests: ensures the
/// configured administrator, and seeds the demo township on first start. Every step is an
/// idempotent create, so a start interrupted half-way finishes the job the next time.
/// </summary>
public sealed class StartupSeeder(
    IGrainFactory grains,
    IOptions<SeedOptions> seed,
    IOptions<AdminAccountOptions> admin,
    TimeProvider clock,
    ILogger<StartupSeeder> logger,
    IActivityScheduling? scheduling = null) : IHostedService
{
    private const int Parallelism = 32;
    private const int RegistrationBatch = 200;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await EnsureAdmin();
        if (!seed.Value.Demo) return;
        var directory = grains.GetGrain<IDirectoryGrain>(IDirectoryGrain.RootKey);
        if (await directory.DemoSeedVersion() >= DemoTownship.Version)
        {
            logger.LogInformation("Demo township already seeded");
            return;
        }
        var watch = Stopwatch.StartNew();
        var town = new DemoTownship();
        logger.LogInformation("Seeding the demo township: {Communities} communities, {Cells} cells, {Households} households, {Members} members",
            town.Communities.Length, town.Cells.Length, town.Households.Length, town.Members.Length);
        await SeedDirectory(town, cancellationToken);
        await SeedIssues(town);
        // Version 3: a Red Saturday for every community (kept if a scheduler has changed it since).
        await SeedSchedules(town, cancellationToken);
        await directory.MarkDemoSeeded(DemoTownship.Version);
        logger.LogInformation("Demo township seeded in {Seconds:F1} s", watch.Elapsed.TotalSeconds);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private async Task EnsureAdmin()
    {
        var o = admin.Value;
        if (string.IsNullOrWhiteSpace(o.Username) || string.IsNullOrEmpty(o.Password)) return;
        var username = o.Username.Trim().ToLowerInvariant();
        var user = grains.GetGrain<IUserGrain>(username);
        var existing = await user.Get();
        if (existing is { Role: Roles.Admin, IsDemo: false } && Passwords.Verify(existing, o.Password)) return;
        await user.Save(new UserAccount
        {
            Username = username,
            DisplayName = existing?.DisplayName ?? "管理员",
            Role = Roles.Admin,
            PasswordHash = Passwords.Hash(o.Password),
            CreatedUtc = existing?.CreatedUtc ?? clock.GetUtcNow(),
        });
        logger.LogInformation("Administrator account {Username} ensured from configuration", username);
    }

    /// <summary>
    /// Raises the demo issues and walks each to its stage. Keyed by an idempotency key per issue,
    /// and a step that has already happened is refused by the workflow, so a re-run changes nothing.
    /// </summary>
    private async Task SeedIssues(DemoTownship town)
    {
        for (var i = 0; i < town.Issues.Length; i++)
        {
            var demo = town.Issues[i];
            var report = new IssueReport { CellCode = demo.CellCode, CategoryCode = demo.CategoryCode, Title = demo.Title, Description = demo.Description, Source = "resident" };
            var result = await grains.GetGrain<IIdempotencyKeyGrain>($"demo|issue-{i}").ReportIssue($"demo-{i}", report, "committee", "社区党委");
            if (result.Value is not { } issue) continue;
            var grain = grains.GetGrain<IIssueGrain>(issue.Id);
            async Task Step(IssueAction action, string actor, string note = "", Assignee? assignee = null, bool? passed = null, int? score = null) =>
                await grain.Execute(new IssueCommand { Action = action, Actor = actor, Note = note, Assignee = assignee, Passed = passed, Score = score });

            if (demo.Target >= IssueStatus.Accepted) await Step(IssueAction.Accept, "committee");
            if (demo.Target >= IssueStatus.Dispatched)
                await Step(IssueAction.Dispatch, "committee", assignee: new Assignee { Kind = AssigneeKind.GridWorker, Id = demo.Worker, Name = demo.WorkerName });
            if (demo.Target >= IssueStatus.InProgress) await Step(IssueAction.Start, demo.Worker);
            if (demo.Target >= IssueStatus.Resolved) await Step(IssueAction.Resolve, demo.Worker, "已到现场处置完毕");
            if (demo.Target >= IssueStatus.Closed)
            {
                await Step(IssueAction.Verify, "committee", "核查属实", passed: true);
                await Step(IssueAction.Rate, "committee", "居民表示满意", score: demo.Rating);
            }
        }
    }

    /// <summary>Each community's Red Saturday, unless it already has one (a scheduler's edits are kept).</summary>
    private async Task SeedSchedules(DemoTownship town, CancellationToken ct)
    {
        foreach (var (code, schedule) in town.Schedules)
        {
            var schedules = grains.GetGrain<ICommunityScheduleGrain>(code);
            if (await schedules.Schedule(schedule.Id) is not null) continue;
            await schedules.SaveSchedule(schedule);
            if (scheduling is not null) await scheduling.ScheduleSavedAsync(code, schedule.Id, ct);
        }
    }

    private async Task SeedDirectory(DemoTownship town, CancellationToken ct)
    {
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = Parallelism, CancellationToken = ct };
        foreach (var organ in town.Organs) await grains.GetGrain<IOrganGrain>(organ.Code).Define(organ);
        foreach (var community in town.Communities) await grains.GetGrain<ICommunityGrain>(community.Code).Define(community);
        await Parallel.ForEachAsync(town.Cells, parallel, async (cell, _) => await grains.GetGrain<IGridCellGrain>(cell.Code).Define(cell));

        // The same registrations as the API's and the import's: a demo that breaks a rule fails here.
        // Each batch creates its records Parallelism / 2 at a time; two batches keep as many in flight as before.
        var batches = new ParallelOptions { MaxDegreeOfParallelism = 2, CancellationToken = ct };
        var registrations = grains.Registrations();
        await Parallel.ForEachAsync(town.Households.Chunk(RegistrationBatch), batches, async (batch, _) =>
            Registered(await registrations.RegisterHouseholds([.. batch], "demo", checkOnly: false)));

        var memberIds = new System.Collections.Concurrent.ConcurrentDictionary<string, string>();
        await Parallel.ForEachAsync(town.Members.Chunk(RegistrationBatch), batches, async (batch, _) =>
        {
            foreach (var member in Registered(await registrations.RegisterMembers([.. batch], checkOnly: false)))
                memberIds[member.Definition.Phone] = member.Id;
        });

        var hash = Passwords.Hash(DemoTownship.Password);
        await Parallel.ForEachAsync(town.Users, parallel, async (user, _) =>
        {
            // The demo plan names the member login's member by phone; the id exists only now.
            var account = user with
            {
                PasswordHash = hash,
                MemberId = user.MemberId is { } phone ? memberIds[phone] : null,
                CreatedUtc = clock.GetUtcNow(),
            };
            var grain = grains.GetGrain<IUserGrain>(account.Username);
            if (await grain.Get() is null) await grain.Save(account);
        });
    }

    /// <summary>The demo township is made to every rule: a refused registration is a bug in it, not something to skip.</summary>
    private static IEnumerable<T> Registered<T>(ImmutableArray<Outcome<T>> outcomes) =>
        outcomes.FirstOrDefault(o => !o.Succeeded) is { } refused
            ? throw new InvalidOperationException($"The demo township breaks a registration rule: {refused.Field} {refused.Message}")
            : outcomes.Select(o => o.Value!);
}
