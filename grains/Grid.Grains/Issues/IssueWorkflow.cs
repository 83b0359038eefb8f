using System.Collections.Immutable;
using Grid.Contracts;

namespace Grid.Grains.Issues;

/// <summary>What the workflow needs to know besides the issue and the command.</summary>
public sealed record WorkflowContext(DateTimeOffset Now, TimeSpan ReopenWindow, int WhistleResponseHours = 24);

/// <summary>
/// The closed loop of an issue as a pure function: given the issue, a command and the time,
/// the next issue or the reason why not. Who may ask is decided before (by role and scope);
/// this decides whether the step applies now.
/// </summary>
public static class IssueWorkflow
{
    public const int MaxNote = 1000;

    /// <summary>The statuses from which each path action applies.</summary>
    public static readonly ImmutableDictionary<IssueAction, ImmutableArray<IssueStatus>> AllowedFrom = new Dictionary<IssueAction, ImmutableArray<IssueStatus>>
    {
        [IssueAction.Accept] = [IssueStatus.Reported],
        [IssueAction.Reject] = [IssueStatus.Reported],
        [IssueAction.Dispatch] = [IssueStatus.Accepted, IssueStatus.Dispatched, IssueStatus.InProgress],
        [IssueAction.Start] = [IssueStatus.Dispatched],
        [IssueAction.Resolve] = [IssueStatus.InProgress],
        [IssueAction.Verify] = [IssueStatus.Resolved],
        [IssueAction.Reopen] = [IssueStatus.Closed],
        [IssueAction.Rate] = [IssueStatus.Closed],
        [IssueAction.Whistle] = [IssueStatus.Accepted, IssueStatus.Dispatched, IssueStatus.InProgress],
        [IssueAction.OrganReport] = [IssueStatus.Accepted, IssueStatus.Dispatched, IssueStatus.InProgress, IssueStatus.Resolved],
        [IssueAction.Escalate] = [IssueStatus.Accepted, IssueStatus.Dispatched, IssueStatus.InProgress, IssueStatus.Resolved],
    }.ToImmutableDictionary();

    /// <summary>A new issue from a report; on-the-spot reports arrive already resolved by the reporter.</summary>
    public static IssueRecord Report(string id, IssueReport report, IssueCategory category, string reportedBy, string reporterName, DateTimeOffset now)
    {
        var reported = new IssueHistoryEntry { Seq = 1, AtUtc = now, Actor = reportedBy, Action = IssueAction.Report, ToStatus = IssueStatus.Reported };
        var issue = new IssueRecord
        {
            Id = id,
            Report = report,
            CommunityCode = GridCodes.CommunityOf(report.CellCode),
            ReportedBy = reportedBy,
            Status = IssueStatus.Reported,
            Version = 1,
            CreatedUtc = now,
            CategoryName = category.Name,
            HandlingHours = category.HandlingHours,
            History = [reported],
        };
        if (report.ResolveOnSpotNote is not { } note) return issue;

        // 就地解决: still verified by the committee, so it stops at Resolved, on time by construction.
        var self = new Assignee { Kind = AssigneeKind.GridWorker, Id = reportedBy, Name = reporterName };
        var deadline = now.AddHours(category.HandlingHours);
        return issue with
        {
            Status = IssueStatus.Resolved,
            Version = 2,
            Assignee = self,
            DispatchedUtc = now,
            DeadlineUtc = deadline,
            ResolvedUtc = now,
            History = issue.History.Add(new IssueHistoryEntry
            {
                Seq = 2, AtUtc = now, Actor = reportedBy, Action = IssueAction.ResolveOnSpot, FromStatus = IssueStatus.Reported,
                ToStatus = IssueStatus.Resolved, Note = note, DeadlineUtc = deadline, Assignee = self,
            }),
        };
    }

