using Grid.Contracts;
using Grid.Grains.Members;

namespace Grid.Tests.Members;

[Trait("Tier", "Unit")]
public class MemberRulesTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 7, 1, 0, 0, TimeSpan.Zero);

    [Theory]
    [InlineData(0, 1)]
    [InlineData(19, 1)]
    [InlineData(20, 2)]
    [InlineData(69, 3)]
    [InlineData(70, 4)]
    [InlineData(100, 5)]
    [InlineData(1000, 5)]
    [InlineData(-10, 1)]
    public void Stars_follow_the_thresholds_reached_with_at_least_one_and_at_most_five(int points, int stars) =>
        Assert.Equal(stars, PointsLedger.Stars(points, new PointRules().StarThresholds));

    [Fact]
    public void Thresholds_must_be_five_and_rising()
    {
        Assert.Null(PointsLedger.ThresholdsError([0, 10, 20, 30, 40]));
        Assert.NotNull(PointsLedger.ThresholdsError([0, 10, 20, 30]));
        Assert.NotNull(PointsLedger.ThresholdsError([0, 10, 10, 30, 40]));
    }

    [Fact]
    public void A_source_earns_points_once_however_often_it_is_reported()
    {
        var entry = new PointsEntry { SourceId = "activity:x:attended", AtUtc = T0, Rule = "attendance", Points = 5, Reason = "红色星期六", Actor = "system" };
        var ledger = PointsLedger.Award([], entry, out var first);
        ledger = PointsLedger.Award(ledger, entry with { AtUtc = T0.AddHours(1) }, out var second);
        ledger = PointsLedger.Award(ledger, entry with { Points = 50 }, out var third);
        Assert.True(first);
        Assert.False(second || third);
        Assert.Equal(5, PointsLedger.InYear(ledger, 2026));
    }

    [Fact]
    public void Points_count_in_the_China_Standard_Time_year_they_were_earned()
    {
        // 2026-12-31T17:00Z is New Year's Day 2027 in Beijing.
        PointsEntry[] ledger =
        [
            new() { SourceId = "a", AtUtc = new DateTimeOffset(2026, 12, 31, 15, 0, 0, TimeSpan.Zero), Rule = "manual", Points = 3, Reason = "x", Actor = "c" },
            new() { SourceId = "b", AtUtc = new DateTimeOffset(2026, 12, 31, 17, 0, 0, TimeSpan.Zero), Rule = "manual", Points = 4, Reason = "x", Actor = "c" },
        ];
        Assert.Equal(3, PointsLedger.InYear(ledger, 2026));
        Assert.Equal(4, PointsLedger.InYear(ledger, 2027));
    }

    private static AssignmentRecord Assigned() => new()
    {
        Id = "330503101001001-A2026-00001",
        Definition = new AssignmentDefinition { MemberId = "330503101001M00001", CellCode = "330503101001001", Kind = AssignmentKind.Patrol, Title = "夜间巡查", DueUtc = T0.AddDays(1) },
        Status = AssignmentStatus.Assigned, AssignedBy = "worker01", AssignedUtc = T0, Version = 1,
    };

    private static AssignmentRecord Do(AssignmentRecord a, AssignmentAction action, DateTimeOffset at, string note = "")
    {
        var result = AssignmentWorkflow.Apply(a, action, note, at);
        Assert.True(result.Kind == OutcomeKind.Done, result.Message);
        return result.Value!;
    }

    [Fact]
    public void Service_time_is_the_sum_of_check_in_spans()
    {
        var a = Do(Assigned(), AssignmentAction.Accept, T0);
        a = Do(a, AssignmentAction.CheckIn, T0.AddHours(1));
        a = Do(a, AssignmentAction.CheckOut, T0.AddHours(2.5));
        a = Do(a, AssignmentAction.CheckIn, T0.AddHours(3));
        a = Do(a, AssignmentAction.Complete, T0.AddHours(3.5), "巡查完毕，无异常"); // completing on site checks out
        Assert.Equal(AssignmentStatus.Completed, a.Status);
        Assert.Equal(120, a.ServiceMinutes);
        Assert.Equal(6, a.Version);
    }

    [Fact]
    public void A_forgotten_check_out_books_at_most_twelve_hours()
    {
        var a = Do(Do(Assigned(), AssignmentAction.Accept, T0), AssignmentAction.CheckIn, T0);
        a = Do(a, AssignmentAction.CheckOut, T0.AddDays(3));
        Assert.Equal(12 * 60, a.ServiceMinutes);
    }

    [Fact]
    public void Steps_out_of_order_are_refused_and_completion_needs_a_note()
    {
        var early = AssignmentWorkflow.Apply(Assigned(), AssignmentAction.CheckIn, "", T0);
        Assert.Equal((OutcomeKind.Conflict, "assignment.status", AssignmentStatus.Assigned), (early.Kind, early.Code, early.Value!.Status));
        Assert.Equal("「待接受」的任务不能到岗签到。", early.Message);
        Assert.Equal(OutcomeKind.Conflict, AssignmentWorkflow.Apply(Assigned(), AssignmentAction.CheckOut, "", T0).Kind);
        var accepted = Do(Assigned(), AssignmentAction.Accept, T0);
        Assert.Equal(OutcomeKind.Invalid, AssignmentWorkflow.Apply(accepted, AssignmentAction.Complete, " ", T0).Kind);
        var done = Do(accepted, AssignmentAction.Complete, T0, "完成");
        Assert.Equal(OutcomeKind.Conflict, AssignmentWorkflow.Apply(done, AssignmentAction.Complete, "again", T0).Kind);
        Assert.Equal(OutcomeKind.Conflict, AssignmentWorkflow.Apply(done, AssignmentAction.Cancel, "", T0).Kind);
        Assert.True(accepted.IsOverdueAt(T0.AddDays(2)));
        Assert.False(done.IsOverdueAt(T0.AddDays(2)));
    }

    [Fact]
    public void Households_needing_care_get_the_shortest_interval_of_their_tags()
    {
        Assert.Equal(7, VisitRule.IntervalDays([HouseholdTags.Hardship, HouseholdTags.ElderlyAlone]));
        Assert.Equal(30, VisitRule.IntervalDays([HouseholdTags.Hardship, HouseholdTags.Rental]));
        Assert.Null(VisitRule.IntervalDays([HouseholdTags.Rental]));
    }
}
