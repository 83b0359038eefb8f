using System.Collections.Immutable;
using Grid.Api.Auth;
using Grid.Contracts;

namespace Grid.Api.Issues;

/// <summary>An issue as a caller may see it: the reporting resident's name and phone masked unless needed.</summary>
public sealed record IssueResponse(
    string Id, string CommunityCode, string CellCode, string CategoryCode, string CategoryName, string Title, string Description,
    GeoPoint? Location, string? HouseholdId, string Source, string ReporterName, string ReporterPhone, string ReportedBy,
    IssueStatus Status, int Version, Assignee? Assignee, DateTimeOffset? DispatchedUtc, DateTimeOffset? DeadlineUtc,
    bool Overdue, int EscalationLevel, int ReworkCount, int ReopenCount, IssueRating? Rating, Whistle? Whistle,
    ImmutableArray<IssuePhoto> Photos, ImmutableArray<IssueHistoryEntry> History,
    DateTimeOffset CreatedUtc, DateTimeOffset? ResolvedUtc, DateTimeOffset? ClosedUtc, bool Masked)
{
    public static IssueResponse For(IssueRecord r, Caller caller, DateTimeOffset now)
    {
        var full = caller.CanSeeResidents(r.Report.CellCode) || caller.Username == r.ReportedBy;
        return new IssueResponse(
            r.Id, r.CommunityCode, r.Report.CellCode, r.Report.CategoryCode, r.CategoryName, r.Report.Title, r.Report.Description,
            r.Report.Location, r.Report.HouseholdId, r.Report.Source,
            full ? r.Report.ReporterName : PersonalData.MaskName(r.Report.ReporterName),
            full ? r.Report.ReporterPhone : PersonalData.MaskPhone(r.Report.ReporterPhone),
            r.ReportedBy, r.Status, r.Version, r.Assignee, r.DispatchedUtc, r.DeadlineUtc,
            r.IsOpen && r.Status is IssueStatus.Dispatched or IssueStatus.InProgress && r.DeadlineUtc <= now,
            r.EscalationLevel, r.ReworkCount, r.ReopenCount, r.Rating, r.Whistle, r.Photos, r.History,
            r.CreatedUtc, r.ResolvedUtc, r.ClosedUtc, Masked: !full);
    }
}

/// <summary>The caller's open issues, their assignments, and (for members) the activity reminders they received (newest first).</summary>
public sealed record InboxResponse(ImmutableArray<IssueSummary> Items, ImmutableArray<Members.AssignmentResponse> Assignments, ImmutableArray<ReminderNotice> Reminders);
