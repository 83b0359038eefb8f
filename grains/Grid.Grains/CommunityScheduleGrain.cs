using System.Collections.Immutable;
using Grid.Contracts;

namespace Grid.Grains;

/// <summary>
/// A community's recurring activities and the index of their occurrences, in two states: saving a
/// schedule or moving its catch-up mark does not rewrite the index, nor an occurrence's sign-in the schedules.
/// </summary>
public sealed class CommunityScheduleGrain(
    [PersistentState(GridStorage.CommunitySchedules, GridStorage.Provider)] IPersistentState<CommunitySchedulesState> schedules,
    [PersistentState(GridStorage.CommunityActivities, GridStorage.Provider)] IPersistentState<CommunityActivitiesState> activities,
    TimeProvider clock)
    : Grain, ICommunityScheduleGrain
{
    private string Code => this.GetPrimaryKeyString();

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        var missing = LegacyParts.Missing(schedules, CommunityParts.Schedules) | LegacyParts.Missing(activities, CommunityParts.Activities);
        return LegacyParts.Take(GrainFactory, Code, missing, async legacy =>
        {
            if (missing.HasFlag(CommunityParts.Schedules))
            {
                schedules.State = legacy.Schedules ?? new();
                await schedules.WriteStateAsync();
            }
            if (missing.HasFlag(CommunityParts.Activities))
            {
                activities.State = legacy.Activities ?? new();
                await activities.WriteStateAsync();
            }
        });
    }

    public Task<ImmutableArray<ScheduleEntry>> Schedules() =>
        Task.FromResult<ImmutableArray<ScheduleEntry>>([.. schedules.State.Schedules.Keys.Order(StringComparer.Ordinal).Select(id => Entry(id)!)]);

    public Task<ScheduleEntry?> Schedule(string scheduleId) => Task.FromResult(Entry(scheduleId));

    public async Task<ActivitySchedule> SaveSchedule(ActivitySchedule schedule)
    {
        if (await GrainFactory.GetGrain<ICommunityGrain>(Code).Get() is null) throw new InvalidOperationException($"Community {Code} is not defined.");
        var now = clock.GetUtcNow();
        var held = schedules.State.Schedules.GetValueOrDefault(schedule.Id);
        var saved = schedule with { Version = (held?.Version ?? 0) + 1, UpdatedUtc = now };
        // A new rule applies from now on: triggers it would have had in the past are not caught up.
        var retimed = held is null || held.Saturday != schedule.Saturday || held.Cron != schedule.Cron || held.StartTime != schedule.StartTime ||
                      held.DurationMinutes != schedule.DurationMinutes || !held.ReminderLeadMinutes.SequenceEqual(schedule.ReminderLeadMinutes);
        schedules.State = schedules.State with
        {
            Schedules = schedules.State.Schedules.SetItem(schedule.Id, saved),
            HandledUntil = retimed ? schedules.State.HandledUntil.SetItem(schedule.Id, now) : schedules.State.HandledUntil,
        };
        await schedules.WriteStateAsync();
        return saved;
    }

    public async Task<bool> RemoveSchedule(string scheduleId)
    {
        if (!schedules.State.Schedules.ContainsKey(scheduleId)) return false;
        schedules.State = schedules.State with
        {
            Schedules = schedules.State.Schedules.Remove(scheduleId),
            HandledUntil = schedules.State.HandledUntil.Remove(scheduleId),
        };
        await schedules.WriteStateAsync();
        return true;
    }

    public async Task MarkScheduleHandled(string scheduleId, DateTimeOffset untilUtc)
    {
        if (!schedules.State.Schedules.ContainsKey(scheduleId)) return;
        if (schedules.State.HandledUntil.TryGetValue(scheduleId, out var held) && held >= untilUtc) return;
        schedules.State = schedules.State with { HandledUntil = schedules.State.HandledUntil.SetItem(scheduleId, untilUtc) };
        await schedules.WriteStateAsync();
    }

    public async Task UpdateActivity(ActivitySummary summary)
    {
        if (activities.State.Activities.TryGetValue(summary.Id, out var held) && held.Version >= summary.Version) return;
        // Occurrences over a year past are dropped from the index; their grains keep them.
        var horizon = clock.GetUtcNow().AddDays(-400);
        var index = activities.State.Activities.SetItem(summary.Id, summary);
        var old = index.Values.Where(a => a.EndUtc < horizon).Select(a => a.Id).ToList();
        activities.State = activities.State with { Activities = index.RemoveRange(old) };
        await activities.WriteStateAsync();
    }

    public Task<ImmutableArray<ActivitySummary>> Activities(DateTimeOffset fromUtc, DateTimeOffset toUtc) =>
        Task.FromResult<ImmutableArray<ActivitySummary>>([.. activities.State.Activities.Values
            .Where(a => a.EndUtc >= fromUtc && a.StartUtc <= toUtc)
            .OrderBy(a => a.StartUtc).ThenBy(a => a.Id, StringComparer.Ordinal)]);

    private ScheduleEntry? Entry(string scheduleId) => schedules.State.Schedules.TryGetValue(scheduleId, out var schedule)
        ? new ScheduleEntry { Schedule = schedule, HandledUntilUtc = schedules.State.HandledUntil.GetValueOrDefault(scheduleId, schedule.UpdatedUtc) }
        : null;
}
