using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Grid.Contracts;

// Typed ids: each kind of id has one rule, written once here, and is parsed once at the edge
// (HTTP, Open311, CSV, hub). Grain keys stay strings (Value); stored records keep their string
// fields, because changing a stored field's type would change its bytes.

/// <summary>An id with one parsing rule; <see cref="Error"/> says in Chinese why a text is not one.</summary>
public interface IGridId<TSelf> : IParsable<TSelf> where TSelf : struct, IGridId<TSelf>
{
    string Value { get; }

    /// <summary>Null when <paramref name="text"/> is a valid id of this kind, else why not (Chinese).</summary>
    static abstract string? Error(string? text);
}

/// <summary>Shared parsing for the id kinds: a valid text is wrapped, anything else is refused with the kind's own reason.</summary>
public static class GridId
{
    public static T Parse<T>(string text) where T : struct, IGridId<T> => T.Parse(text, CultureInfo.InvariantCulture);

    public static bool TryParse<T>([NotNullWhen(true)] string? text, out T id) where T : struct, IGridId<T> =>
        T.TryParse(text, CultureInfo.InvariantCulture, out id);

    internal static string Checked<T>(string? text) where T : struct, IGridId<T> =>
        T.Error(text) is { } error ? throw new FormatException(error) : text!;

    internal static bool Digits(ReadOnlySpan<char> s) => s.Length > 0 && !s.ContainsAnyExceptInRange('0', '9');

    internal static string Shorten(string s) => s.Length <= 32 ? s : s[..32] + "…";
}

/// <summary>社区编码: 12 digits of GB/T 30428 (county, street, community).</summary>
[GenerateSerializer, Immutable, Alias("grid.id.CommunityCode")]
[JsonConverter(typeof(GridIdJsonConverter<CommunityCode>))]
public readonly record struct CommunityCode : IGridId<CommunityCode>
{
    [Id(0)] public string Value { get; }

    internal CommunityCode(string value) => Value = value;

    public static string? Error(string? text) => GridCodes.CommunityCodeError(text);
    public static CommunityCode Parse(string s, IFormatProvider? provider = null) => new(GridId.Checked<CommunityCode>(s));
    public static bool TryParse([NotNullWhen(true)] string? s, IFormatProvider? provider, out CommunityCode result)
    {
        result = Error(s) is null ? new(s!) : default;
        return result.Value is not null;
    }

    public override string ToString() => Value;
}

/// <summary>网格编码: 15 digits of GB/T 30428; its first 12 are its community's code.</summary>
[GenerateSerializer, Immutable, Alias("grid.id.CellCode")]
[JsonConverter(typeof(GridIdJsonConverter<CellCode>))]
public readonly record struct CellCode : IGridId<CellCode>
{
    [Id(0)] public string Value { get; }

    internal CellCode(string value) => Value = value;

    public CommunityCode Community => new(Value[..GridCodes.CommunityCodeLength]);

    public static string? Error(string? text) => GridCodes.CellCodeError(text);
    public static CellCode Parse(string s, IFormatProvider? provider = null) => new(GridId.Checked<CellCode>(s));
    public static bool TryParse([NotNullWhen(true)] string? s, IFormatProvider? provider, out CellCode result)
    {
        result = Error(s) is null ? new(s!) : default;
        return result.Value is not null;
    }

    public override string ToString() => Value;
}

