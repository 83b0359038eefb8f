using Grid.Contracts;
using Grid.Grains.Activities;
using Hangfire;

namespace Grid.Silo.Activities;

/// <summary>
/// Derives Hangfire recurring jobs from the schedules kept in the community grains, and keeps them
/// in step: at start-up (Hangfire's in-memory storage starts empty) and whenever a schedule is
/// saved or removed. Job ids are "activity:&lt;community&gt;:&lt;schedule&gt;:&lt;trigger&gt;", trigger being
/// remind-3d, remind-2h … or close; every job runs in Asia/Shanghai.
/// </summary>
public sealed class RedSaturdayScheduler(
    IRecurringJobManager jobs,
    JobStorage storage,
    ActivityRunner runner,
    IClusterClient cluster,
    ILogger<RedSaturdayScheduler> logger) : IActivityScheduling
{
    public const string JobPrefix = "activity:";

    private static RecurringJobOptions Options => new() { TimeZone = ActivityCalendar.ChinaZone };

    // Schedules saved or removed while a sync runs: their jobs are already right, and the sync's sweep of
    // jobs it did not derive must leave them alone (the sync may have read the community before the change).
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, bool> changedDuringSync = new();

    public async Task ScheduleSavedAsync(string communityCode, string scheduleId, CancellationToken cancellationToken = default)
    {
        changedDuringSync[ActivityCalendar.JobPrefix(communityCode, scheduleId)] = true;
        var entry = await cluster.GetGrain<ICommunityScheduleGrain>(communityCode).Schedule(scheduleId);
        Apply(communityCode, scheduleId, entry?.Schedule);
        await runner.ScheduleChangedAsync(communityCode, scheduleId, cancellationToken);
    }

    public async Task ScheduleRemovedAsync(string communityCode, string scheduleId, CancellationToken cancellationToken = default)
    {
        changedDuringSync[ActivityCalendar.JobPrefix(communityCode, scheduleId)] = true;
        Apply(communityCode, scheduleId, null);
        await runner.ScheduleChangedAsync(communityCode, scheduleId, cancellationToken);
    }

    /// <summary>Every schedule's jobs added or updated, and jobs of schedules that are gone removed.</summary>
    public async Task SyncAllAsync(CancellationToken cancellationToken = default)
    {
        changedDuringSync.Clear();
        var wanted = new HashSet<string>();
        var count = 0;
        foreach (var community in await cluster.GetGrain<IDirectoryGrain>(IDirectoryGrain.RootKey).CommunityCodes())
        {
            cancellationToken.ThrowIfCancellationRequested();
            foreach (var entry in await cluster.GetGrain<ICommunityScheduleGrain>(community).Schedules())
            {
                wanted.UnionWith(Apply(community, entry.Schedule.Id, entry.Schedule));
                count++;
            }
        }
        foreach (var stale in JobIds(JobPrefix).Where(id => !wanted.Contains(id) && !changedDuringSync.Keys.Any(id.StartsWith)))
            jobs.RemoveIfExists(stale);
        logger.LogInformation("{Jobs} recurring jobs derived from {Schedules} activity schedules", wanted.Count, count);
    }

    /// <summary>The schedule's jobs as they should be (none for a removed schedule); their ids.</summary>
    private HashSet<string> Apply(string communityCode, string scheduleId, ActivitySchedule? schedule)
    {
        var wanted = schedule is null ? [] : ActivityCalendar.Jobs(communityCode, schedule);
        foreach (var job in wanted)
            jobs.AddOrUpdate<ActivityJobs>(job.JobId, j => j.RunAsync(communityCode, scheduleId, job.Trigger, CancellationToken.None), job.Cron, Options);
        var ids = wanted.Select(j => j.JobId).ToHashSet();
        foreach (var stale in JobIds(ActivityCalendar.JobPrefix(communityCode, scheduleId)).Where(id => !ids.Contains(id))) jobs.RemoveIfExists(stale);
        return ids;
    }

    private List<string> JobIds(string prefix)
    {
        using var connection = storage.GetConnection();
        return [.. connection.GetAllItemsFromSet("recurring-jobs").Where(id => id.StartsWith(prefix, StringComparison.Ordinal))];
    }
}

/// <summary>
/// After start-up, in the background: derives the recurring jobs from the schedules, then catches up
/// the triggers that passed while the node was down. Deriving reads every community, so it would make
/// a node's start grow with its city (about 2 s for 1,000 communities on two cores); the node takes
/// requests meanwhile instead. A trigger due before its job exists is not lost: the catch-up that
/// follows handles every trigger since each schedule's catch-up mark.
/// </summary>
public sealed class ActivityStartup(RedSaturdayScheduler scheduler, ActivityRunner runner, ILogger<ActivityStartup> logger) : IHostedService
{
    private readonly CancellationTokenSource stopping = new();
    private Task catchUp = Task.CompletedTask;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        catchUp = Task.Run(async () =>
        {
            try
            {
                await scheduler.SyncAllAsync(stopping.Token);
                await runner.CatchUpAsync(stopping.Token);
            }
            catch (OperationCanceledException)
            {
                // Stopping; the next start catches up again.
            }
            catch (Exception e)
            {
                logger.LogWarning(e, "Deriving the activity jobs or catching up failed; saving a schedule derives its jobs again");
            }
        }, CancellationToken.None);
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await stopping.CancelAsync();
        await catchUp.WaitAsync(cancellationToken).ContinueWith(_ => { }, TaskScheduler.Default);
    }
}
