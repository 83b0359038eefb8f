using Grid.Contracts;
using Grid.Grains.Members;

namespace Grid.Grains;

/// <summary>
/// One assignment. Completing it earns the member points and books the service time, each
/// keyed by the assignment so that a retried completion earns nothing twice.
/// </summary>
public sealed class AssignmentGrain(
    [PersistentState(GridStorage.Assignment, GridStorage.Provider)] IPersistentState<AssignmentState> state,
    TimeProvider clock,
    ILiveEvents live)
    : Grain, IAssignmentGrain
{
    private string Id => this.GetPrimaryKeyString();

    public Task<AssignmentRecord?> Get() => Task.FromResult(state.State.Record);

    public async Task<AssignmentRecord> Create(AssignmentDefinition definition, string assignedBy)
    {
        if (state.State.Record is null)
        {
            state.State = new AssignmentState
            {
                Record = new AssignmentRecord
                {
                    Id = Id, Definition = definition, Status = AssignmentStatus.Assigned, AssignedBy = assignedBy,
                    AssignedUtc = clock.GetUtcNow(), Version = 1,
                },
            };
            await state.WriteStateAsync();
            live.Publish(TickerLine.ForAssignment(definition, clock.GetUtcNow()));
        }
        await GrainFactory.GetGrain<IPartyMemberGrain>(state.State.Record.Definition.MemberId).TrackAssignment(AssignmentId.Parse(Id), open: IsOpen(state.State.Record));
        return state.State.Record;
    }

    public async Task<Outcome<AssignmentRecord>> Act(AssignmentAction action, string actor, string note, int? expectedVersion)
    {
        if (state.State.Record is not { } assignment) return Outcome.NotFound<AssignmentRecord>($"没有任务「{Id}」。");
        var now = clock.GetUtcNow();
        var result = AssignmentWorkflow.Apply(assignment, action, note, now, expectedVersion);
        if (result is not { Succeeded: true, Value: { } next }) return result;
        state.State = new AssignmentState { Record = next };
        await state.WriteStateAsync();
        await Settle(next);
        await ReportDuty(assignment, next, now);
        return result;
    }

    /// <summary>在岗: the community counts members checked in right now; the ticker says who arrived where (no names).</summary>
    private async Task ReportDuty(AssignmentRecord before, AssignmentRecord after, DateTimeOffset now)
    {
        var wasOn = before.Status == AssignmentStatus.CheckedIn;
        var isOn = after.Status == AssignmentStatus.CheckedIn;
        if (wasOn == isOn) return;
        var cell = after.Definition.CellCode;
        await GrainFactory.GetGrain<ICommunityIssuesGrain>(GridCodes.CommunityOf(cell))
            .SetOnDuty(AssignmentId.Parse(Id), MemberId.Parse(after.Definition.MemberId), isOn, isOn ? after.Spans[^1].InUtc : now);
        if (isOn)
            live.Publish(TickerLine.ForSignIn(after.Definition, now));
    }

    /// <summary>Brings the member's ledger, service time and open list in line with the assignment; safe to repeat.</summary>
    private async Task Settle(AssignmentRecord a)
    {
        var member = GrainFactory.GetGrain<IPartyMemberGrain>(a.Definition.MemberId);
        await member.TrackAssignment(AssignmentId.Parse(Id), IsOpen(a));
        if (a.Status != AssignmentStatus.Completed) return;

        var rules = await GrainFactory.GetGrain<ICommunityPointsGrain>(GridCodes.CommunityOf(a.Definition.CellCode)).PointRules();
        var at = a.CompletedUtc!.Value;
        await member.AwardPoints(new PointsEntry
        {
            SourceId = $"assignment:{Id}:completed", AtUtc = at, Rule = "assignment_completed", Points = rules.AssignmentCompleted,
            Reason = $"完成任务：{a.Definition.Title}", Actor = "system",
        });
        var hours = a.ServiceMinutes / 60;
        if (hours > 0 && rules.ServiceHour != 0)
            await member.AwardPoints(new PointsEntry
            {
                SourceId = $"assignment:{Id}:service", AtUtc = at, Rule = "service_hour", Points = hours * rules.ServiceHour,
                Reason = $"服务时长 {hours} 小时：{a.Definition.Title}", Actor = "system",
            });
        await member.RecordService(AssignmentId.Parse(Id), a.ServiceMinutes);
    }

    private static bool IsOpen(AssignmentRecord a) => a.Status is not (AssignmentStatus.Completed or AssignmentStatus.Cancelled);
}