/// <summary>An issue (案卷): its cell, the China Standard Time year and a number: 330503101001001-2026-00042.</summary>
[GenerateSerializer, Immutable, Alias("grid.id.IssueId")]
[JsonConverter(typeof(GridIdJsonConverter<IssueId>))]
public readonly record struct IssueId : IGridId<IssueId>
{
    [Id(0)] public string Value { get; }

    private IssueId(string value) => Value = value;

    public CellCode Cell => new(Value[..GridCodes.CellCodeLength]);
    public CommunityCode Community => Cell.Community;

    public static IssueId Of(CellCode cell, int year, int number) => new(string.Create(CultureInfo.InvariantCulture, $"{cell.Value}-{year:D4}-{number:D5}"));

    public static string? Error(string? text) =>
        text is { Length: >= 26 and <= 30 } && GridCodes.IsCellCode(text[..15]) && text[15] == '-' && GridId.Digits(text.AsSpan(16, 4)) &&
        text[20] == '-' && GridId.Digits(text.AsSpan(21))
            ? null
            : $"诉求编号「{GridId.Shorten(text ?? "")}」不正确：应为网格编码、年份和序号，例如 330503101001001-2026-00042。";

    public static IssueId Parse(string s, IFormatProvider? provider = null) => new(GridId.Checked<IssueId>(s));
    public static bool TryParse([NotNullWhen(true)] string? s, IFormatProvider? provider, out IssueId result)
    {
        result = Error(s) is null ? new(s!) : default;
        return result.Value is not null;
    }

    public override string ToString() => Value;
}

/// <summary>A Party member: their community's code, 'M' and a number: 330503101001M00042.</summary>
[GenerateSerializer, Immutable, Alias("grid.id.MemberId")]
[JsonConverter(typeof(GridIdJsonConverter<MemberId>))]
public readonly record struct MemberId : IGridId<MemberId>
{
    [Id(0)] public string Value { get; }

    private MemberId(string value) => Value = value;

    public CommunityCode Community => new(Value[..GridCodes.CommunityCodeLength]);

    public static MemberId Of(CommunityCode community, int number) => new(string.Create(CultureInfo.InvariantCulture, $"{community.Value}M{number:D5}"));

    public static string? Error(string? text) =>
        text is { Length: >= 18 and <= 20 } && GridCodes.IsCommunityCode(text[..12]) && text[12] == 'M' && GridId.Digits(text.AsSpan(13))
            ? null
            : $"党员编号「{GridId.Shorten(text ?? "")}」不正确：应为 12 位社区编码、字母 M 和序号，例如 330503101001M00001。";

    public static MemberId Parse(string s, IFormatProvider? provider = null) => new(GridId.Checked<MemberId>(s));
    public static bool TryParse([NotNullWhen(true)] string? s, IFormatProvider? provider, out MemberId result)
    {
        result = Error(s) is null ? new(s!) : default;
        return result.Value is not null;
    }

    public override string ToString() => Value;
}

/// <summary>A household: its cell's code, '-' and a number: 330503101001001-0042.</summary>
[GenerateSerializer, Immutable, Alias("grid.id.HouseholdId")]
[JsonConverter(typeof(GridIdJsonConverter<HouseholdId>))]
public readonly record struct HouseholdId : IGridId<HouseholdId>
{
    [Id(0)] public string Value { get; }

    private HouseholdId(string value) => Value = value;

    public CellCode Cell => new(Value[..GridCodes.CellCodeLength]);

    public static HouseholdId Of(CellCode cell, int number) => new(string.Create(CultureInfo.InvariantCulture, $"{cell.Value}-{number:D4}"));

    public static string? Error(string? text) =>
        text is { Length: >= 20 and <= 24 } && GridCodes.IsCellCode(text[..15]) && text[15] == '-' && GridId.Digits(text.AsSpan(16))
            ? null
            : $"住户编号「{GridId.Shorten(text ?? "")}」不正确：应为 15 位网格编码、短横线和序号，例如 330503101001001-0042。";

    public static HouseholdId Parse(string s, IFormatProvider? provider = null) => new(GridId.Checked<HouseholdId>(s));
    public static bool TryParse([NotNullWhen(true)] string? s, IFormatProvider? provider, out HouseholdId result)
    {
        result = Error(s) is null ? new(s!) : default;
        return result.Value is not null;
    }

    public override string ToString() => Value;
}

