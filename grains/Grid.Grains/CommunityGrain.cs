using System.Collections.Immutable;
using Grid.Contracts;
using Grid.Grains.Issues;
using Microsoft.Extensions.Options;

namespace Grid.Grains;

public sealed class CommunityGrain(
    [PersistentState(GridStorage.Community, GridStorage.Provider)] IPersistentState<CommunityState> state,
    TimeProvider clock,
    ILiveEvents live,
    IIssueLedger ledger,
    IOptions<IssueOptions> options)
    : Grain, ICommunityGrain
{
    private IndexWriteBehind? index;
    private readonly TombstoneSweep sweep = new();
    // Dashboard counters are published at every step: kept as steps come rather than counted over the index each time.
    private OpenIssueTally? tally;
    private (string Month, int Count)? closedOnTime;

    private string Code => this.GetPrimaryKeyString();

    private IndexWriteBehind Index => index ??= new IndexWriteBehind(this, Write, options.Value.IndexWriteDelay);

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        if (IndexWriteBehind.CatchUpFrom(state.RecordExists, state.State.WrittenUtc) is not { } from) return;
        var missed = IndexWriteBehind.Missed(await ledger.CommunityIssuesUpdatedSince(Code, from), state.State.Issues).ToList();
        if (missed.Count == 0) return;
        foreach (var summary in missed) Apply(summary);
        await Write();
    }

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken) => Index.Flush();

    /// <summary>Every write of this state goes through here: it carries any buffered index updates, and stamps when.</summary>
    private async Task Write()
    {
        var now = clock.GetUtcNow();
        state.State = state.State with { Issues = sweep.IfDue(state.State.Issues, now), WrittenUtc = now };
        await state.WriteStateAsync();
        Index.Written();
    }

    public Task<CommunityView?> Get() => Task.FromResult(View());

    public async Task<CommunityView> Define(CommunityDefinition definition)
    {
        if (definition.Code != Code) throw new ArgumentException($"Definition is for community {definition.Code}, not {Code}.", nameof(definition));
        var isNew = state.State.Definition is null;
        if (definition != state.State.Definition)
        {
            state.State = state.State with
            {
                Definition = definition,
                CreatedUtc = isNew ? clock.GetUtcNow() : state.State.CreatedUtc,
            };
            await Write();
        }
        await GrainFactory.GetGrain<IDirectoryGrain>(IDirectoryGrain.RootKey).AddCommunity(Code);
        return View()!;
    }

    public async Task AddCell(string cellCode)
    {
        RequireDefined();
        if (GridCodes.CommunityOf(cellCode) != Code) throw new ArgumentException($"Cell {cellCode} is not in community {Code}.", nameof(cellCode));
        if (state.State.Cells.Contains(cellCode)) return;
        state.State = state.State with { Cells = state.State.Cells.Add(cellCode) };
        await Write();
    }

    public async Task<ImmutableArray<string>> ClaimMemberIds(ImmutableArray<string> phones)
    {
        RequireDefined();
        var byPhone = state.State.MembersByPhone;
        var last = state.State.LastMemberNumber;
        var ids = ImmutableArray.CreateBuilder<string>(phones.Length);
        foreach (var phone in phones)
        {
            if (!byPhone.TryGetValue(phone, out var id))
            {
                id = MemberId(Code, ++last);
                byPhone = byPhone.Add(phone, id);
            }
            ids.Add(id);
        }
        if (last != state.State.LastMemberNumber)
        {
            state.State = state.State with { MembersByPhone = byPhone, LastMemberNumber = last };
            await Write();
        }
        return ids.MoveToImmutable();
    }

    public Task<ImmutableDictionary<string, string>> MemberIdsByPhone() => Task.FromResult(state.State.MembersByPhone);

    public Task UpdateIssue(IssueSummary summary)
    {
        if (!Apply(summary)) return Task.CompletedTask;
        // Written a moment later with the updates around it (IndexWriteBehind): one write for many steps.
        Index.Changed();
        PublishCounters();
        return Task.CompletedTask;
    }

    /// <summary>The summary into the index and the day's and month's counters, in memory; false when the index has it already.</summary>
    private bool Apply(IssueSummary summary)
    {
        var held = state.State.Issues.GetValueOrDefault(summary.Id);
        var issues = IssueIndex.Apply(state.State.Issues, summary, out var changed);
        if (!changed) return false;
        // Before the state takes the new index: a tally made here, at its first use, counts the index as it was.
        Tally.Replace(held, summary);
        var now = clock.GetUtcNow();
        var today = ChinaTime.Day(now);
        var s = state.State.Day == today ? state.State : state.State with { Day = today, ReportedOnDay = [], ClosedOnDay = [] };
        if (ChinaTime.Day(summary.CreatedUtc) == today) s = s with { ReportedOnDay = s.ReportedOnDay.Add(summary.Id) };
        if (summary.Status == IssueStatus.Closed && ChinaTime.Day(summary.UpdatedUtc) == today) s = s with { ClosedOnDay = s.ClosedOnDay.Add(summary.Id) };
        // 按期结案 this month, judged as the KPI report judges a passed verification: closed by the deadline in force.
        if (summary.Status == IssueStatus.Closed && held?.Status != IssueStatus.Closed && MonthOf(summary.UpdatedUtc) == MonthOf(now))
        {
            var month = MonthOf(now);
            var closed = s.ClosureMonth == month ? s.ClosedInMonth : ImmutableDictionary<string, bool>.Empty;
            var onTime = summary.DeadlineUtc is { } d && summary.UpdatedUtc <= d;
            var count = ClosedOnTime(month, closed) - (closed.TryGetValue(summary.Id, out var before) && before ? 1 : 0) + (onTime ? 1 : 0);
            s = s with { ClosureMonth = month, ClosedInMonth = closed.SetItem(summary.Id, onTime) };
            closedOnTime = (month, count);
        }
        state.State = s with { Issues = issues };
        return true;
    }

    public Task<DashboardCounters> DashboardCounters() => Task.FromResult(Dashboard());

    public async Task SetOnDuty(string assignmentId, string memberId, bool onDuty, DateTimeOffset sinceUtc)
    {
        var duty = state.State.OnDuty;
        var entry = new OnDuty { MemberId = memberId, SinceUtc = sinceUtc };
        if (onDuty ? duty.GetValueOrDefault(assignmentId) == entry : !duty.ContainsKey(assignmentId)) return;
        state.State = state.State with { OnDuty = onDuty ? duty.SetItem(assignmentId, entry) : duty.Remove(assignmentId) };
        await Write();
        PublishCounters();
    }

    public async Task SetRedSaturday(RedSaturdayAttendance attendance)
    {
        // The latest Saturday wins; a late report of an earlier one does not replace it.
        if (state.State.RedSaturday is { } held && (held.Date > attendance.Date || held == attendance)) return;
        state.State = state.State with { RedSaturday = attendance };
        await Write();
        PublishCounters();
    }

    private void PublishCounters() => live.Publish(CountersChanged.Of(CommunityCode.Parse(Code), Dashboard(), clock.GetUtcNow()));

    private static string MonthOf(DateTimeOffset utc) => utc.ToOffset(ChinaTime.Offset).ToString("yyyy-MM", System.Globalization.CultureInfo.InvariantCulture);

    private DashboardCounters Dashboard()
    {
        var now = clock.GetUtcNow();
        var month = MonthOf(now);
        var closed = state.State.ClosureMonth == month ? state.State.ClosedInMonth : ImmutableDictionary<string, bool>.Empty;
        var red = state.State.RedSaturday;
        return new DashboardCounters
        {
            Issues = Counters(),
            Month = month,
            ClosedThisMonth = closed.Count,
            ClosedOnTimeThisMonth = ClosedOnTime(month, closed),
            // A check-in older than the longest span counted is a forgotten check-out, not someone on site.
            MembersOnDuty = state.State.OnDuty.Values.Where(d => now - d.SinceUtc <= Members.AssignmentWorkflow.MaxSpan).Select(d => d.MemberId).Distinct().Count(),
            RedSaturday = red is not null && red.Date.ToString("yyyy-MM", System.Globalization.CultureInfo.InvariantCulture) == month ? red : null,
        };
    }

    private OpenIssueTally Tally => tally ??= OpenIssueTally.Of(state.State.Issues.Values);

    private int ClosedOnTime(string month, ImmutableDictionary<string, bool> closed)
    {
        if (closedOnTime is not { } held || held.Month != month) closedOnTime = held = (month, closed.Values.Count(onTime => onTime));
        return held.Count;
    }

    public Task<ImmutableArray<IssueSummary>> OpenIssues() => Task.FromResult(IssueIndex.Open(state.State.Issues));

    public async Task ResetIssueIndex()
    {
        state.State = state.State with { ReportedOnDay = [], ClosedOnDay = [], Issues = ImmutableDictionary<string, IssueSummary>.Empty };
        tally = null;
        await Write();
    }

    public Task<CommunityIssueCounters> IssueCounters() => Task.FromResult(Counters());

    public Task<DeadlineCandidates> DeadlineCandidates()
    {
        var now = clock.GetUtcNow();
        var open = state.State.Issues.Values.Where(i => i.IsOpen).ToList();
        return Task.FromResult(new DeadlineCandidates
        {
            IssueIds = [.. open.Where(i =>
                (i.DeadlineUtc <= now && i.EscalationLevel < 2 && i.Status is IssueStatus.Dispatched or IssueStatus.InProgress) ||
                (i.WhistleReportByUtc <= now && !i.WhistleOverdue)).Select(i => i.Id)],
            // "Due soon" turns a cell amber with time alone, so every cell with open issues is asked again.
            CellCodes = [.. open.Select(i => i.CellCode).Distinct()],
        });
    }

    public Task<PointRules> PointRules() => Task.FromResult(state.State.Rules);

    public async Task SetPointRules(PointRules rules)
    {
        state.State = state.State with { Rules = rules };
        await Write();
    }

    public async Task UpdateLeaderboard(LeaderboardLine line, int year)
    {
        if (year < state.State.LeaderboardYear) return;
        var board = year > state.State.LeaderboardYear ? ImmutableDictionary<string, LeaderboardLine>.Empty : state.State.Leaderboard;
        if (board.TryGetValue(line.MemberId, out var held) && held == line) return;
        state.State = state.State with { LeaderboardYear = year, Leaderboard = board.SetItem(line.MemberId, line) };
        await Write();
    }

    public Task<ImmutableArray<LeaderboardLine>> Leaderboard(string? branch, int limit) =>
        Task.FromResult<ImmutableArray<LeaderboardLine>>([.. state.State.Leaderboard.Values
            .Where(l => branch is null || l.Branch == branch)
            .OrderByDescending(l => l.Points).ThenBy(l => l.MemberId, StringComparer.Ordinal)
            .Take(limit)]);

    public Task<ImmutableArray<ScheduleEntry>> Schedules() =>
        Task.FromResult<ImmutableArray<ScheduleEntry>>([.. state.State.Schedules.Keys.Order(StringComparer.Ordinal).Select(id => Entry(id)!)]);

    public Task<ScheduleEntry?> Schedule(string scheduleId) => Task.FromResult(Entry(scheduleId));

    public async Task<ActivitySchedule> SaveSchedule(ActivitySchedule schedule)
    {
        RequireDefined();
        var now = clock.GetUtcNow();
        var held = state.State.Schedules.GetValueOrDefault(schedule.Id);
        var saved = schedule with { Version = (held?.Version ?? 0) + 1, UpdatedUtc = now };
        // A new rule applies from now on: triggers it would have had in the past are not caught up.
        var retimed = held is null || held.Saturday != schedule.Saturday || held.Cron != schedule.Cron || held.StartTime != schedule.StartTime ||
                      held.DurationMinutes != schedule.DurationMinutes || !held.ReminderLeadMinutes.SequenceEqual(schedule.ReminderLeadMinutes);
        state.State = state.State with
        {
            Schedules = state.State.Schedules.SetItem(schedule.Id, saved),
            ScheduleHandledUntil = retimed ? state.State.ScheduleHandledUntil.SetItem(schedule.Id, now) : state.State.ScheduleHandledUntil,
        };
        await Write();
        return saved;
    }

    public async Task<bool> RemoveSchedule(string scheduleId)
    {
        if (!state.State.Schedules.ContainsKey(scheduleId)) return false;
        state.State = state.State with
        {
            Schedules = state.State.Schedules.Remove(scheduleId),
            ScheduleHandledUntil = state.State.ScheduleHandledUntil.Remove(scheduleId),
        };
        await Write();
        return true;
    }

    public async Task MarkScheduleHandled(string scheduleId, DateTimeOffset untilUtc)
    {
        if (!state.State.Schedules.ContainsKey(scheduleId)) return;
        if (state.State.ScheduleHandledUntil.TryGetValue(scheduleId, out var held) && held >= untilUtc) return;
        state.State = state.State with { ScheduleHandledUntil = state.State.ScheduleHandledUntil.SetItem(scheduleId, untilUtc) };
        await Write();
    }

    public async Task UpdateActivity(ActivitySummary summary)
    {
        if (state.State.Activities.TryGetValue(summary.Id, out var held) && held.Version >= summary.Version) return;
        // Occurrences over a year past are dropped from the index; their grains keep them.
        var horizon = clock.GetUtcNow().AddDays(-400);
        var index = state.State.Activities.SetItem(summary.Id, summary);
        var old = index.Values.Where(a => a.EndUtc < horizon).Select(a => a.Id).ToList();
        state.State = state.State with { Activities = index.RemoveRange(old) };
        await Write();
    }

    public Task<ImmutableArray<ActivitySummary>> Activities(DateTimeOffset fromUtc, DateTimeOffset toUtc) =>
        Task.FromResult<ImmutableArray<ActivitySummary>>([.. state.State.Activities.Values
            .Where(a => a.EndUtc >= fromUtc && a.StartUtc <= toUtc)
            .OrderBy(a => a.StartUtc).ThenBy(a => a.Id, StringComparer.Ordinal)]);

    private ScheduleEntry? Entry(string scheduleId) => state.State.Schedules.TryGetValue(scheduleId, out var schedule)
        ? new ScheduleEntry { Schedule = schedule, HandledUntilUtc = state.State.ScheduleHandledUntil.GetValueOrDefault(scheduleId, schedule.UpdatedUtc) }
        : null;

    private CommunityIssueCounters Counters()
    {
        var today = ChinaTime.Day(clock.GetUtcNow());
        var sameDay = state.State.Day == today;
        return new CommunityIssueCounters
        {
            Open = Tally.Open,
            Overdue = Tally.Overdue,
            AwaitingAcceptance = Tally.AwaitingAcceptance,
            ReportedToday = sameDay ? state.State.ReportedOnDay.Count : 0,
            ClosedToday = sameDay ? state.State.ClosedOnDay.Count : 0,
            Day = today,
        };
    }

    /// <summary>Member ids read as the community code, 'M' and a sequence number: 330503101001M00042.</summary>
    public static string MemberId(string communityCode, int number) => $"{communityCode}M{number:D5}";

    private CommunityView? View() => state.State.Definition is { } definition
        ? new CommunityView
        {
            Definition = definition,
            CellCodes = [.. state.State.Cells],
            MemberCount = state.State.MembersByPhone.Count,
            CreatedUtc = state.State.CreatedUtc,
        }
        : null;

    private void RequireDefined()
    {
        if (state.State.Definition is null) throw new InvalidOperationException($"Community {Code} is not defined.");
    }
}
