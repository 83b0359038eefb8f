using System.Collections.Immutable;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Grid.Api.Auth;
using Grid.Api.Directory;
using Grid.Api.Problems;
using Grid.Contracts;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;

namespace Grid.Api.Import;

/// <summary>One thing wrong with one row (CSV line, or feature index for GeoJSON).</summary>
public sealed record ImportRowError(int Row, string Field, string Error);

public sealed record ImportReport(int Rows, int Created, int Updated, int Unchanged);

/// <summary>
/// Bulk import: every row is checked first, against the file and the directory; if any row
/// is wrong nothing is applied and the answer lists every error. Only a clean file is applied.
/// Each row is applied idempotently (natural keys), so a re-sent file never duplicates.
/// </summary>
public static class ImportEndpoints
{
    public const int MaxBytes = 16 * 1024 * 1024;
    public const int MaxRows = 100_000;
    private const int Parallelism = 16;

    public static void MapImportEndpoints(this IEndpointRouteBuilder api)
    {
        var import = api.MapGroup("/import").WithTags("Import")
            .WithMetadata(new Microsoft.AspNetCore.Mvc.RequestSizeLimitAttribute(MaxBytes + 1024))
            .RequireAuthorization(p => p.RequireRole(Roles.Admin, Roles.Committee));
        import.MapPost("/cells", ImportCells).Accepts<string>("application/geo+json", "application/json")
            .WithSummary("Import cells from a GeoJSON FeatureCollection of Polygons with properties code and name.");
        import.MapPost("/households", ImportHouseholds).Accepts<string>("text/csv")
            .WithSummary("Import households from CSV: one row per resident; rows with the same cell_code and address form one household.");
        import.MapPost("/members", ImportMembers).Accepts<string>("text/csv")
            .WithSummary("Import Party members from CSV, one row per member.");
    }

    private static ProblemHttpResult Rejected(List<ImportRowError> errors, int rows) => TypedResults.Problem(
        title: "导入被拒绝：未做任何改动",
        detail: $"{rows} 行中有 {errors.Select(e => e.Row).Distinct().Count()} 行有误；请改正后重新发送整个文件。",
        statusCode: StatusCodes.Status422UnprocessableEntity,
        extensions: new Dictionary<string, object?>
        {
            ["code"] = "import.rejected", ["rowErrors"] = errors.OrderBy(e => e.Row).Take(1000).ToList(), ["errorCount"] = errors.Count,
        });

    private static ProblemHttpResult Unreadable(string why) =>
        TypedResults.Problem(title: "无法读取文件", detail: why, statusCode: StatusCodes.Status400BadRequest,
            extensions: new Dictionary<string, object?> { ["code"] = "import.unreadable" });

    private static string TooLarge => $"文件超过 {MaxBytes / 1024 / 1024} MiB。";

    private static async Task<string?> ReadBody(HttpRequest request)
    {
        if (request.ContentLength > MaxBytes) return null;
        using var reader = new StreamReader(request.Body, Encoding.UTF8);
        var buffer = new char[MaxBytes / 2 + 1];
        var text = new StringBuilder();
        int read;
        while ((read = await reader.ReadAsync(buffer)) > 0)
        {
            text.Append(buffer, 0, read);
            if (text.Length > MaxBytes) return null;
        }
        return text.ToString();
    }

    // ---- cells -----------------------------------------------------------------------

