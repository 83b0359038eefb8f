using System.Security.Cryptography;
using System.Text.Json;
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
    public const int MaxIdempotencyKey = 100;

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
                $"No such Open311 resource. Grid serves GeoReport v2 in JSON at {Prefix}/services.json, {Prefix}/requests.json and {Prefix}/requests/{{id}}.json."))
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
            return Open311Errors.BadRequest("Send the request as a form (application/x-www-form-urlencoded), as GeoReport v2 says.");
        var (form, formError) = await Open311Form.Read(http);
        if (formError is not null) return formError;
        string? Field(string name) => form![name] is { Count: > 0 } v ? v.ToString() : null;
        var client = Open311Client.Of(http);
        var key = http.Request.Headers[IssueEndpoints.IdempotencyKeyHeader].ToString();
        if (key.Length > MaxIdempotencyKey)
            return Open311Errors.BadRequest($"The {IssueEndpoints.IdempotencyKeyHeader} header must be at most {MaxIdempotencyKey} characters.");

        var serviceCode = Field("service_code")?.Trim() ?? "";
        if (serviceCode.Length == 0) return Open311Errors.BadRequest($"service_code is required; GET {Prefix}/services.json lists them.");
        var category = await Catalog(grains).Find(serviceCode);
        if (category is not { ParentCode: not null })
            return Open311Errors.BadRequest($"service_code '{Shorten(serviceCode)}' was not found; GET {Prefix}/services.json lists them.");

        var (point, pointError) = Open311Mapping.Point(Field("lat"), Field("long"));
        if (point is not { } position) return Open311Errors.BadRequest(pointError!);
        var cell = await cells.Containing(position);
        if (cell is null)
            return Open311Errors.BadRequest($"The position lat={position.Lat}, long={position.Lng} lies in no grid cell; Grid takes requests only inside its cells.");
        if (!client.Serves(cell.CommunityCode))
            return Open311Errors.Forbidden($"The position lies in {cell.Place.CommunityName} ({cell.CommunityCode}), outside the communities this client reports for.");

        var submission = new Open311Submission(Field("description"), Field("address_string"), Field("first_name"), Field("last_name"), Field("phone"));
        var (report, reportError) = Open311Mapping.Report(submission, cell.CellCode, category, position);
        if (report is null) return Open311Errors.BadRequest(reportError!);

        // The same grain path as POST /api/issues, with the client as the reporting user.
        IssueResult? result;
        if (key.Length > 0)
        {
            var fingerprint = Convert.ToHexString(SHA256.HashData(JsonSerializer.SerializeToUtf8Bytes(report)));
            result = await grains.GetGrain<IIdempotencyKeyGrain>($"{client.ReportedBy}|{key}").ReportIssue(fingerprint, report, client.ReportedBy, client.Name);
            if (result is null)
                return Open311Errors.Result(StatusCodes.Status422UnprocessableEntity,
                    "This Idempotency-Key was already used for a different request; use a new key for a new request.");
        }
        else
        {
            var id = await IssueIds.Next(grains, report.CellCode, clock.GetUtcNow());
            result = await grains.GetGrain<IIssueGrain>(id).Report(report, client.ReportedBy, client.Name);
        }
        if (result is not { Outcome: IssueOutcome.Done, Issue: { } issue }) return Open311Errors.BadRequest(result.Message);

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
            if (ids.Count > MaxIds) return Open311Errors.BadRequest($"Ask for at most {MaxIds} service_request_id values at once.");
            foreach (var id in ids)
            {
                if (IssueEndpoints.IdError(id) is { } error) return Open311Errors.BadRequest($"service_request_id '{Shorten(id)}': {error}");
            }
            var found = await Task.WhenAll(ids.Select(id => grains.GetGrain<IIssueGrain>(id).Get()));
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
                if (Open311Mapping.Statuses(value) is not { } some) return Open311Errors.BadRequest("status must be open or closed (or both, comma-separated).");
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
                return Open311Errors.BadRequest($"service_code '{Shorten(unknown)}' was not found; GET {Prefix}/services.json lists them.");
            codes = codeValues;
        }

        var startText = query["start_date"].ToString();
        var endText = query["end_date"].ToString();
        var start = Open311Mapping.ParseTime(startText);
        var end = Open311Mapping.ParseTime(endText);
        if (startText.Length > 0 && start is null) return Open311Errors.BadRequest("start_date must be an ISO 8601 date-time, e.g. 2026-03-01T00:00:00+08:00.");
        if (endText.Length > 0 && end is null) return Open311Errors.BadRequest("end_date must be an ISO 8601 date-time, e.g. 2026-03-31T23:59:59+08:00.");
        if (start > end) return Open311Errors.BadRequest("end_date is before start_date.");
        if (end - start > MaxSpan) return Open311Errors.BadRequest($"start_date and end_date may not span more than {MaxSpan.TotalDays:0} days.");
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
        if (IssueEndpoints.IdError(id) is { } error) return Open311Errors.BadRequest($"service_request_id '{Shorten(id)}': {error}");
        var issue = await grains.GetGrain<IIssueGrain>(id).Get();
        if (issue is null) return Open311Errors.NotFound($"No service request {id}.");
        if (!Open311Client.Of(http).Serves(issue.CommunityCode))
            return Open311Errors.Forbidden($"Service request {id} is outside the communities this client serves.");
        return Open311Json.Result(new[] { Open311Mapping.Request(issue, await cells.PlaceOf(issue.Report.CellCode)) });
    }

    /// <summary>Comma-separated values, also when given as repeated parameters; trimmed, empty ones dropped, each once.</summary>
    private static List<string> Split(StringValues values) =>
        [.. values.SelectMany(v => (v ?? "").Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)).Distinct(StringComparer.Ordinal)];

    private static string Shorten(string s) => s.Length <= 32 ? s : s[..32] + "…";
}
