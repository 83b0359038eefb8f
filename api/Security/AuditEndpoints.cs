using System.Text;
using Grid.Api.Auth;
using Grid.Api.Problems;
using Grid.Contracts;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Grid.Api.Security;

public static class AuditEndpoints
{
    public const int MaxEntries = 1000;

    public static void MapAuditEndpoints(this IEndpointRouteBuilder api)
    {
        api.MapGet("/audit", Query).WithTags("Audit").RequireAuthorization(p => p.RequireRole(Roles.Admin))
            .WithSummary("The audit trail, newest first (admin): ?user=, ?from=, ?to= (ISO 8601), ?limit= (≤ 1000).");
        api.MapGet("/communities/{code}/households/export", Export).WithTags("Audit").RequireAuthorization(p => p.RequireRole(Roles.Admin))
            .WithSummary("Export the community's households with residents' full personal data as CSV (admin; audited).");
    }

    private static async Task<IResult> Query(string? user, DateTimeOffset? from, DateTimeOffset? to, int? limit, IAuditLog audit)
    {
        var errors = new FieldErrors();
        errors.AddIf(limit is < 1 or > MaxEntries, "limit", $"须为 1～{MaxEntries}。");
        errors.AddIf(from > to, "from", "不能晚于 to。");
        errors.Text("user", user, 64, required: false);
        if (errors.Any) return errors.ToProblem();
        return TypedResults.Ok(await audit.Query(new AuditQuery(user, from, to, limit ?? 100)));
    }

    /// <summary>CSV with the same columns as the household import, so an export can be re-imported.</summary>
    private static async Task<IResult> Export(string code, HttpContext http, IGrainFactory grains, IAuditLog audit, Caller caller)
    {
        if (GridCodes.CommunityCodeError(code) is { } error) return Problem.Invalid("code", error);
        var community = await grains.GetGrain<ICommunityGrain>(code).Get();
        if (community is null) return Problem.NotFound($"社区 {code} 不存在。");
        var csv = new StringBuilder("cell_code,address,tags,resident_name,resident_phone,resident_id_number,resident_relation\n");
        var households = 0;
        foreach (var cell in community.CellCodes)
        {
            foreach (var id in (await grains.GetGrain<IGridCellGrain>(cell).HouseholdIdsByAddress()).Values.Order(StringComparer.Ordinal))
            {
                if (await grains.GetGrain<IHouseholdGrain>(id).Get() is not { } h) continue;
                households++;
                var tags = string.Join(';', h.Definition.Tags);
                if (h.Definition.Residents.IsEmpty) csv.AppendLine(Row(cell, h.Definition.Address, tags, "", "", "", ""));
                foreach (var r in h.Definition.Residents) csv.AppendLine(Row(cell, h.Definition.Address, tags, r.Name, r.Phone, r.IdNumber, r.Relation));
            }
        }
        await audit.Record(new AuditEntry(DateTimeOffset.UtcNow, caller.Username, caller.Role, "GET", http.Request.Path.Value ?? "",
            "/api/communities/{code}/households/export", StatusCodes.Status200OK, http.Connection.RemoteIpAddress?.ToString() ?? "local", 0,
            $"exported personal data of {households} households of community {code}"));
        return TypedResults.File(Encoding.UTF8.GetPreamble().Concat(Encoding.UTF8.GetBytes(csv.ToString())).ToArray(), "text/csv; charset=utf-8", $"households-{code}.csv");
    }

    private static string Row(params string[] fields) => string.Join(',', fields.Select(Quote));

    private static string Quote(string field) => field.IndexOfAny([',', '"', '\n', '\r']) >= 0 ? $"\"{field.Replace("\"", "\"\"")}\"" : field;
}
