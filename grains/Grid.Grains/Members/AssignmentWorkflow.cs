using System.Collections.Immutable;
using Grid.Contracts;

namespace Grid.Grains.Members;

/// <summary>
/// An assignment's steps: the member accepts, checks in and out on site (service time counts
/// from these), and completes with a note. Completing while on site checks out first.
/// </summary>
public static class AssignmentWorkflow
{
    public static readonly ImmutableDictionary<AssignmentAction, ImmutableArray<AssignmentStatus>> AllowedFrom = new Dictionary<AssignmentAction, ImmutableArray<AssignmentStatus>>
    {
        [AssignmentAction.Accept] = [AssignmentStatus.Assigned],
        [AssignmentAction.CheckIn] = [AssignmentStatus.Accepted, AssignmentStatus.CheckedOut],
        [AssignmentAction.CheckOut] = [AssignmentStatus.CheckedIn],
        [AssignmentAction.Complete] = [AssignmentStatus.Accepted, AssignmentStatus.CheckedIn, AssignmentStatus.CheckedOut],
        [AssignmentAction.Cancel] = [AssignmentStatus.Assigned, AssignmentStatus.Accepted, AssignmentStatus.CheckedOut],
    }.ToImmutableDictionary();

    /// <summary>A single stretch on site is capped, so a forgotten check-out does not book a week of service.</summary>
    public static readonly TimeSpan MaxSpan = TimeSpan.FromHours(12);

    public static Outcome<AssignmentRecord> Apply(AssignmentRecord a, AssignmentAction action, string note, DateTimeOffset now, int? expectedVersion = null)
    {
        if (!AllowedFrom[action].Contains(a.Status))
            return Outcome.Conflict($"「{Label(a.Status)}」的任务不能{Label(action)}。", a, "assignment.status");
        if (expectedVersion is { } v && v != a.Version)
            return Outcome.VersionMismatch($"任务已更新到第 {a.Version} 版，不是第 {v} 版：请刷新后再试。", a);

        var next = action switch
        {
            AssignmentAction.Accept => a with { Status = AssignmentStatus.Accepted },
            AssignmentAction.CheckIn => a with { Status = AssignmentStatus.CheckedIn, Spans = a.Spans.Add(new ServiceSpan { InUtc = now }) },
            AssignmentAction.CheckOut => CloseSpan(a, now) with { Status = AssignmentStatus.CheckedOut },
            AssignmentAction.Complete when string.IsNullOrWhiteSpace(note) => null,
            AssignmentAction.Complete => CloseSpan(a, now) with { Status = AssignmentStatus.Completed, CompletionNote = note.Trim(), CompletedUtc = now },
            _ => a with { Status = AssignmentStatus.Cancelled, CompletionNote = note.Trim() },
        };
        if (next is null) return Outcome.Invalid<AssignmentRecord>("note", "完成任务须在说明中写明做了什么。");
        return Outcome.Done(next with { Version = a.Version + 1 });
    }

    private static AssignmentRecord CloseSpan(AssignmentRecord a, DateTimeOffset now)
    {
        if (a.Status != AssignmentStatus.CheckedIn) return a;
        var open = a.Spans[^1];
        var end = now - open.InUtc > MaxSpan ? open.InUtc + MaxSpan : now;
        return a with { Spans = a.Spans.SetItem(a.Spans.Length - 1, open with { OutUtc = end }) };
    }

    public static string Name(AssignmentAction action) => action switch
    {
        AssignmentAction.CheckIn => "check-in",
        AssignmentAction.CheckOut => "check-out",
        _ => action.ToString().ToLowerInvariant(),
    };

    public static string Name(AssignmentStatus status) => System.Text.Json.JsonNamingPolicy.SnakeCaseLower.ConvertName(status.ToString());

    public static string Label(AssignmentAction action) => action switch
    {
        AssignmentAction.Accept => "接受",
        AssignmentAction.CheckIn => "到岗签到",
        AssignmentAction.CheckOut => "离岗签退",
        AssignmentAction.Complete => "完成",
        _ => "取消",
    };

    public static string Label(AssignmentStatus status) => status switch
    {
        AssignmentStatus.Assigned => "待接受",
        AssignmentStatus.Accepted => "已接受",
        AssignmentStatus.CheckedIn => "在岗",
        AssignmentStatus.CheckedOut => "已签退",
        AssignmentStatus.Completed => "已完成",
        _ => "已取消",
    };
}