    public static Outcome<IssueRecord> Apply(IssueRecord issue, IssueCommand command, WorkflowContext context)
    {
        if (!AllowedFrom.TryGetValue(command.Action, out var from))
            return Invalid($"「{Label(command.Action)}」不是对已上报诉求的操作。", "action");
        // The status check comes before the version check: of two racing resolves, the loser
        // learns the issue is already resolved (409), which says more than a stale version (412).
        if (!from.Contains(issue.Status))
            return Conflict(issue,
                $"「{Label(issue.Status)}」的诉求不能{Label(command.Action)}；{Label(command.Action)}只适用于{string.Join("、", from.Select(s => $"「{Label(s)}」"))}的诉求。",
                "issue.status");
        if (command.ExpectedVersion is { } expected && expected != issue.Version)
            return Outcome.VersionMismatch($"诉求已更新到第 {issue.Version} 版，不是第 {expected} 版：请刷新后再试。", issue);
        if (command.Note.Length > MaxNote) return Invalid($"说明最多 {MaxNote} 个字符。", "note");

        var now = context.Now;
        var note = command.Note.Trim();
        switch (command.Action)
        {
            case IssueAction.Accept:
                return Step(issue, command, IssueStatus.Accepted, now);

            case IssueAction.Reject:
                if (note.Length == 0) return Invalid("不予立案须在说明中写明理由。", "note");
                return Step(issue, command, IssueStatus.Rejected, now);

            case IssueAction.Dispatch:
                if (command.Assignee is not { } assignee) return Invalid("派遣须指定处置人。", "assignee");
                // The clock starts at the first dispatch; handing over to someone else does not reset it.
                var deadline = issue.Status == IssueStatus.Accepted ? now.AddHours(issue.HandlingHours) : issue.DeadlineUtc;
                return Step(issue with { Assignee = assignee, DispatchedUtc = issue.DispatchedUtc ?? now, DeadlineUtc = deadline },
                    command, IssueStatus.Dispatched, now, deadline, assignee);

            case IssueAction.Start:
                return Step(issue, command, IssueStatus.InProgress, now);

            case IssueAction.Resolve:
                if (note.Length == 0) return Invalid("办结须在说明中写明做了什么。", "note");
                return Step(issue with { ResolvedUtc = now }, command, IssueStatus.Resolved, now);

            case IssueAction.Verify when command.Passed is null:
                return Invalid("核查须说明是否通过（passed：true 或 false）。", "passed");
            case IssueAction.Verify when command.Passed == true:
                return Step(issue with { ClosedUtc = now }, command, IssueStatus.Closed, now);
            case IssueAction.Verify:
                // 返工: back to the same assignee with a fresh handling period.
                if (note.Length == 0) return Invalid("核查不通过须在说明中写明问题。", "note");
                var reworkDeadline = now.AddHours(issue.HandlingHours);
                return Step(issue with { ReworkCount = issue.ReworkCount + 1, ResolvedUtc = null, DeadlineUtc = reworkDeadline, EscalationLevel = 0 },
                    command, IssueStatus.Dispatched, now, reworkDeadline, issue.Assignee);

            case IssueAction.Reopen:
                if (note.Length == 0) return Invalid("重新办理须在说明中写明理由。", "note");
                if (issue.ClosedUtc is { } closed && now - closed > context.ReopenWindow)
                    return Conflict(issue,
                        $"诉求已于 {closed.ToOffset(TimeSpan.FromHours(8)):yyyy-MM-dd HH:mm}（北京时间）结案，结案后 {context.ReopenWindow.TotalDays:0.#} 天内才能重新办理。",
                        "issue.reopen_window");
                var reopenDeadline = now.AddHours(issue.HandlingHours);
                return Step(issue with
                {
                    ReopenCount = issue.ReopenCount + 1,
                    ClosedUtc = null,
                    ResolvedUtc = null,
                    Rating = null,
                    DeadlineUtc = reopenDeadline,
                    EscalationLevel = 0,
                }, command, IssueStatus.Dispatched, now, reopenDeadline, issue.Assignee);

            case IssueAction.Rate:
                if (issue.Rating is not null) return Conflict(issue, "该诉求已评价过。", "issue.rated");
                if (command.Score is not (>= 1 and <= 5)) return Invalid("满意度须为 1 到 5 分。", "score");
                return Step(issue with { Rating = new IssueRating { Score = command.Score.Value, Comment = note, AtUtc = now } }, command, issue.Status, now);

            case IssueAction.Whistle:
                if (string.IsNullOrEmpty(command.OrganCode)) return Invalid("吹哨须指定要召集的单位。", "organCode");
                if (issue.Whistle is { ReportedUtc: null } pending)
                    return Conflict(issue, $"已向单位 {pending.OrganCode} 吹哨，尚未报到。", "issue.whistle_pending");
                return Step(issue with
                {
                    Whistle = new Whistle { OrganCode = command.OrganCode, WhistledUtc = now, ReportByUtc = now.AddHours(context.WhistleResponseHours) },
                }, command, issue.Status, now);

            case IssueAction.OrganReport:
                if (issue.Whistle is not { ReportedUtc: null } whistle)
                    return Conflict(issue, "该诉求没有待报到的吹哨：未吹哨，或单位已报到。", "issue.no_whistle");
                return Step(issue with { Whistle = whistle with { ReportedUtc = now, ReportedBy = command.Actor } }, command, issue.Status, now);

            case IssueAction.Escalate:
                var level = Math.Max(issue.EscalationLevel, EscalationLevelAt(issue, now));
                var whistleLate = WhistleOverdueAt(issue, now) && issue.Whistle is { Overdue: false };
                if (level == issue.EscalationLevel && !whistleLate)
                    return Conflict(issue, "该诉求没有（新的）超期。", "issue.not_overdue");
                var why = level > issue.EscalationLevel
                    ? (level == 1 ? "超期督办：已过处置期限" : "提级督办：超期后又过一个处置周期仍未办结")
                    : $"吹哨未报到：单位 {issue.Whistle!.OrganCode} 未按时报到";
                return Step(issue with { EscalationLevel = level, Whistle = whistleLate ? issue.Whistle! with { Overdue = true } : issue.Whistle },
                    command with { Note = why }, issue.Status, now);

            default:
                return Invalid($"「{Label(command.Action)}」不是对已上报诉求的操作。", "action");
        }
    }

