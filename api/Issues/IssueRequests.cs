using Grid.Api.Directory;
using Grid.Api.Problems;
using Grid.Contracts;

namespace Grid.Api.Issues;

public sealed record ResolveOnSpotRequest(string? Note);

public sealed record ReportIssueRequest(
    string? CellCode, string? CategoryCode, string? Title, string? Description, GeoPointRequest? Location, string? HouseholdId,
    string? ReporterName, string? ReporterPhone, ResolveOnSpotRequest? ResolveOnSpot);

public sealed record AssigneeRequest(AssigneeKind? Kind, string? Id);

/// <summary>The body of POST /api/issues/{id}/{action}; each action reads the fields it needs.</summary>
public sealed record IssueActionRequest(string? Note, AssigneeRequest? Assignee, bool? Passed, int? Score, string? OrganCode);

public static class IssueRequestValidation
{
    public static IssueReport? Validate(ReportIssueRequest? r, string source, FieldErrors errors)
    {
        if (r is null) { errors.Add("body", "请求体不能为空：须是一条诉求。"); return null; }
        var cell = errors.Id<CellCode>("cellCode", r.CellCode);
        errors.Text("categoryCode", r.CategoryCode, 20);
        errors.Text("title", r.Title, 100);
        errors.Text("description", r.Description, 2000, required: false, multiline: true);
        errors.Text("reporterName", r.ReporterName, 50, required: false);
        errors.AddIf(!string.IsNullOrEmpty(r.ReporterPhone) && !PersonalData.IsPhone(r.ReporterPhone), "reporterPhone",
            "应为大陆手机号或固定电话，例如 0572-3012345。");
        if (r.HouseholdId is not null && errors.Id<HouseholdId>("householdId", r.HouseholdId) is { } household)
            errors.AddIf(household.Cell != cell, "householdId", "须是同一网格的住户。");
        var location = r.Location is null ? null : RequestValidation.Point(r.Location, "location", errors);
        if (r.ResolveOnSpot is not null) errors.Text("resolveOnSpot.note", r.ResolveOnSpot.Note, 1000, multiline: true);
        return errors.Any ? null : new IssueReport
        {
            CellCode = cell!.Value.Value,
            CategoryCode = r.CategoryCode!.Trim(),
            Title = r.Title!.Trim(),
            Description = r.Description?.Trim() ?? "",
            Location = location,
            HouseholdId = r.HouseholdId,
            Source = source,
            ReporterName = r.ReporterName?.Trim() ?? "",
            ReporterPhone = r.ReporterPhone ?? "",
            ResolveOnSpotNote = r.ResolveOnSpot?.Note?.Trim(),
        };
    }

    /// <summary>Path names of the actions; organ-report also as organ_report.</summary>
    public static IssueAction? ParseAction(string action) => action.ToLowerInvariant() switch
    {
        "accept" => IssueAction.Accept,
        "reject" => IssueAction.Reject,
        "dispatch" => IssueAction.Dispatch,
        "start" => IssueAction.Start,
        "resolve" => IssueAction.Resolve,
        "verify" => IssueAction.Verify,
        "reopen" => IssueAction.Reopen,
        "rate" => IssueAction.Rate,
        "whistle" => IssueAction.Whistle,
        "organ-report" or "organ_report" => IssueAction.OrganReport,
        _ => null,
    };

    public const string ActionNames = "accept, reject, dispatch, start, resolve, verify, reopen, rate, whistle, organ-report";
}
