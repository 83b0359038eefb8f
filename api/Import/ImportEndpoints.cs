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
        title: "Import rejected: nothing was applied",
        detail: $"{errors.Select(e => e.Row).Distinct().Count()} of {rows} rows have errors; fix them and send the whole file again.",
        statusCode: StatusCodes.Status422UnprocessableEntity,
        extensions: new Dictionary<string, object?> { ["rowErrors"] = errors.OrderBy(e => e.Row).Take(1000).ToList(), ["errorCount"] = errors.Count });

    private static ProblemHttpResult Unreadable(string why) =>
        TypedResults.Problem(title: "The file cannot be read", detail: why, statusCode: StatusCodes.Status400BadRequest);

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
        if (text is null) return Unreadable($"The file is larger than {MaxBytes / 1024 / 1024} MiB.");
        JsonDocument doc;
        try { doc = JsonDocument.Parse(text); }
        catch (JsonException e) { return Unreadable($"Not valid JSON: {e.Message}"); }
        using var _ = doc;
        if (doc.RootElement.ValueKind != JsonValueKind.Object || !doc.RootElement.TryGetProperty("type", out var type) ||
            type.ValueKind != JsonValueKind.String || type.GetString() != "FeatureCollection" ||
            !doc.RootElement.TryGetProperty("features", out var features) || features.ValueKind != JsonValueKind.Array)
            return Unreadable("Expected a GeoJSON FeatureCollection: {\"type\":\"FeatureCollection\",\"features\":[…]}.");
        if (features.GetArrayLength() > MaxRows) return Unreadable($"At most {MaxRows} features per file.");

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
            rowErrors.AddIfNotNull("properties.code", GridCodes.CellCodeError(code));
            rowErrors.Text("properties.name", name, 50);
            var ring = PolygonRing(feature, rowErrors);
            if (code is not null && GridCodes.IsCellCode(code))
            {
                if (seen.TryGetValue(code, out var first)) rowErrors.Add("properties.code", $"cell {code} already appears in feature {first}.");
                else seen[code] = row;
                var communityCode = GridCodes.CommunityOf(code);
                if (!caller.CanEditDirectoryOf(communityCode)) rowErrors.Add("properties.code", $"you may not define cells in community {communityCode}.");
                else
                {
                    if (!communities.TryGetValue(communityCode, out var community))
                        communities[communityCode] = community = await grains.GetGrain<ICommunityGrain>(communityCode).Get();
                    if (community is null) rowErrors.Add("properties.code", $"community {communityCode} does not exist; create it first.");
                    else if (ring.Length > 0 && ring.Max(p => GeoDistance.Meters(p, community.Definition.Centre)) > GeoDistance.CommunityRadiusMeters)
                        rowErrors.Add("geometry.coordinates", $"the cell lies more than {GeoDistance.CommunityRadiusMeters / 1000:0} km from the centre of community {communityCode}; is it in the right community?");
                }
            }
            foreach (var (field, messages) in rowErrors.ToDictionary())
                errors.AddRange(messages.Select(m => new ImportRowError(row, field, m)));
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
            errors.Add("geometry", "is required.");
            return [];
        }
        if (!geometry.TryGetProperty("type", out var t) || t.ValueKind != JsonValueKind.String || t.GetString() != "Polygon")
        {
            errors.Add("geometry.type", "must be Polygon.");
            return [];
        }
        if (!geometry.TryGetProperty("coordinates", out var rings) || rings.ValueKind != JsonValueKind.Array || rings.GetArrayLength() == 0 ||
            rings[0].ValueKind != JsonValueKind.Array)
        {
            errors.Add("geometry.coordinates", "must be an array of rings, each an array of [lng, lat] positions.");
            return [];
        }
        if (rings.GetArrayLength() > 1) errors.Add("geometry.coordinates", "holes are not supported: give only the outer ring.");
        var ring = ImmutableArray.CreateBuilder<GeoPoint>();
        foreach (var position in rings[0].EnumerateArray())
        {
            if (position.ValueKind != JsonValueKind.Array || position.GetArrayLength() < 2 ||
                position[0].ValueKind != JsonValueKind.Number || position[1].ValueKind != JsonValueKind.Number)
            {
                errors.Add("geometry.coordinates", $"position {ring.Count} must be [lng, lat] numbers.");
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
        if (text is null) return Unreadable($"The file is larger than {MaxBytes / 1024 / 1024} MiB.");
        var table = CsvTable.Parse(text, HouseholdRequired, HouseholdOptional, out var csvError);
        if (csvError is not null) return Unreadable(csvError);
        if (table.Rows.Count > MaxRows) return Unreadable($"At most {MaxRows} rows per file.");

        var errors = new List<ImportRowError>();
        var groups = new Dictionary<(string Cell, string Address), (int Row, HouseholdRequest Request, List<ResidentRequest> Residents)>();
        var cells = new Dictionary<string, ImmutableDictionary<string, string>?>();
        var boundaries = new Dictionary<string, ImmutableArray<GeoPoint>>();
        foreach (var (line, fields) in table.Rows)
        {
            var rowErrors = new FieldErrors();
            var cell = table.Get(fields, "cell_code");
            var address = table.Get(fields, "address");
            rowErrors.AddIf(fields.Length != table.Width, "row", $"has {fields.Length} fields, the header has {table.Width}.");
            if (GridCodes.CellCodeError(cell) is { } codeError) rowErrors.Add("cell_code", codeError);
            else if (!caller.CanEditHouseholds(cell)) rowErrors.Add("cell_code", $"you may not register households in cell {cell}.");
            else
            {
                if (!cells.TryGetValue(cell, out var index))
                {
                    var grain = grains.GetGrain<IGridCellGrain>(cell);
                    var view = await grain.Get();
                    cells[cell] = index = view is null ? null : await grain.HouseholdIdsByAddress();
                    if (view is not null) boundaries[cell] = view.Definition.Boundary;
                }
                if (index is null) rowErrors.Add("cell_code", $"no cell {cell}.");
            }
            var residentName = table.Get(fields, "resident_name");
            var resident = residentName.Length == 0 && table.Get(fields, "resident_phone").Length == 0 && table.Get(fields, "resident_id_number").Length == 0
                ? null
                : new ResidentRequest(residentName, NullIfEmpty(table.Get(fields, "resident_phone")), NullIfEmpty(table.Get(fields, "resident_id_number")), table.Get(fields, "resident_relation"));
            var tags = table.Get(fields, "tags").Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            GeoPointRequest? location = null;
            var (lng, lat) = (table.Get(fields, "lng"), table.Get(fields, "lat"));
            if (lng.Length > 0 || lat.Length > 0)
            {
                location = new GeoPointRequest(ParseDouble(lng), ParseDouble(lat));
                rowErrors.AddIf(location.Lng is null || location.Lat is null, "lng/lat", "must both be decimal numbers.");
                if (location is { Lng: { } x, Lat: { } y } && boundaries.TryGetValue(cell, out var ring) &&
                    GeoDistance.ToRingMeters(new GeoPoint(x, y), ring) > GeoDistance.CellToleranceMeters)
                    rowErrors.Add("lng/lat", $"the position is outside cell {cell}.");
            }
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
            foreach (var (field, messages) in rowErrors.ToDictionary())
                errors.AddRange(messages.Select(m => new ImportRowError(line, Column(field), m)));
        }

        var definitions = new List<(int Row, HouseholdDefinition Definition, string? ExistingId)>();
        foreach (var ((cell, address), group) in groups)
        {
            var rowErrors = new FieldErrors();
            var definition = RequestValidation.Validate(group.Request with { Residents = group.Residents }, rowErrors);
            if (definition is null)
            {
                foreach (var (field, messages) in rowErrors.ToDictionary())
                    errors.AddRange(messages.Select(m => new ImportRowError(group.Row, Column(field), m)));
                continue;
            }
            string? existingId = null;
            if (cells[cell]!.TryGetValue(definition.Address, out var id))
            {
                var existing = await grains.GetGrain<IHouseholdGrain>(id).Get();
                if (existing is not null && !existing.Definition.SameAs(definition))
                {
                    errors.Add(new ImportRowError(group.Row, "address", $"household {id} is already registered at this address with different data."));
                    continue;
                }
                existingId = existing is null ? null : id;
            }
            definitions.Add((group.Row, definition, existingId));
        }
        if (errors.Count > 0) return Rejected(errors, table.Rows.Count);

        var unchanged = definitions.Count(d => d.ExistingId is not null);
        var toCreate = definitions.Where(d => d.ExistingId is null).ToList();
        var created = 0;
        foreach (var byCell in toCreate.GroupBy(d => d.Definition.CellCode))
        {
            var list = byCell.ToList();
            var ids = await grains.GetGrain<IGridCellGrain>(byCell.Key).ClaimHouseholdIds([.. list.Select(d => d.Definition.Address)]);
            await Parallel.ForEachAsync(list.Zip(ids), new ParallelOptions { MaxDegreeOfParallelism = Parallelism }, async (pair, _) =>
            {
                var result = await grains.GetGrain<IHouseholdGrain>(pair.Second).Create(pair.First.Definition, caller.Username);
                if (result.Outcome == CreateOutcome.Created) Interlocked.Increment(ref created);
            });
        }
        return TypedResults.Ok(new ImportReport(table.Rows.Count, created, 0, unchanged + (toCreate.Count - created)));
    }

    // ---- members ---------------------------------------------------------------------

    private static readonly string[] MemberRequired = ["name", "phone", "community_code", "branch"];
    private static readonly string[] MemberOptional = ["organ_code", "cell_code", "gender", "joined_party_on", "is_mobile", "mobile_location"];

    private static async Task<Results<Ok<ImportReport>, ProblemHttpResult>> ImportMembers(HttpRequest http, IGrainFactory grains, Caller caller)
    {
        var text = await ReadBody(http);
        if (text is null) return Unreadable($"The file is larger than {MaxBytes / 1024 / 1024} MiB.");
        var table = CsvTable.Parse(text, MemberRequired, MemberOptional, out var csvError);
        if (csvError is not null) return Unreadable(csvError);
        if (table.Rows.Count > MaxRows) return Unreadable($"At most {MaxRows} rows per file.");

        var errors = new List<ImportRowError>();
        var members = new List<(int Row, MemberDefinition Definition)>();
        var phones = new Dictionary<(string Community, string Phone), int>();
        foreach (var (line, fields) in table.Rows)
        {
            var rowErrors = new FieldErrors();
            rowErrors.AddIf(fields.Length != table.Width, "row", $"has {fields.Length} fields, the header has {table.Width}.");
            DateOnly? joined = null;
            var joinedText = table.Get(fields, "joined_party_on");
            if (joinedText.Length > 0)
            {
                if (DateOnly.TryParseExact(joinedText, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var d)) joined = d;
                else rowErrors.Add("joined_party_on", "must be a date written yyyy-MM-dd.");
            }
            var mobileText = table.Get(fields, "is_mobile").ToLowerInvariant();
            bool? isMobile = mobileText switch { "" or "false" or "0" or "否" => false, "true" or "1" or "是" => true, _ => null };
            rowErrors.AddIf(isMobile is null, "is_mobile", "must be true/false (or 是/否).");
            var request = new MemberRequest(
                table.Get(fields, "name"), table.Get(fields, "phone"), table.Get(fields, "community_code"), table.Get(fields, "branch"),
                NullIfEmpty(table.Get(fields, "organ_code")), NullIfEmpty(table.Get(fields, "cell_code")), NullIfEmpty(table.Get(fields, "gender")),
                joined, isMobile, table.Get(fields, "mobile_location"), []);
            var definition = RequestValidation.Validate(request, rowErrors);
            if (definition is not null)
            {
                if (!caller.CanEditDirectoryOf(definition.CommunityCode))
                    rowErrors.Add("community_code", $"you may not register members in community {definition.CommunityCode}.");
                else await MemberEndpoints.CheckReferences(definition, grains, rowErrors);
                if (phones.TryGetValue((definition.CommunityCode, definition.Phone), out var first))
                    rowErrors.Add("phone", $"the same phone already appears on line {first} for this community.");
                else phones[(definition.CommunityCode, definition.Phone)] = line;
            }
            foreach (var (field, messages) in rowErrors.ToDictionary())
                errors.AddRange(messages.Select(m => new ImportRowError(line, Column(field), m)));
            if (!rowErrors.Any) members.Add((line, definition!));
        }

        // Members already registered under a phone must match the row, or the row is a conflict.
        var known = new Dictionary<string, ImmutableDictionary<string, string>>();
        var unchanged = 0;
        var toCreate = new List<MemberDefinition>();
        foreach (var (row, definition) in members)
        {
            if (!known.TryGetValue(definition.CommunityCode, out var byPhone))
                known[definition.CommunityCode] = byPhone = await grains.GetGrain<ICommunityGrain>(definition.CommunityCode).MemberIdsByPhone();
            if (byPhone.TryGetValue(definition.Phone, out var id) && await grains.GetGrain<IPartyMemberGrain>(id).Get() is { } existing)
            {
                if (existing.Definition.SameAs(definition)) unchanged++;
                else errors.Add(new ImportRowError(row, "phone", $"member {id} is already registered with this phone, with different data."));
                continue;
            }
            toCreate.Add(definition);
        }
        if (errors.Count > 0) return Rejected(errors, table.Rows.Count);

        var created = 0;
        foreach (var byCommunity in toCreate.GroupBy(d => d.CommunityCode))
        {
            var list = byCommunity.ToList();
            var ids = await grains.GetGrain<ICommunityGrain>(byCommunity.Key).ClaimMemberIds([.. list.Select(d => d.Phone)]);
            await Parallel.ForEachAsync(list.Zip(ids), new ParallelOptions { MaxDegreeOfParallelism = Parallelism }, async (pair, _) =>
            {
                var result = await grains.GetGrain<IPartyMemberGrain>(pair.Second).Create(pair.First);
                if (result.Outcome == CreateOutcome.Created) Interlocked.Increment(ref created);
            });
        }
        return TypedResults.Ok(new ImportReport(table.Rows.Count, created, 0, unchanged + (toCreate.Count - created)));
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
        _ => field,
    };
}