/// <summary>
/// A member's assignment (任务): made in a cell (330503101001001-A2026-00001), or an issue dispatched
/// to a member (the issue id, '-T' and the dispatch's step: 330503101001001-2026-00042-T3).
/// </summary>
[GenerateSerializer, Immutable, Alias("grid.id.AssignmentId")]
[JsonConverter(typeof(GridIdJsonConverter<AssignmentId>))]
public readonly record struct AssignmentId : IGridId<AssignmentId>
{
    [Id(0)] public string Value { get; }

    private AssignmentId(string value) => Value = value;

    public CellCode Cell => new(Value[..GridCodes.CellCodeLength]);

    public static AssignmentId InCell(CellCode cell, int year, int number) =>
        new(string.Create(CultureInfo.InvariantCulture, $"{cell.Value}-A{year:D4}-{number:D5}"));

    public static AssignmentId ForIssue(IssueId issue, int dispatchSeq) => new(string.Create(CultureInfo.InvariantCulture, $"{issue.Value}-T{dispatchSeq}"));

    public static string? Error(string? text)
    {
        if (text is { Length: >= 20 and <= 40 } && GridCodes.IsCellCode(text[..15]) && text[15] == '-')
        {
            var rest = text.AsSpan(16);
            // -A2026-00001
            if (rest.Length >= 7 && rest[0] == 'A' && GridId.Digits(rest[1..5]) && rest[5] == '-' && GridId.Digits(rest[6..])) return null;
            // <issue id>-T3
            var t = text.LastIndexOf("-T", StringComparison.Ordinal);
            if (t > 0 && IssueId.Error(text[..t]) is null && t + 2 < text.Length && GridId.Digits(text.AsSpan(t + 2))) return null;
        }
        return $"任务编号「{GridId.Shorten(text ?? "")}」不正确：例如 330503101001001-A2026-00001。";
    }

    public static AssignmentId Parse(string s, IFormatProvider? provider = null) => new(GridId.Checked<AssignmentId>(s));
    public static bool TryParse([NotNullWhen(true)] string? s, IFormatProvider? provider, out AssignmentId result)
    {
        result = Error(s) is null ? new(s!) : default;
        return result.Value is not null;
    }

    public override string ToString() => Value;
}

/// <summary>An occurrence of a recurring activity: community, China Standard Time date and schedule id: 330503101001-2026-12-05-red-saturday.</summary>
[GenerateSerializer, Immutable, Alias("grid.id.ActivityId")]
[JsonConverter(typeof(GridIdJsonConverter<ActivityId>))]
public readonly record struct ActivityId : IGridId<ActivityId>
{
    [Id(0)] public string Value { get; }

    private ActivityId(string value) => Value = value;

    public CommunityCode Community => new(Value[..GridCodes.CommunityCodeLength]);
    public DateOnly Date => DateOnly.ParseExact(Value.AsSpan(13, 10), "yyyy-MM-dd", CultureInfo.InvariantCulture);
    public string ScheduleId => Value[24..];

    public static ActivityId Of(CommunityCode community, DateOnly chinaDate, string scheduleId) =>
        Parse(string.Create(CultureInfo.InvariantCulture, $"{community.Value}-{chinaDate:yyyy-MM-dd}-{scheduleId}"));

    public static string? Error(string? text) =>
        text is { Length: >= 25 and <= 64 } && GridCodes.IsCommunityCode(text[..12]) && text[12] == '-' &&
        DateOnly.TryParseExact(text.AsSpan(13, 10), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out _) && text[23] == '-' &&
        IsSlug(text.AsSpan(24))
            ? null
            : $"活动编号「{GridId.Shorten(text ?? "")}」不正确：应为社区编码、日期和计划编号，例如 330503101001-2026-12-05-red-saturday。";

    /// <summary>A schedule id: 1–40 lower-case letters, digits and dashes (red-saturday).</summary>
    public static bool IsSlug(ReadOnlySpan<char> s)
    {
        if (s.Length is 0 or > 40) return false;
        foreach (var c in s)
        {
            if (!(char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '-')) return false;
        }
        return true;
    }

    public static ActivityId Parse(string s, IFormatProvider? provider = null) => new(GridId.Checked<ActivityId>(s));
    public static bool TryParse([NotNullWhen(true)] string? s, IFormatProvider? provider, out ActivityId result)
    {
        result = Error(s) is null ? new(s!) : default;
        return result.Value is not null;
    }

    public override string ToString() => Value;
}

