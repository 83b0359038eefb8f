using System.Collections.Immutable;
using System.Globalization;
using Grid.Contracts;
using Grid.Grains.Issues;
using Microsoft.Extensions.Options;

namespace Grid.Grains;

/// <summary>
/// A community's issue index and the command dashboard's counters. Two states: the index with its
/// counters, written behind (<see cref="IndexWriteBehind"/>), and who is on duty with the latest Red
/// Saturday, written at once; a check-in does not rewrite the index, nor an issue step the attendance.
/// </summary>
public sealed class CommunityIssuesGrain(
    [PersistentState(GridStorage.CommunityIssues, GridStorage.Provider)] IPersistentState<CommunityIssuesState> state,
    [PersistentState(GridStorage.CommunityAttendance, GridStorage.Provider)] IPersistentState<CommunityAttendanceState> attendance,
    TimeProvider clock,
    ILiveEvents live,
    IIssueLedger ledger,
    IOptions<IssueOptions> options)
    : Grain, ICommunityIssuesGrain
{
    private IndexWriteBehind? index;
    private readonly TombstoneSweep sweep = new();
    // Dashboard counters are published at every step: kept as steps come rather than counted over the index each time.
    // Made lazily by reads too: safe under [ReadOnly], as no read awaits between looking and setting.
    private OpenIssueTally? tally;
    private (string Month, int Count)? closedOnTime;

    private string Code => this.GetPrimaryKeyString();

    private IndexWriteBehind Index => index ??= new IndexWriteBehind(this, Write, options.Value.IndexWriteDelay);

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        var missing = LegacyParts.Missing(state, CommunityParts.Issues) | LegacyParts.Missing(attendance, CommunityParts.Attendance);
        await LegacyParts.Take(GrainFactory, Code, missing, async legacy =>
        {
            if (missing.HasFlag(CommunityParts.Attendance))
            {
                attendance.State = legacy.Attendance ?? new();
                await attendance.WriteStateAsync();
            }
            if (missing.HasFlag(CommunityParts.Issues))
            {
                // The community's stamp comes with its index: what it buffered when it last ran is caught up as ever.
                state.State = legacy.Issues ?? new();
                await CatchUp(held: legacy.Issues is not null, write: true);
            }
        });
        if (!missing.HasFlag(CommunityParts.Issues)) await CatchUp(held: state.RecordExists, write: false);
    }

    private async Task CatchUp(bool held, bool write)
    {
        if (IndexWriteBehind.CatchUpFrom(held, state.State.WrittenUtc) is { } from)
        {
            var missed = IndexWriteBehind.Missed(await ledger.CommunityIssuesUpdatedSince(Code, from), state.State.Issues).ToList();
            foreach (var summary in missed) Apply(summary);
            write |= missed.Count > 0;
        }
        if (write) await Write();
    }

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken) => Index.Flush();

    /// <summary>Every write of the index goes through here: it carries any buffered updates, and stamps when.</summary>
    private async Task Write()
    {
        var now = clock.GetUtcNow();
        state.State = state.State with { Issues = sweep.IfDue(state.State.Issues, now), WrittenUtc = now };
        await state.WriteStateAsync();
        Index.Written();
    }

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

    public Task<ImmutableArray<IssueSummary>> OpenIssues() => Task.FromResult(IssueIndex.Open(state.State.Issues));

    public Task<CommunityIssueCounters> IssueCounters() => Task.FromResult(Counters());

    public async Task ResetIssueIndex()
    {
        state.State = state.State with { ReportedOnDay = [], ClosedOnDay = [], Issues = ImmutableDictionary<string, IssueSummary>.Empty };
        tally = null;
        await Write();
    }

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

    public Task<DashboardCounters> DashboardCounters() => Task.FromResult(Dashboard());

    public async Task SetOnDuty(AssignmentId assignment, MemberId member, bool onDuty, DateTimeOffset sinceUtc)
    {
        var duty = attendance.State.OnDuty;
        var entry = new OnDuty { MemberId = member.Value, SinceUtc = sinceUtc };
        if (onDuty ? duty.GetValueOrDefault(assignment.Value) == entry : !duty.ContainsKey(assignment.Value)) return;
        attendance.State = attendance.State with { OnDuty = onDuty ? duty.SetItem(assignment.Value, entry) : duty.Remove(assignment.Value) };
        await attendance.WriteStateAsync();
        PublishCounters();
    }

    public async Task SetRedSaturday(RedSaturdayAttendance red)
    {
        // The latest Saturday wins; a late report of an earlier one does not replace it.
        if (attendance.State.RedSaturday is { } held && (held.Date > red.Date || held == red)) return;
        attendance.State = attendance.State with { RedSaturday = red };
        await attendance.WriteStateAsync();
        PublishCounters();
    }

    private void PublishCounters() => live.Publish(CountersChanged.Of(CommunityCode.Parse(Code), Dashboard(), clock.GetUtcNow()));

    private static string MonthOf(DateTimeOffset utc) => utc.ToOffset(ChinaTime.Offset).ToString("yyyy-MM", CultureInfo.InvariantCulture);

    private DashboardCounters Dashboard()
    {
        var now = clock.GetUtcNow();
        var month = MonthOf(now);
        var closed = state.State.ClosureMonth == month ? state.State.ClosedInMonth : ImmutableDictionary<string, bool>.Empty;
        var red = attendance.State.RedSaturday;
        return new DashboardCounters
        {
            Issues = Counters(),
            Month = month,
            ClosedThisMonth = closed.Count,
            ClosedOnTimeThisMonth = ClosedOnTime(month, closed),
            // A check-in older than the longest span counted is a forgotten check-out, not someone on site.
            MembersOnDuty = attendance.State.OnDuty.Values.Where(d => now - d.SinceUtc <= Members.AssignmentWorkflow.MaxSpan).Select(d => d.MemberId).Distinct().Count(),
            RedSaturday = red is not null && red.Date.ToString("yyyy-MM", CultureInfo.InvariantCulture) == month ? red : null,
        };
    }

    private OpenIssueTally Tally => tally ??= OpenIssueTally.Of(state.State.Issues.Values);

    private int ClosedOnTime(string month, ImmutableDictionary<string, bool> closed)
    {
        if (closedOnTime is not { } held || held.Month != month) closedOnTime = held = (month, closed.Values.Count(onTime => onTime));
        return held.Count;
    }

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
}