    private static async Task<Results<Ok<ImportReport>, ProblemHttpResult>> ImportCells(HttpRequest http, IGrainFactory grains, Caller caller)
    {
        var text = await ReadBody(http);
        if (text is null) return Unreadable(TooLarge);
        JsonDocument doc;
        try { doc = JsonDocument.Parse(text); }
        catch (JsonException e) { return Unreadable($"不是有效的 JSON：{e.Message}"); }
        using var _ = doc;
        if (doc.RootElement.ValueKind != JsonValueKind.Object || !doc.RootElement.TryGetProperty("type", out var type) ||
            type.ValueKind != JsonValueKind.String || type.GetString() != "FeatureCollection" ||
            !doc.RootElement.TryGetProperty("features", out var features) || features.ValueKind != JsonValueKind.Array)
            return Unreadable("应为 GeoJSON FeatureCollection：{\"type\":\"FeatureCollection\",\"features\":[…]}。");
        if (features.GetArrayLength() > MaxRows) return Unreadable($"每个文件最多 {MaxRows} 个要素。");

        var errors = new List<ImportRowError>();
        var cells = new List<(int Row, string Code, string Name, ImmutableArray<GeoPoint> Ring)>();
        var seen = new Dictionary<string, int>();
        var communities = new Dictionary<string, CommunityView?>();
        var row = -1;
        foreach (var feature in features.EnumerateArray())
        {
            row++;
            var code = Property(feature, "properties", "code");
            var name = Property(feature, "properties", "name");
            var rowErrors = new FieldErrors();
            rowErrors.AddIfNotNull("properties.code", CellCode.Error(code));
            rowErrors.Text("properties.name", name, 50);
            var ring = PolygonRing(feature, rowErrors);
            if (code is not null && GridCodes.IsCellCode(code))
            {
                if (seen.TryGetValue(code, out var first)) rowErrors.Add("properties.code", $"网格 {code} 已在第 {first} 个要素中出现。");
                else seen[code] = row;
                var communityCode = GridCodes.CommunityOf(code);
                if (!caller.CanEditDirectoryOf(communityCode)) rowErrors.Add("properties.code", $"您无权在社区 {communityCode} 划定网格。");
                else
                {
                    if (!communities.TryGetValue(communityCode, out var community))
                        communities[communityCode] = community = await grains.GetGrain<ICommunityGrain>(communityCode).Get();
                    if (community is null) rowErrors.Add("properties.code", $"社区 {communityCode} 不存在，请先建立社区。");
                    else if (ring.Length > 0 && ring.Max(p => GeoDistance.Meters(p, community.Definition.Centre)) > GeoDistance.CommunityRadiusMeters)
                        rowErrors.Add("geometry.coordinates", $"网格距社区 {communityCode} 中心超过 {GeoDistance.CommunityRadiusMeters / 1000:0} 公里，是否属于别的社区？");
                }
            }
            AddRowErrors(errors, row, rowErrors);
            if (!rowErrors.Any) cells.Add((row, code!, name!.Trim(), ring));
        }
        if (errors.Count > 0) return Rejected(errors, row + 1);

        int created = 0, updated = 0, unchanged = 0;
        await Parallel.ForEachAsync(cells, new ParallelOptions { MaxDegreeOfParallelism = Parallelism }, async (c, _) =>
        {
            var grain = grains.GetGrain<IGridCellGrain>(c.Code);
            var existing = await grain.Get();
            var definition = new CellDefinition
            {
                Code = c.Code,
                Name = c.Name,
                Boundary = c.Ring,
                GridWorkers = existing?.Definition.GridWorkers ?? [],
            };
            if (existing is not null && existing.Definition.SameAs(definition)) { Interlocked.Increment(ref unchanged); return; }
            await grain.Define(definition);
            Interlocked.Increment(ref existing is null ? ref created : ref updated);
        });
        return TypedResults.Ok(new ImportReport(cells.Count, created, updated, unchanged));
    }