/// <summary>An organ (机关/单位) by its unified social credit code (统一社会信用代码), 18 characters with a check character.</summary>
[GenerateSerializer, Immutable, Alias("grid.id.OrganCode")]
[JsonConverter(typeof(GridIdJsonConverter<OrganCode>))]
public readonly record struct OrganCode : IGridId<OrganCode>
{
    [Id(0)] public string Value { get; }

    private OrganCode(string value) => Value = value;

    public static string? Error(string? text) => OrganCodes.Error(text);
    public static OrganCode Parse(string s, IFormatProvider? provider = null) => new(GridId.Checked<OrganCode>(s));
    public static bool TryParse([NotNullWhen(true)] string? s, IFormatProvider? provider, out OrganCode result)
    {
        result = Error(s) is null ? new(s!) : default;
        return result.Value is not null;
    }

    public override string ToString() => Value;
}

/// <summary>Ids travel in JSON as their plain text; a wrong one is refused with its kind's reason.</summary>
public sealed class GridIdJsonConverter<T> : JsonConverter<T> where T : struct, IGridId<T>
{
    public override T Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType != JsonTokenType.String) throw new JsonException("编号应为字符串。");
        var text = reader.GetString();
        return T.TryParse(text, CultureInfo.InvariantCulture, out var id) ? id : throw new JsonException(T.Error(text));
    }

    public override void Write(Utf8JsonWriter writer, T value, JsonSerializerOptions options) => writer.WriteStringValue(value.Value);

    public override T ReadAsPropertyName(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        var text = reader.GetString();
        return T.TryParse(text, CultureInfo.InvariantCulture, out var id) ? id : throw new JsonException(T.Error(text));
    }

    public override void WriteAsPropertyName(Utf8JsonWriter writer, T value, JsonSerializerOptions options) => writer.WritePropertyName(value.Value);
}

/// <summary>Grains by typed id: the one place that turns an id into a grain key.</summary>
public static class GrainsById
{
    public static ICommunityGrain Community(this IGrainFactory grains, CommunityCode code) => grains.GetGrain<ICommunityGrain>(code.Value);
    public static ICommunityIssuesGrain CommunityIssues(this IGrainFactory grains, CommunityCode code) => grains.GetGrain<ICommunityIssuesGrain>(code.Value);
    public static ICommunityPointsGrain CommunityPoints(this IGrainFactory grains, CommunityCode code) => grains.GetGrain<ICommunityPointsGrain>(code.Value);
    public static ICommunityScheduleGrain CommunitySchedule(this IGrainFactory grains, CommunityCode code) => grains.GetGrain<ICommunityScheduleGrain>(code.Value);
    public static IGridCellGrain Cell(this IGrainFactory grains, CellCode code) => grains.GetGrain<IGridCellGrain>(code.Value);
    public static IIssueGrain Issue(this IGrainFactory grains, IssueId id) => grains.GetGrain<IIssueGrain>(id.Value);
    public static IPartyMemberGrain Member(this IGrainFactory grains, MemberId id) => grains.GetGrain<IPartyMemberGrain>(id.Value);
    public static IHouseholdGrain Household(this IGrainFactory grains, HouseholdId id) => grains.GetGrain<IHouseholdGrain>(id.Value);
    public static IAssignmentGrain Assignment(this IGrainFactory grains, AssignmentId id) => grains.GetGrain<IAssignmentGrain>(id.Value);
    public static IOrganGrain Organ(this IGrainFactory grains, OrganCode code) => grains.GetGrain<IOrganGrain>(code.Value);
    public static IActivityGrain Activity(this IGrainFactory grains, ActivityId id) => grains.GetGrain<IActivityGrain>(id.Value);
}
