using System.Collections.Immutable;
using System.Security.Cryptography;
using Grid.Contracts;
using Grid.Grains.Activities;

namespace Grid.Grains;

/// <summary>
/// One occurrence of a recurring activity: sign-ups, leave (请假), sign-ins with the venue code,
/// posts, reminder progress, and at the close the final attendance and its points.
/// </summary>
public sealed class ActivityGrain(
    [PersistentState(GridStorage.Activity, GridStorage.Provider)] IPersistentState<ActivityState> state,
    TimeProvider clock,
    ILiveEvents live)
    : Grain, IActivityGrain
{
    private const int AwardParallelism = 16;

    private string Id => this.GetPrimaryKeyString();

    private ActivityView? View => state.State.View;

    public Task<ActivityView?> Get() => Task.FromResult(View);

    public async Task<ActivityView> Plan(ActivityPlan plan)
    {
        if (plan.Id != Id) throw new ArgumentException($"Plan is for activity {plan.Id}, not {Id}.", nameof(plan));
        var now = clock.GetUtcNow();
        if (View is null)
        {
            state.State = state.State with
            {
                View = new ActivityView { Plan = plan, Status = ActivityStatus.Planned, CreatedUtc = now, Version = 1 },
                CodeSecret = RandomNumberGenerator.GetBytes(32),
            };
            await state.WriteStateAsync();
        }
        else if (View.Status == ActivityStatus.Planned && now < View.Plan.StartUtc && !SamePlan(View.Plan, plan))
        {
            state.State = state.State with { View = View with { Plan = plan, Version = View.Version + 1 } };
            await state.WriteStateAsync();
        }
        else if (View.Status == ActivityStatus.Cancelled && now < plan.StartUtc)
        {
            // The schedule came back to this date (moved away and back again): the occurrence is on again.
            state.State = state.State with { View = View with { Plan = plan, Status = ActivityStatus.Planned, Version = View.Version + 1 } };
            await state.WriteStateAsync();
            Publish();
        }
        // The index is told every time: idempotent there (by version), and it heals a missed update.
        await Index();
        return View!;
    }

    public async Task<Outcome<ActivityView>> Cancel(string by)
    {
        if (View is null) return NotFound();
        if (View.Status == ActivityStatus.Cancelled) return Done();
        if (View.Status == ActivityStatus.Closed) return NotAllowed("活动已结束，出勤已定，不能取消。");
        state.State = state.State with { View = View with { Status = ActivityStatus.Cancelled, Version = View.Version + 1 } };
        await state.WriteStateAsync();
        await Index();
        Publish();
        return Done();
    }

    public async Task<Outcome<ActivityView>> SignUp(MemberId member)
    {
        var memberId = member.Value;
        if (await Refusal(member, beforeStart: true) is { } refused) return refused;
        if (View!.SignUps.ContainsKey(memberId)) return Done();
        state.State = state.State with
        {
            View = View with { SignUps = View.SignUps.SetItem(memberId, clock.GetUtcNow()), Leaves = View.Leaves.Remove(memberId), Version = View.Version + 1 },
        };
        await state.WriteStateAsync();
        Publish();
        return Done();
    }

    public async Task<Outcome<ActivityView>> RequestLeave(MemberId member, string reason)
    {
        var memberId = member.Value;
        if (await Refusal(member, beforeStart: true) is { } refused) return refused;
        if (View!.SignIns.ContainsKey(memberId)) return NotAllowed("你已签到，不能再请假。");
        state.State = state.State with
        {
            View = View with
            {
                Leaves = View.Leaves.SetItem(memberId, new LeaveRequest { Reason = reason, AtUtc = clock.GetUtcNow() }),
                SignUps = View.SignUps.Remove(memberId),
                Version = View.Version + 1,
            },
        };
        await state.WriteStateAsync();
        Publish();
        return Done();
    }

    public async Task<Outcome<ActivityView>> SignIn(MemberId member, string? code, bool remote)
    {
        var memberId = member.Value;
        if (await Refusal(member, beforeStart: false) is { } refused) return refused;
        var now = clock.GetUtcNow();
        if (SignInRules.WindowError(View!.Plan, now) is { } closed) return NotAllowed(closed);
        if (View.SignIns.ContainsKey(memberId)) return Done();
        if (remote)
        {
            var record = await GrainFactory.Member(member).Get();
            if (record?.Definition.IsMobile != true) return NotAllowed("远程签到只适用于流动党员：请到活动现场用签到码签到。");
        }
        else
        {
            var wrong = state.State.WrongCodes.GetValueOrDefault(memberId);
            if (wrong >= SignInRules.MaxWrongCodes) return NotAllowed("签到码输错次数过多：请找现场组织者签到。", "activity.too_many_codes");
            if (!SignInRules.CodeMatches(state.State.CodeSecret, code, now))
            {
                state.State = state.State with { WrongCodes = state.State.WrongCodes.SetItem(memberId, wrong + 1) };
                await state.WriteStateAsync();
                return Outcome.Invalid<ActivityView>("code", "签到码不对或已过期：请用现场此刻显示的签到码。", "activity.code");
            }
        }
        state.State = state.State with
        {
            View = View with
            {
                SignIns = View.SignIns.SetItem(memberId, new SignInRecord { AtUtc = now, Remote = remote }),
                Leaves = View.Leaves.Remove(memberId),
                Version = View.Version + 1,
            },
        };
        await state.WriteStateAsync();
        Publish();
        await ReportRedSaturday();
        return Done();
    }

    public Task<SignInCodeView?> SignInCode()
    {
        if (View is null) return Task.FromResult<SignInCodeView?>(null);
        var now = clock.GetUtcNow();
        return Task.FromResult<SignInCodeView?>(new SignInCodeView
        {
            Code = SignInRules.CodeAt(state.State.CodeSecret, now),
            ValidUntilUtc = SignInRules.CodeChangesAt(now),
            WindowOpen = View.Status == ActivityStatus.Planned && SignInRules.WindowOpen(View.Plan, now),
        });
    }

    public async Task<Outcome<ActivityView>> StaffPost(string post, MemberId? member)
    {
        if (View is null) return NotFound();
        if (View.Status != ActivityStatus.Planned) return NotAllowed(NotPlanned(View.Status));
        if (!View.Plan.Posts.Contains(post)) return Outcome.NotFound<ActivityView>($"本次活动没有岗位「{post}」。");
        if (member is { } m && !await IsOfCommunity(m)) return NotExpected();
        var memberId = member?.Value;
        var holders = memberId is null ? View.PostHolders.Remove(post) : View.PostHolders.SetItem(post, memberId);
        if (holders.Count == View.PostHolders.Count && holders.All(h => View.PostHolders.GetValueOrDefault(h.Key) == h.Value)) return Done();
        state.State = state.State with { View = View with { PostHolders = holders, Version = View.Version + 1 } };
        await state.WriteStateAsync();
        Publish();
        return Done();
    }

    public async Task<ImmutableArray<string>> BeginReminder(int leadMinutes)
    {
        if (View is not { Status: ActivityStatus.Planned }) return [];
        var roll = View.Roll().Except(View.Leaves.Keys).ToList();
        var reminded = state.State.Reminded.GetValueOrDefault(leadMinutes) ?? [];
        var progress = View.Reminders.FirstOrDefault(r => r.LeadMinutes == leadMinutes)
                       ?? new ReminderProgress { LeadMinutes = leadMinutes, StartedUtc = clock.GetUtcNow() };
        var updated = progress with { Expected = roll.Count, Delivered = reminded.Count };
        if (updated != progress || !View.Reminders.Contains(progress)) await SaveProgress(updated);
        return [.. roll.Where(m => !reminded.Contains(m)).Order(StringComparer.Ordinal)];
    }

    public async Task RemindersDelivered(int leadMinutes, ImmutableArray<string> memberIds, int failed)
    {
        if (View is null) return;
        var reminded = (state.State.Reminded.GetValueOrDefault(leadMinutes) ?? []).Union(memberIds);
        state.State = state.State with { Reminded = state.State.Reminded.SetItem(leadMinutes, reminded) };
        var progress = View.Reminders.FirstOrDefault(r => r.LeadMinutes == leadMinutes)
                       ?? new ReminderProgress { LeadMinutes = leadMinutes, StartedUtc = clock.GetUtcNow() };
        var updated = progress with { Delivered = reminded.Count, Failed = failed, Expected = Math.Max(progress.Expected, reminded.Count) };
        await SaveProgress(updated);
        live.Publish(ReminderProgressChanged.Of(View.Plan, updated, clock.GetUtcNow()));
    }

    public async Task FinishReminder(int leadMinutes)
    {
        var progress = View?.Reminders.FirstOrDefault(r => r.LeadMinutes == leadMinutes);
        if (progress is null || progress.FinishedUtc is not null) return;
        await SaveProgress(progress with { FinishedUtc = clock.GetUtcNow() });
    }

    public async Task<Outcome<ActivityView>> Close(string by)
    {
        if (View is null) return NotFound();
        if (View.Status == ActivityStatus.Cancelled) return NotAllowed("活动已取消。");
        var now = clock.GetUtcNow();
        if (View.Status == ActivityStatus.Planned)
        {
            if (now < View.Plan.EndUtc)
                return NotAllowed($"签到于 {View.Plan.EndUtc.ToOffset(ChinaTime.Offset):yyyy-MM-dd HH:mm}（北京时间）截止，之后才能结束活动。");
            state.State = state.State with
            {
                View = View with { Status = ActivityStatus.Closed, Outcomes = AttendanceRules.Final(View), ClosedUtc = now, Version = View.Version + 1 },
            };
            await state.WriteStateAsync();
            await Index();
            await ReportRedSaturday();
        }

        // Points go to the members' ledgers; a repeated close (a retried job) awards only what is
        // missing, and the ledgers themselves refuse a source twice.
        var pending = View.Outcomes.Where(o => !state.State.PointsAwarded.Contains(o.Key)).ToList();
        if (pending.Count > 0)
        {
            var rules = await GrainFactory.GetGrain<ICommunityPointsGrain>(View.Plan.CommunityCode).PointRules();
            foreach (var chunk in pending.Chunk(AwardParallelism))
            {
                await Task.WhenAll(chunk.Select(async o =>
                {
                    if (AttendanceRules.Points(View.Plan, o.Key, o.Value, rules, by) is { } entry && await GrainFactory.GetGrain<IPartyMemberGrain>(o.Key).Get() is not null)
                        await GrainFactory.GetGrain<IPartyMemberGrain>(o.Key).AwardPoints(entry);
                }));
                state.State = state.State with { PointsAwarded = state.State.PointsAwarded.Union(chunk.Select(o => o.Key)) };
            }
            await state.WriteStateAsync();
        }
        Publish();
        return Done();
    }

    private async Task SaveProgress(ReminderProgress progress)
    {
        var reminders = View!.Reminders.Where(r => r.LeadMinutes != progress.LeadMinutes).Append(progress).OrderByDescending(r => r.LeadMinutes);
        state.State = state.State with { View = View with { Reminders = [.. reminders] } };
        await state.WriteStateAsync();
    }

    /// <summary>Why a member may not act on this occurrence now, or null.</summary>
    private async Task<Outcome<ActivityView>?> Refusal(MemberId member, bool beforeStart)
    {
        if (View is null) return NotFound();
        if (View.Status != ActivityStatus.Planned) return NotAllowed(NotPlanned(View.Status));
        if (beforeStart && clock.GetUtcNow() >= View.Plan.StartUtc)
            return NotAllowed("活动已开始：报名和请假在开始时截止。");
        if (!View.Roll().Contains(member.Value) && !await IsOfCommunity(member)) return NotExpected();
        return null;
    }

    private static string NotPlanned(ActivityStatus status) => status == ActivityStatus.Cancelled ? "活动已取消。" : "活动已结束。";

    private async Task<bool> IsOfCommunity(MemberId member) =>
        (await GrainFactory.Member(member).Get())?.Definition.CommunityCode == View!.Plan.CommunityCode;

    private Task Index() => GrainFactory.GetGrain<ICommunityScheduleGrain>(View!.Plan.CommunityCode).UpdateActivity(new ActivitySummary
    {
        Id = Id, ScheduleId = View.Plan.ScheduleId, Title = View.Plan.Title, Theme = View.Plan.Theme, Kind = View.Plan.Kind,
        StartUtc = View.Plan.StartUtc, EndUtc = View.Plan.EndUtc, Status = View.Status, Version = View.Version,
    });

    /// <summary>A Red Saturday's attendance for the command dashboard (its latest one of the month).</summary>
    private Task ReportRedSaturday() => View!.Plan.Kind != ActivityKind.RedSaturday
        ? Task.CompletedTask
        : GrainFactory.GetGrain<ICommunityIssuesGrain>(View.Plan.CommunityCode).SetRedSaturday(new RedSaturdayAttendance
        {
            Date = ChinaTime.Day(View.Plan.StartUtc),
            Expected = View.Roll().Except(View.Leaves.Keys).Count(),
            Attended = View.SignIns.Count,
        });

    /// <summary>Counts only: live events never carry members' names.</summary>
    private void Publish() => live.Publish(ActivityCountsChanged.Of(View!, clock.GetUtcNow()));

    private static bool SamePlan(ActivityPlan a, ActivityPlan b) =>
        a with { ExpectedMemberIds = [], Posts = [], ReminderLeadMinutes = [] } == b with { ExpectedMemberIds = [], Posts = [], ReminderLeadMinutes = [] } &&
        a.ExpectedMemberIds.SequenceEqual(b.ExpectedMemberIds) && a.Posts.SequenceEqual(b.Posts) && a.ReminderLeadMinutes.SequenceEqual(b.ReminderLeadMinutes);

    private Outcome<ActivityView> Done() => Outcome.Done(View!);

    private Outcome<ActivityView> NotFound() => Outcome.NotFound<ActivityView>($"没有活动「{Id}」。");

    private Outcome<ActivityView> NotAllowed(string why, string code = "activity.status") => Outcome.Conflict(why, View, code);

    private Outcome<ActivityView> NotExpected() => Outcome.Forbidden<ActivityView>("本次活动只面向本社区党员。") with { Code = "activity.not_expected" };
}
