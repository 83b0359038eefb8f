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

    public static IssueResult Apply(IssueRecord issue, IssueCommand command, WorkflowContext context)
    {
        if (!AllowedFrom.TryGetValue(command.Action, out var from))
            return Invalid($"'{command.Action}' is not an action on an existing issue.", "action");
        // The status check comes before the version check: of two racing resolves, the loser
        // learns the issue is already resolved (409), which says more than a stale version (412).
        if (!from.Contains(issue.Status))
            return new IssueResult
            {
                Outcome = IssueOutcome.NotAllowed,
                Issue = issue,
                Message = $"Cannot {Name(command.Action)} an issue that is {Name(issue.Status)}; {Name(command.Action)} applies to {string.Join(", ", from.Select(Name))}.",
            };
        if (command.ExpectedVersion is { } expected && expected != issue.Version)
            return new IssueResult { Outcome = IssueOutcome.VersionMismatch, Issue = issue, Message = $"The issue is at version {issue.Version}, not {expected}; reload it and try again." };
        if (command.Note.Length > MaxNote) return Invalid($"The note may be at most {MaxNote} characters.", "note");

        var now = context.Now;
        var note = command.Note.Trim();
        switch (command.Action)
        {
            case IssueAction.Accept:
                return Step(issue, command, IssueStatus.Accepted, now);

            case IssueAction.Reject:
                if (note.Length == 0) return Invalid("Rejecting (不予立案) needs a reason in note.", "note");
                return Step(issue, command, IssueStatus.Rejected, now);

            case IssueAction.Dispatch:
                if (command.Assignee is not { } assignee) return Invalid("Dispatch needs an assignee.", "assignee");
                // The clock starts at the first dispatch; handing over to someone else does not reset it.
                var deadline = issue.Status == IssueStatus.Accepted ? now.AddHours(issue.HandlingHours) : issue.DeadlineUtc;
                return Step(issue with { Assignee = assignee, DispatchedUtc = issue.DispatchedUtc ?? now, DeadlineUtc = deadline },
                    command, IssueStatus.Dispatched, now, deadline, assignee);

            case IssueAction.Start:
                return Step(issue, command, IssueStatus.InProgress, now);

            case IssueAction.Resolve:
                if (note.Length == 0) return Invalid("Resolving needs a note of what was done.", "note");
                return Step(issue with { ResolvedUtc = now }, command, IssueStatus.Resolved, now);

            case IssueAction.Verify when command.Passed is null:
                return Invalid("Verify needs passed: true or false.", "passed");
            case IssueAction.Verify when command.Passed == true:
                return Step(issue with { ClosedUtc = now }, command, IssueStatus.Closed, now);
            case IssueAction.Verify:
                // 返工: back to the same assignee with a fresh handling period.
                if (note.Length == 0) return Invalid("A failed verification needs a note of what is wrong.", "note");
                var reworkDeadline = now.AddHours(issue.HandlingHours);
                return Step(issue with { ReworkCount = issue.ReworkCount + 1, ResolvedUtc = null, DeadlineUtc = reworkDeadline, EscalationLevel = 0 },
                    command, IssueStatus.Dispatched, now, reworkDeadline, issue.Assignee);

            case IssueAction.Reopen:
                if (note.Length == 0) return Invalid("Reopening needs a reason in note.", "note");
                if (issue.ClosedUtc is { } closed && now - closed > context.ReopenWindow)
                    return new IssueResult
                    {
                        Outcome = IssueOutcome.NotAllowed, Issue = issue,
                        Message = $"The issue was closed at {closed:u}; it can be reopened only within {context.ReopenWindow.TotalDays:0.#} days.",
                    };
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
                if (issue.Rating is not null) return new IssueResult { Outcome = IssueOutcome.NotAllowed, Issue = issue, Message = "The issue has already been rated." };
                if (command.Score is not (>= 1 and <= 5)) return Invalid("The score (满意度) must be 1 to 5.", "score");
                return Step(issue with { Rating = new IssueRating { Score = command.Score.Value, Comment = note, AtUtc = now } }, command, issue.Status, now);

            case IssueAction.Whistle:
                if (string.IsNullOrEmpty(command.OrganCode)) return Invalid("Whistle needs the organ to call in.", "organCode");
                if (issue.Whistle is { ReportedUtc: null } pending)
                    return new IssueResult { Outcome = IssueOutcome.NotAllowed, Issue = issue, Message = $"Organ {pending.OrganCode} has been whistled and has not reported yet." };
                return Step(issue with
                {
                    Whistle = new Whistle { OrganCode = command.OrganCode, WhistledUtc = now, ReportByUtc = now.AddHours(context.WhistleResponseHours) },
                }, command, issue.Status, now);

            case IssueAction.OrganReport:
                if (issue.Whistle is not { ReportedUtc: null } whistle)
                    return new IssueResult { Outcome = IssueOutcome.NotAllowed, Issue = issue, Message = "No organ has been whistled on this issue, or it has already reported." };
                return Step(issue with { Whistle = whistle with { ReportedUtc = now, ReportedBy = command.Actor } }, command, issue.Status, now);

            case IssueAction.Escalate:
                var level = Math.Max(issue.EscalationLevel, EscalationLevelAt(issue, now));
                var whistleLate = WhistleOverdueAt(issue, now) && issue.Whistle is { Overdue: false };
                if (level == issue.EscalationLevel && !whistleLate)
                    return new IssueResult { Outcome = IssueOutcome.NotAllowed, Issue = issue, Message = "Nothing about the issue is (further) overdue." };
                var why = level > issue.EscalationLevel
                    ? (level == 1 ? "超期督办: past its deadline" : "提级督办: still open a handling period after its deadline")
                    : $"吹哨未报到: organ {issue.Whistle!.OrganCode} did not report in time";
                return Step(issue with { EscalationLevel = level, Whistle = whistleLate ? issue.Whistle! with { Overdue = true } : issue.Whistle },
                    command with { Note = why }, issue.Status, now);

            default:
                return Invalid($"'{command.Action}' is not an action on an existing issue.", "action");
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

    private static IssueResult Step(IssueRecord issue, IssueCommand command, IssueStatus to, DateTimeOffset now,
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
        return new IssueResult
        {
            Outcome = IssueOutcome.Done,
            Issue = issue with { Status = to, Version = issue.Version + 1, History = issue.History.Add(entry) },
        };
    }

    private static IssueResult Invalid(string message, string field) =>
        new() { Outcome = IssueOutcome.Invalid, Message = message, Field = field };
}