    /// <summary>1 once the deadline has passed; 2 once a whole further handling period has passed too.</summary>
    public static int EscalationLevelAt(IssueRecord issue, DateTimeOffset now)
    {
        if (issue.Status is not (IssueStatus.Dispatched or IssueStatus.InProgress) || issue.DeadlineUtc is not { } deadline || now < deadline) return 0;
        return now >= deadline.AddHours(issue.HandlingHours) ? 2 : 1;
    }

    /// <summary>Whether the organ called in by a whistle has let its report-by time pass.</summary>
    public static bool WhistleOverdueAt(IssueRecord issue, DateTimeOffset now) =>
        issue.IsOpen && issue.Whistle is { ReportedUtc: null } w && now >= w.ReportByUtc;

    public static string Name(IssueAction action) => action switch
    {
        IssueAction.OrganReport => "organ-report",
        IssueAction.ResolveOnSpot => "resolve-on-spot",
        _ => action.ToString().ToLowerInvariant(),
    };

    public static string Name(IssueStatus status) => status == IssueStatus.InProgress ? "in_progress" : status.ToString().ToLowerInvariant();

    /// <summary>A status as the pages show it.</summary>
    public static string Label(IssueStatus status) => status switch
    {
        IssueStatus.Reported => "待受理",
        IssueStatus.Accepted => "已立案",
        IssueStatus.Rejected => "不予立案",
        IssueStatus.Dispatched => "已派遣",
        IssueStatus.InProgress => "处置中",
        IssueStatus.Resolved => "待核查",
        _ => "已结案",
    };

    /// <summary>An action as the ticker and the refusals name it: 「已结案」的诉求不能立案.</summary>
    public static string Label(IssueAction action) => action switch
    {
        IssueAction.Report => "上报",
        IssueAction.Accept => "立案",
        IssueAction.Reject => "不予立案",
        IssueAction.Dispatch => "派遣",
        IssueAction.Start => "开始处置",
        IssueAction.Resolve => "办结",
        IssueAction.Verify => "核查",
        IssueAction.Reopen => "重新办理",
        IssueAction.Rate => "评价",
        IssueAction.Whistle => "吹哨",
        IssueAction.OrganReport => "报到",
        IssueAction.Escalate => "督办",
        _ => "就地解决",
    };

    private static Outcome<IssueRecord> Step(IssueRecord issue, IssueCommand command, IssueStatus to, DateTimeOffset now,
        DateTimeOffset? deadline = null, Assignee? assignee = null)
    {
        var entry = new IssueHistoryEntry
        {
            Seq = issue.History.Length + 1,
            AtUtc = now,
            Actor = command.Actor,
            Action = command.Action,
            FromStatus = issue.Status,
            ToStatus = to,
            Note = command.Note.Trim(),
            DeadlineUtc = deadline,
            Assignee = assignee,
            Score = command.Action == IssueAction.Rate ? command.Score : null,
        };
        return Outcome.Done(issue with { Status = to, Version = issue.Version + 1, History = issue.History.Add(entry) });
    }

    private static Outcome<IssueRecord> Invalid(string message, string field) => Outcome.Invalid<IssueRecord>(field, message);

    /// <summary>Refused in the issue's current state; the issue goes back so the caller can say where it stands.</summary>
    private static Outcome<IssueRecord> Conflict(IssueRecord issue, string message, string code) => Outcome.Conflict(message, issue, code);
}