    private static string? Property(JsonElement e, string outer, string inner) =>
        e.ValueKind == JsonValueKind.Object && e.TryGetProperty(outer, out var o) && o.ValueKind == JsonValueKind.Object &&
        o.TryGetProperty(inner, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    private static ImmutableArray<GeoPoint> PolygonRing(JsonElement feature, FieldErrors errors)
    {
        if (feature.ValueKind != JsonValueKind.Object || !feature.TryGetProperty("geometry", out var geometry) || geometry.ValueKind != JsonValueKind.Object)
        {
            errors.Add("geometry", "必填。");
            return [];
        }
        if (!geometry.TryGetProperty("type", out var t) || t.ValueKind != JsonValueKind.String || t.GetString() != "Polygon")
        {
            errors.Add("geometry.type", "须为 Polygon。");
            return [];
        }
        if (!geometry.TryGetProperty("coordinates", out var rings) || rings.ValueKind != JsonValueKind.Array || rings.GetArrayLength() == 0 ||
            rings[0].ValueKind != JsonValueKind.Array)
        {
            errors.Add("geometry.coordinates", "须为环的数组，每个环是 [lng, lat] 坐标的数组。");
            return [];
        }
        if (rings.GetArrayLength() > 1) errors.Add("geometry.coordinates", "不支持内环（洞）：只给出外环。");
        var ring = ImmutableArray.CreateBuilder<GeoPoint>();
        foreach (var position in rings[0].EnumerateArray())
        {
            if (position.ValueKind != JsonValueKind.Array || position.GetArrayLength() < 2 ||
                position[0].ValueKind != JsonValueKind.Number || position[1].ValueKind != JsonValueKind.Number)
            {
                errors.Add("geometry.coordinates", $"第 {ring.Count} 个坐标须为 [lng, lat] 数字。");
                return [];
            }
            ring.Add(new GeoPoint(position[0].GetDouble(), position[1].GetDouble()));
            if (ring.Count > Geometry.MaxRingPoints) break;
        }
        errors.AddIfNotNull("geometry.coordinates", Geometry.RingError(ring));
        return ring.ToImmutable();
    }

    // ---- households ------------------------------------------------------------------

    private static readonly string[] HouseholdRequired = ["cell_code", "address"];
    private static readonly string[] HouseholdOptional = ["tags", "resident_name", "resident_phone", "resident_id_number", "resident_relation", "lng", "lat"];

    private static async Task<Results<Ok<ImportReport>, ProblemHttpResult>> ImportHouseholds(HttpRequest http, IGrainFactory grains, Caller caller)
    {
        var text = await ReadBody(http);
        if (text is null) return Unreadable(TooLarge);
        var table = CsvTable.Parse(text, HouseholdRequired, HouseholdOptional, out var csvError);
        if (csvError is not null) return Unreadable(csvError);
        if (table.Rows.Count > MaxRows) return Unreadable($"每个文件最多 {MaxRows} 行。");

        // Rows with the same cell and address are one household, one resident per row.
        var errors = new List<ImportRowError>();
        var groups = new Dictionary<(string Cell, string Address), (int Row, HouseholdRequest Request, List<ResidentRequest> Residents)>();
        foreach (var (line, fields) in table.Rows)
        {
            var rowErrors = new FieldErrors();
            rowErrors.AddIf(fields.Length != table.Width, "row", $"有 {fields.Length} 个字段，表头有 {table.Width} 个。");
            var cell = table.Get(fields, "cell_code");
            var address = table.Get(fields, "address");
            if (GridId.TryParse<CellCode>(cell, out _) && !caller.CanEditHouseholds(cell)) rowErrors.Add("cell_code", $"您无权在网格 {cell} 登记住户。");
            var residentName = table.Get(fields, "resident_name");
            var resident = residentName.Length == 0 && table.Get(fields, "resident_phone").Length == 0 && table.Get(fields, "resident_id_number").Length == 0
                ? null
                : new ResidentRequest(residentName, NullIfEmpty(table.Get(fields, "resident_phone")), NullIfEmpty(table.Get(fields, "resident_id_number")), table.Get(fields, "resident_relation"));
            var tags = table.Get(fields, "tags").Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            var (lng, lat) = (table.Get(fields, "lng"), table.Get(fields, "lat"));
            var location = lng.Length > 0 || lat.Length > 0 ? new GeoPointRequest(ParseDouble(lng), ParseDouble(lat)) : null;
            var request = new HouseholdRequest(cell, address, resident is null ? [] : [resident], tags, location);
            RequestValidation.Validate(request, rowErrors);

            if (!rowErrors.Any)
            {
                if (groups.TryGetValue((cell, address.Trim()), out var group))
                {
                    if (resident is not null) group.Residents.Add(resident);
                }
                else groups[(cell, address.Trim())] = (line, request, resident is null ? [] : [resident]);
            }
            AddRowErrors(errors, line, rowErrors);
        }

        var households = new List<(int Row, HouseholdDefinition Definition)>();
        foreach (var group in groups.Values)
        {
            var rowErrors = new FieldErrors();
            if (RequestValidation.Validate(group.Request with { Residents = group.Residents }, rowErrors) is { } definition) households.Add((group.Row, definition));
            AddRowErrors(errors, group.Row, rowErrors);
        }
        if (errors.Count > 0) return Rejected(errors, table.Rows.Count);

        var registrations = grains.Registrations();
        return await Apply(households, table.Rows.Count, "address",
            (batch, checkOnly) => registrations.RegisterHouseholds(batch, caller.Username, checkOnly));
    }

    // ---- members ---------------------------------------------------------------------

    private static readonly string[] MemberRequired = ["name", "phone", "community_code", "branch"];
    private static readonly string[] MemberOptional = ["organ_code", "cell_code", "gender", "joined_party_on", "is_mobile", "mobile_location"];

    private static async Task<Results<Ok<ImportReport>, ProblemHttpResult>> ImportMembers(HttpRequest http, IGrainFactory grains, Caller caller)
    {
        var text = await ReadBody(http);
        if (text is null) return Unreadable(TooLarge);
        var table = CsvTable.Parse(text, MemberRequired, MemberOptional, out var csvError);
        if (csvError is not null) return Unreadable(csvError);
        if (table.Rows.Count > MaxRows) return Unreadable($"每个文件最多 {MaxRows} 行。");

        var errors = new List<ImportRowError>();
        var members = new List<(int Row, MemberDefinition Definition)>();
        var phones = new Dictionary<(string Community, string Phone), int>();
        foreach (var (line, fields) in table.Rows)
        {
            var rowErrors = new FieldErrors();
            rowErrors.AddIf(fields.Length != table.Width, "row", $"有 {fields.Length} 个字段，表头有 {table.Width} 个。");
            DateOnly? joined = null;
            var joinedText = table.Get(fields, "joined_party_on");
            if (joinedText.Length > 0)
            {
                if (DateOnly.TryParseExact(joinedText, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var d)) joined = d;
                else rowErrors.Add("joined_party_on", "须为 yyyy-MM-dd 格式的日期。");
            }
            var mobileText = table.Get(fields, "is_mobile").ToLowerInvariant();
            bool? isMobile = mobileText switch { "" or "false" or "0" or "否" => false, "true" or "1" or "是" => true, _ => null };
            rowErrors.AddIf(isMobile is null, "is_mobile", "须为 true/false（或 是/否）。");
            var request = new MemberRequest(
                table.Get(fields, "name"), table.Get(fields, "phone"), table.Get(fields, "community_code"), table.Get(fields, "branch"),
                NullIfEmpty(table.Get(fields, "organ_code")), NullIfEmpty(table.Get(fields, "cell_code")), NullIfEmpty(table.Get(fields, "gender")),
                joined, isMobile, table.Get(fields, "mobile_location"), []);
            var definition = RequestValidation.Validate(request, rowErrors);
            if (definition is not null)
            {
                if (!caller.CanEditDirectoryOf(definition.CommunityCode))
                    rowErrors.Add("community_code", $"您无权在社区 {definition.CommunityCode} 登记党员。");
                if (phones.TryGetValue((definition.CommunityCode, definition.Phone), out var first))
                    rowErrors.Add("phone", $"同一社区的同一手机号已在第 {first} 行出现。");
                else phones[(definition.CommunityCode, definition.Phone)] = line;
            }
            AddRowErrors(errors, line, rowErrors);
            if (!rowErrors.Any) members.Add((line, definition!));
        }
        if (errors.Count > 0) return Rejected(errors, table.Rows.Count);

        var registrations = grains.Registrations();
        return await Apply(members, table.Rows.Count, "phone", (batch, checkOnly) => registrations.RegisterMembers(batch, checkOnly));
    }

    // ---- applying --------------------------------------------------------------------

    /// <summary>Rows sent to the registration grain at once: small enough that one call ends well within its timeout.</summary>
    private const int Batch = 500;

    /// <summary>
    /// The registration grain checks every row first, writing nothing; a file with any refused row
    /// is rejected whole. Only then are the same rows registered, through the same method.
    /// </summary>
    private static async Task<Results<Ok<ImportReport>, ProblemHttpResult>> Apply<T, TRecord>(
        List<(int Row, T Definition)> items, int rows, string conflictField,
        Func<ImmutableArray<T>, bool, Task<ImmutableArray<Outcome<TRecord>>>> register)
    {
        async Task<List<(int Row, Outcome<TRecord> Outcome)>> Run(bool checkOnly)
        {
            var outcomes = new List<(int, Outcome<TRecord>)>(items.Count);
            foreach (var chunk in items.Chunk(Batch))
                outcomes.AddRange(chunk.Zip(await register([.. chunk.Select(c => c.Definition)], checkOnly), (c, o) => (c.Row, o)));
            return outcomes;
        }
        List<ImportRowError> Refused(List<(int Row, Outcome<TRecord> Outcome)> outcomes) =>
            [.. outcomes.Where(o => !o.Outcome.Succeeded).Select(o => new ImportRowError(o.Row, Column(o.Outcome.Field ?? conflictField), o.Outcome.Message))];

        var check = Refused(await Run(checkOnly: true));
        if (check.Count > 0) return Rejected(check, rows);

        var applied = await Run(checkOnly: false);
        var created = applied.Count(o => o.Outcome.Kind == OutcomeKind.Created);
        // Someone else registered the same key between the check and now: say which rows, and that the rest went in.
        if (Refused(applied) is { Count: > 0 } late)
            return TypedResults.Problem(title: "部分行未能导入", detail: $"已导入 {created} 条新记录；以下行在检查之后被他人登记了不同内容。",
                statusCode: StatusCodes.Status409Conflict,
                extensions: new Dictionary<string, object?> { ["code"] = "import.conflict", ["rowErrors"] = late, ["errorCount"] = late.Count });
        return TypedResults.Ok(new ImportReport(rows, created, 0, applied.Count(o => o.Outcome.Kind == OutcomeKind.Done)));
    }

    private static void AddRowErrors(List<ImportRowError> errors, int row, FieldErrors rowErrors)
    {
        foreach (var (field, messages) in rowErrors.ToDictionary())
            errors.AddRange(messages.Select(m => new ImportRowError(row, Column(field), m)));
    }

    private static string? NullIfEmpty(string s) => s.Length == 0 ? null : s;

    private static double? ParseDouble(string s) =>
        double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) ? d : null;

    /// <summary>Maps a request field name back to the CSV column the user wrote.</summary>
    private static string Column(string field) => field switch
    {
        "cellCode" => "cell_code",
        "communityCode" => "community_code",
        "organCode" => "organ_code",
        "joinedPartyOn" => "joined_party_on",
        "isMobile" => "is_mobile",
        "mobileLocation" => "mobile_location",
        "residents[0].name" => "resident_name",
        "residents[0].phone" => "resident_phone",
        "residents[0].idNumber" => "resident_id_number",
        "residents[0].relation" => "resident_relation",
        "location" => "lng/lat",
        _ => field,
    };
}
