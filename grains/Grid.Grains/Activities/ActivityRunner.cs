using System.Collections.Concurrent;
using System.Collections.Immutable;
using System.Diagnostics;
using Grid.Contracts;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Grid.Grains.Activities;

/// <summary>How a reminder fan-out went.</summary>
public sealed record FanOutReport(string ActivityId, int LeadMinutes, int Pending, int Delivered, int Failed, TimeSpan Elapsed);

public sealed class ReminderDeliveryException(string message) : Exception(message);

/// <summary>
/// Runs schedules outside the grains (the jobs and the start-up catch-up call it): plans occurrences
/// ahead of time, sends reminders with bounded concurrency, closes occurrences. Everything it does is
/// idempotent, so a retried job, a second node or a restart repeats nothing that was done.
/// </summary>
public sealed class ActivityRunner(
    IGrainFactory grains,
    INotificationSender sender,
    TimeProvider clock,
    IOptions<ActivityOptions> options,
    ILogger<ActivityRunner> logger)
{
    private const int LoadParallelism = 32;

    /// <summary>
    /// Handles every trigger of the schedule due since its catch-up mark, oldest first, moving the
    /// mark after each. Used by every recurring job of the schedule and by the start-up catch-up.
    /// </summary>
    public async Task RunDueAsync(string communityCode, string scheduleId, CancellationToken cancellationToken = default)
    {
        var community = grains.GetGrain<ICommunityScheduleGrain>(communityCode);
        if (await community.Schedule(scheduleId) is not { } entry) return;
        var schedule = entry.Schedule;
        var now = clock.GetUtcNow();
        await PlanUpcomingAsync(communityCode, schedule, now, cancellationToken);
        foreach (var trigger in ActivityCalendar.Due(schedule, entry.HandledUntilUtc, now))
        {
            cancellationToken.ThrowIfCancellationRequested();
            var id = ActivityCalendar.ActivityId(communityCode, schedule.Id, trigger.StartUtc);
            var activity = grains.GetGrain<IActivityGrain>(id);
            if (trigger.Kind == TriggerKind.Remind)
            {
                // A reminder after the start is no use; one missed while down is sent late, before the start.
                if (now < trigger.StartUtc)
                {
                    if (await activity.Get() is null) await activity.Plan(ActivityCalendar.PlanFor(communityCode, schedule, trigger.StartUtc, await AudienceAsync(communityCode, schedule)));
                    await RemindAsync(id, trigger.LeadMinutes, null, cancellationToken);
                }
            }
            else if (await activity.Get() is { Status: ActivityStatus.Planned })
            {
                var closed = await activity.Close("system");
                if (!closed.Succeeded) logger.LogWarning("Activity {Activity} not closed: {Message}", id, closed.Message);
                else logger.LogInformation("Activity {Activity} closed; attendance is final", id);
            }
            await community.MarkScheduleHandled(scheduleId, trigger.AtUtc);
        }
        await community.MarkScheduleHandled(scheduleId, now);
    }

    /// <summary>After a schedule was saved or removed: plans its coming occurrences and cancels those it no longer has.</summary>
    public async Task ScheduleChangedAsync(string communityCode, string scheduleId, CancellationToken cancellationToken = default)
    {
        var community = grains.GetGrain<ICommunityScheduleGrain>(communityCode);
        var now = clock.GetUtcNow();
        var planned = (await community.Activities(now, DateTimeOffset.MaxValue))
            .Where(a => a.ScheduleId == scheduleId && a.Status == ActivityStatus.Planned && a.StartUtc > now).ToList();
        var keep = new HashSet<string>();
        if (await community.Schedule(scheduleId) is { } entry)
        {
            keep.UnionWith(await PlanUpcomingAsync(communityCode, entry.Schedule, now, cancellationToken));
            var last = planned.Select(a => a.StartUtc).DefaultIfEmpty(now).Max();
            keep.UnionWith(ActivityCalendar.Starts(entry.Schedule, now, last.AddDays(1)).Select(s => ActivityCalendar.ActivityId(communityCode, scheduleId, s)));
        }
        foreach (var stale in planned.Where(a => !keep.Contains(a.Id)))
        {
            await grains.GetGrain<IActivityGrain>(stale.Id).Cancel("schedule");
            logger.LogInformation("Activity {Activity} cancelled: its schedule changed", stale.Id);
        }
    }

    /// <summary>The start-up catch-up: every schedule of every community, as if its jobs had run while the node was down.</summary>
    public async Task CatchUpAsync(CancellationToken cancellationToken = default)
    {
        foreach (var community in await grains.GetGrain<IDirectoryGrain>(IDirectoryGrain.RootKey).CommunityCodes())
        {
            foreach (var entry in await grains.GetGrain<ICommunityScheduleGrain>(community).Schedules())
            {
                try
                {
                    await RunDueAsync(community, entry.Schedule.Id, cancellationToken);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    logger.LogWarning(e, "Catch-up of schedule {Schedule} in {Community} failed; its jobs will try again", entry.Schedule.Id, community);
                }
            }
        }
    }

    /// <summary>Plans the occurrences starting in the coming <see cref="ActivityCalendar.PlanAhead"/> (and the next one always); their ids.</summary>
    public async Task<ImmutableArray<string>> PlanUpcomingAsync(string communityCode, ActivitySchedule schedule, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        var starts = ActivityCalendar.Starts(schedule, now, now + ActivityCalendar.PlanAhead).ToList();
        if (starts.Count == 0 && ActivityCalendar.Next(schedule, now) is { } next) starts.Add(next);
        if (starts.Count == 0) return [];
        var audience = await AudienceAsync(communityCode, schedule, cancellationToken);
        var ids = ImmutableArray.CreateBuilder<string>();
        foreach (var start in starts)
        {
            var plan = ActivityCalendar.PlanFor(communityCode, schedule, start, audience);
            await grains.GetGrain<IActivityGrain>(plan.Id).Plan(plan);
            ids.Add(plan.Id);
        }
        return ids.ToImmutable();
    }

    /// <summary>The members a schedule expects, read from the member grains of the community.</summary>
    public async Task<ImmutableArray<string>> AudienceAsync(string communityCode, ActivitySchedule schedule, CancellationToken cancellationToken = default)
    {
        var ids = (await grains.GetGrain<ICommunityGrain>(communityCode).MemberIdsByPhone()).Values.ToList();
        var expected = new ConcurrentBag<string>();
        await Parallel.ForEachAsync(ids, new ParallelOptions { MaxDegreeOfParallelism = LoadParallelism, CancellationToken = cancellationToken }, async (id, _) =>
        {
            if (await grains.GetGrain<IPartyMemberGrain>(id).Get() is { } member && Audience.IsExpected(schedule, communityCode, member)) expected.Add(id);
        });
        return [.. expected.Order(StringComparer.Ordinal)];
    }

    /// <summary>
    /// Sends one reminder of an occurrence to every member it is for who has not had it, at most
    /// <see cref="ActivityOptions.FanOutConcurrency"/> at a time, recording progress on the
    /// occurrence in batches, so a restarted fan-out resumes where it stopped. Throws when some
    /// members could not be reached (after recording the others), so that the job is retried.
    /// </summary>
    public async Task<FanOutReport> RemindAsync(string activityId, int leadMinutes, IProgress<FanOutReport>? progress, CancellationToken cancellationToken = default)
    {
        var watch = Stopwatch.StartNew();
        var activity = grains.GetGrain<IActivityGrain>(activityId);
        var view = await activity.Get();
        if (view is not { Status: ActivityStatus.Planned }) return new FanOutReport(activityId, leadMinutes, 0, 0, 0, watch.Elapsed);
        var pending = await activity.BeginReminder(leadMinutes);
        var plan = view.Plan;
        var delivered = new ConcurrentQueue<string>();
        var flush = new SemaphoreSlim(1, 1);
        var (done, failed) = (0, 0);
        var batch = Math.Max(1, options.Value.ProgressBatch);

        async Task Flush(bool force)
        {
            if (!force && delivered.Count < batch) return;
            await flush.WaitAsync(CancellationToken.None);
            try
            {
                var ids = new List<string>();
                while (delivered.TryDequeue(out var id)) ids.Add(id);
                if (ids.Count == 0 && !force) return;
                await activity.RemindersDelivered(leadMinutes, [.. ids], Volatile.Read(ref failed));
                progress?.Report(new FanOutReport(activityId, leadMinutes, pending.Length, Volatile.Read(ref done), Volatile.Read(ref failed), watch.Elapsed));
            }
            finally
            {
                flush.Release();
            }
        }

        try
        {
            await Parallel.ForEachAsync(pending, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, options.Value.FanOutConcurrency), CancellationToken = cancellationToken },
                async (memberId, ct) =>
                {
                    var notice = new ReminderNotice
                    {
                        Key = ReminderNotice.KeyOf(activityId, leadMinutes, memberId), ActivityId = activityId, MemberId = memberId,
                        CommunityCode = plan.CommunityCode, LeadMinutes = leadMinutes, Title = plan.Title, Theme = plan.Theme, Place = plan.Place,
                        StartUtc = plan.StartUtc,
                    };
                    try
                    {
                        await sender.SendAsync(notice, ct);
                        delivered.Enqueue(memberId);
                        Interlocked.Increment(ref done);
                    }
                    catch (Exception e) when (e is not OperationCanceledException)
                    {
                        Interlocked.Increment(ref failed);
                        logger.LogWarning(e, "Reminder {Lead} of {Activity} not delivered to member {Member}; it will be retried", leadMinutes, activityId, memberId);
                    }
                    await Flush(force: false);
                });
        }
        finally
        {
            await Flush(force: true);
        }
        var report = new FanOutReport(activityId, leadMinutes, pending.Length, done, failed, watch.Elapsed);
        logger.LogInformation("Reminder {Lead} of {Activity}: {Delivered} of {Pending} delivered, {Failed} failed, in {Seconds:F1} s",
            ActivityCalendar.LeadName(leadMinutes), activityId, done, pending.Length, failed, watch.Elapsed.TotalSeconds);
        if (failed > 0) throw new ReminderDeliveryException($"{failed} reminders of {activityId} ({ActivityCalendar.LeadName(leadMinutes)}) were not delivered; the job is retried for them.");
        await activity.FinishReminder(leadMinutes);
        return report;
    }
}
