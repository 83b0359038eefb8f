using Grid.Api.Issues;
using Grid.Contracts;
using Grid.Grains.Issues;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;

namespace Grid.Api.Open311;

/// <summary>
/// Open311 GeoReport v2 (JSON) over Grid's categories and issues, for civic-reporting apps:
/// services are category subclasses, service requests are issues. Outside /api, anonymous to
/// Grid's JWT policy and guarded by <see cref="Open311ApiKeyFilter"/> instead; errors in Open311's
/// own format (<see cref="Open311Errors"/>).
/// </summary>
public static class Open311Endpoints
{
    public const string Prefix = "/open311/v2";
    /// <summary>GeoReport's suggested bounds for a listing: at most 1000 requests, at most 90 days.</summary>
    public const int MaxResults = 1000;
    public static readonly TimeSpan MaxSpan = TimeSpan.FromDays(90);
    /// <summary>How many service_request_id values one GET may ask for.</summary>
    public const int MaxIds = 100;

    public static IServiceCollection AddOpen311(this IServiceCollection services)
    {
        services.AddOptions<Open311Options>().BindConfiguration(Open311Options.Section).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<Open311Options>, Open311OptionsValidator>());
        services.AddSingleton<Open311Clients>();
        services.AddSingleton<Open311Cells>();
        return services;
    }

    public static void MapOpen311Endpoints(this IEndpointRouteBuilder app)
    {
        var v2 = app.MapGroup(Prefix).WithTags("Open311").AllowAnonymous().AddEndpointFilter<Open311ApiKeyFilter>();
        v2.MapGet("/services.{format}", Services)
            .WithSummary("GeoReport v2 services: one per category subclass, grouped by class. Needs api_key.");
        v2.MapPost("/requests.{format}", Post)
            .RequireRateLimiting(Security.RateLimits.Report)
            .WithSummary("GeoReport v2: report a service request (form-encoded: api_key, service_code, lat, long, description, …) in the cell containing lat/long. " +
                         "Send an Idempotency-Key header: retries with the same key never create two issues.");
        v2.MapGet("/requests.{format}", List)
            .WithSummary("GeoReport v2 service requests: by service_request_id (comma-separated), or by service_code, status (open, closed), start_date and end_date " +
                         "(at most 90 days, default the last 90), at most 1000, newest first. Needs api_key.");
        v2.MapGet("/requests/{id}.{format}", Get).WithSummary("GeoReport v2: one service request. Needs api_key.");
        app.MapMethods("/open311/{**rest}", [HttpMethods.Get, HttpMethods.Post], () => Open311Errors.NotFound(
                $"没有这个 Open311 资源。Grid 以 JSON 提供 GeoReport v2：{Prefix}/services.json、{Prefix}/requests.json 和 {Prefix}/requests/{{id}}.json。"))
            .AllowAnonymous().ExcludeFromDescription();
    }

    private static bool IsJson(string format) => string.Equals(format, "json", StringComparison.OrdinalIgnoreCase);

    private static ICategoryCatalogGrain Catalog(IGrainFactory grains) => grains.GetGrain<ICategoryCatalogGrain>(ICategoryCatalogGrain.Key);

    private static async Task<IResult> Services(string format, IGrainFactory grains)
    {
        if (!IsJson(format)) return Open311Errors.JsonOnly(format);
        var all = await Catalog(grains).All();
        var classes = all.Where(c => c.ParentCode is null).ToDictionary(c => c.Code);
        return Open311Json.Result(all.Where(c => c.ParentCode is not null).OrderBy(c => c.Code, StringComparer.Ordinal)
            .Select(c => Open311Mapping.Service(c, classes.GetValueOrDefault(c.ParentCode!))).ToArray());
    }

    private static async Task<IResult> Post(string format, HttpContext http, IGrainFactory grains, Open311Cells cells, TimeProvider clock)
    {
        if (!IsJson(format)) return Open311Errors.JsonOnly(format);
        if (!http.Request.HasFormContentType)
            return Open311Errors.BadRequest("请按 GeoReport v2 的规定以表单（application/x-www-form-urlencoded）提交。");
        var (form, formError) = await Open311Form.Read(http);
        if (formError is not null) return formError;
        string? Field(string name) => form![name] is { Count: > 0 } v ? v.ToString() : null;
        var client = Open311Client.Of(http);
        var serviceCode = Field("service_code")?.Trim() ?? "";
        if (serviceCode.Length == 0) return Open311Errors.BadRequest($"service_code 必填；GET {Prefix}/services.json 列出可用的服务。");
        var (point, pointError) = Open311Mapping.Point(Field("lat"), Field("long"));
        if (point is not { } position) return Open311Errors.BadRequest(pointError!);
        var cell = await cells.Containing(position);
        if (cell is null)
            return Open311Errors.BadRequest($"位置 lat={position.Lat}, long={position.Lng} 不在任何网格内：Grid 只受理网格内的请求。");
        if (!client.Serves(cell.CommunityCode))
            return Open311Errors.Forbidden($"该位置在{cell.Place.CommunityName}（{cell.CommunityCode}），不在本应用上报的社区范围内。");

        // The category's name titles a request without a description; whether the code is a service at all is the intake's decision.
        var category = await Catalog(grains).Find(serviceCode);
        var submission = new Open311Submission(Field("description"), Field("address_string"), Field("first_name"), Field("last_name"), Field("phone"));
        var (report, reportError) = Open311Mapping.Report(submission, cell.CellCode, serviceCode, category?.Name ?? "", position);
        if (report is null) return Open311Errors.BadRequest(reportError!);

        var key = http.Request.Headers[IssueEndpoints.IdempotencyKeyHeader].ToString();
        var outcome = await grains.IssueIntake().Report(report, new IssueReporter(client.ReportedBy, client.Name), key.Length > 0 ? key : null);
        if (outcome is not { Succeeded: true, Value: { } issue })
            return outcome.Field == "categoryCode"
                ? Open311Errors.BadRequest($"没有服务「{Shorten(serviceCode)}」（service_code）；GET {Prefix}/services.json 列出可用的服务。")
                : Open311Errors.For(outcome);

        http.Response.Headers.Location = $"{Prefix}/requests/{issue.Id}.json";
        var notice = $"已上报至{cell.Place.Address}，社区立案后派遣处置，派遣后 {issue.HandlingHours} 小时内处置。";
        return Open311Json.Result(new[] { new Open311Created(issue.Id, notice, AccountId: null) }, StatusCodes.Status201Created);
    }

    private static async Task<IResult> List(string format, HttpContext http, IGrainFactory grains, IIssueLedger ledger, Open311Cells cells, TimeProvider clock)
    {
        if (!IsJson(format)) return Open311Errors.JsonOnly(format);
        var client = Open311Client.Of(http);
        var query = http.Request.Query;

        // service_request_id overrides every other argument, as the spec says.
        var ids = Split(query["service_request_id"]);
        if (ids.Count > 0)
        {
            if (ids.Count > MaxIds) return Open311Errors.BadRequest($"一次最多查询 {MaxIds} 个 service_request_id。");
            var issueIds = new List<IssueId>();
            foreach (var id in ids)
            {
                if (!GridId.TryParse<IssueId>(id, out var issueId)) return BadRequestId(id);
                issueIds.Add(issueId);
            }
            var found = await Task.WhenAll(issueIds.Select(id => grains.Issue(id).Get()));
            var visible = found.OfType<IssueRecord>().Where(i => client.Serves(i.CommunityCode)).OrderByDescending(i => i.CreatedUtc);
            return Open311Json.Result(await Task.WhenAll(visible.Select(async i => Open311Mapping.Request(i, await cells.PlaceOf(i.Report.CellCode)))));
        }

        IReadOnlyCollection<IssueStatus>? statuses = null;
        var statusValues = Split(query["status"]);
        if (statusValues.Count > 0)
        {
            var wanted = new HashSet<IssueStatus>();
            foreach (var value in statusValues)
            {
                if (Open311Mapping.Statuses(value) is not { } some) return Open311Errors.BadRequest("status 应为 open 或 closed（或两者，用逗号分隔）。");
                wanted.UnionWith(some);
            }
            statuses = wanted;
        }

        IReadOnlyCollection<string>? codes = null;
        var codeValues = Split(query["service_code"]);
        if (codeValues.Count > 0)
        {
            var services = (await Catalog(grains).All()).Where(c => c.ParentCode is not null).Select(c => c.Code).ToHashSet(StringComparer.Ordinal);
            if (codeValues.FirstOrDefault(c => !services.Contains(c)) is { } unknown)
                return Open311Errors.BadRequest($"没有服务「{Shorten(unknown)}」（service_code）；GET {Prefix}/services.json 列出可用的服务。");
            codes = codeValues;
        }

        var startText = query["start_date"].ToString();
        var endText = query["end_date"].ToString();
        var start = Open311Mapping.ParseTime(startText);
        var end = Open311Mapping.ParseTime(endText);
        if (startText.Length > 0 && start is null) return Open311Errors.BadRequest("start_date 应为 ISO 8601 日期时间，例如 2026-03-01T00:00:00+08:00。");
        if (endText.Length > 0 && end is null) return Open311Errors.BadRequest("end_date 应为 ISO 8601 日期时间，例如 2026-03-31T23:59:59+08:00。");
        if (start > end) return Open311Errors.BadRequest("end_date 早于 start_date。");
        if (end - start > MaxSpan) return Open311Errors.BadRequest($"start_date 与 end_date 相隔不能超过 {MaxSpan.TotalDays:0} 天。");
        // end_date is the latest time included; the ledger's range excludes its end.
        var now = clock.GetUtcNow();
        var to = end?.AddTicks(1) ?? start?.Add(MaxSpan) ?? now.AddMinutes(1);
        var from = start ?? to - MaxSpan;

        var communities = client.CommunityCodes.IsEmpty
            ? await grains.GetGrain<IDirectoryGrain>(IDirectoryGrain.RootKey).CommunityCodes()
            : client.CommunityCodes;
        var lists = await Task.WhenAll(communities.Select(c => ledger.CommunityIssuesReportedBetween(c, from, to, statuses, codes, MaxResults)));
        var newest = lists.SelectMany(l => l).OrderByDescending(s => s.CreatedUtc).ThenByDescending(s => s.Id, StringComparer.Ordinal).Take(MaxResults);
        return Open311Json.Result(await Task.WhenAll(newest.Select(async s => Open311Mapping.Request(s, await cells.PlaceOf(s.CellCode)))));
    }

    private static async Task<IResult> Get(string id, string format, HttpContext http, IGrainFactory grains, Open311Cells cells)
    {
        if (!IsJson(format)) return Open311Errors.JsonOnly(format);
        if (!GridId.TryParse<IssueId>(id, out var issueId)) return BadRequestId(id);
        var issue = await grains.Issue(issueId).Get();
        if (issue is null) return Open311Errors.NotFound($"没有服务请求「{id}」。");
        if (!Open311Client.Of(http).Serves(issue.CommunityCode))
            return Open311Errors.Forbidden($"服务请求「{id}」不在本应用服务的社区范围内。");
        return Open311Json.Result(new[] { Open311Mapping.Request(issue, await cells.PlaceOf(issue.Report.CellCode)) });
    }

    /// <summary>Comma-separated values, also when given as repeated parameters; trimmed, empty ones dropped, each once.</summary>
    private static List<string> Split(StringValues values) =>
        [.. values.SelectMany(v => (v ?? "").Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)).Distinct(StringComparer.Ordinal)];

    private static IResult BadRequestId(string id) => Open311Errors.BadRequest($"service_request_id：{IssueId.Error(id)}");

    private static string Shorten(string s) => s.Length <= 32 ? s : s[..32] + "…";
}
