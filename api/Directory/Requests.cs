using System.Collections.Immutable;
using Grid.Api.Problems;
using Grid.Contracts;

namespace Grid.Api.Directory;

// Request bodies as clients send them: every field nullable, so that a missing field is a
// named validation error rather than a binding failure.

public sealed record GeoPointRequest(double? Lng, double? Lat);

public sealed record ResidentRequest(string? Name, string? Phone, string? IdNumber, string? Relation);

public sealed record HouseholdRequest(
    string? CellCode, string? Address, IReadOnlyList<ResidentRequest?>? Residents, IReadOnlyList<string?>? Tags, GeoPointRequest? Location);

public sealed record MemberRequest(
    string? Name, string? Phone, string? CommunityCode, string? Branch, string? OrganCode, string? CellCode,
    string? Gender, DateOnly? JoinedPartyOn, bool? IsMobile, string? MobileLocation, IReadOnlyList<string?>? Pledges);

public sealed record CommunityRequest(
    string? Name, string? Kind, string? Township, GeoPointRequest? Centre, string? ServiceCentreAddress, string? ServiceCentreHours);

public sealed record OrganRequest(string? Name, int? MembersRequired);

/// <summary>Shape checks that need no lookup; the endpoints add the checks that do.</summary>
public static class RequestValidation
{
    public const int MaxResidents = 30;
    public const int MaxTags = 10;
    public const int MaxPledges = 10;
    public static readonly ImmutableArray<string> Genders = ["男", "女", ""];

    public static HouseholdDefinition? Validate(HouseholdRequest? r, FieldErrors errors)
    {
        if (r is null) { errors.Add("body", "请提供住户信息。"); return null; }
        errors.Id<CellCode>("cellCode", r.CellCode);
        errors.Text("address", r.Address, 200);
        var residents = ImmutableArray.CreateBuilder<Resident>();
        if (r.Residents is { Count: > MaxResidents }) errors.Add("residents", $"每户最多 {MaxResidents} 名居民。");
        for (var i = 0; r.Residents is not null && i < Math.Min(r.Residents.Count, MaxResidents); i++)
        {
            var p = r.Residents[i];
            var at = $"residents[{i}]";
            if (p is null) { errors.Add(at, "须为对象。"); continue; }
            errors.Text($"{at}.name", p.Name, 50);
            errors.AddIf(!string.IsNullOrEmpty(p.Phone) && !PersonalData.IsPhone(p.Phone), $"{at}.phone", "须为大陆手机号（以 1 开头的 11 位数字）或固定电话，如 0572-3012345。");
            if (!string.IsNullOrEmpty(p.IdNumber)) errors.AddIfNotNull($"{at}.idNumber", PersonalData.IdNumberError(p.IdNumber));
            errors.Text($"{at}.relation", p.Relation, 20, required: false);
            residents.Add(new Resident { Name = p.Name?.Trim() ?? "", Phone = p.Phone ?? "", IdNumber = p.IdNumber?.ToUpperInvariant() ?? "", Relation = p.Relation?.Trim() ?? "" });
        }
        var tags = Tags(r.Tags, errors);
        GeoPoint? location = null;
        if (r.Location is not null) location = Point(r.Location, "location", errors);
        return errors.Any ? null : new HouseholdDefinition
        {
            CellCode = r.CellCode!,
            Address = r.Address!.Trim(),
            Residents = residents.ToImmutable(),
            Tags = tags,
            Location = location,
        };
    }

    public static ImmutableArray<string> Tags(IReadOnlyList<string?>? tags, FieldErrors errors)
    {
        if (tags is null) return [];
        if (tags.Count > MaxTags) errors.Add("tags", $"最多 {MaxTags} 个标签。");
        foreach (var tag in tags)
        {
            if (tag is null || !HouseholdTags.All.Contains(tag))
                errors.Add("tags", $"「{tag}」不是住户标签；可用标签：{string.Join("、", HouseholdTags.All)}。");
        }
        return [.. tags.OfType<string>().Distinct()];
    }

    public static MemberDefinition? Validate(MemberRequest? r, FieldErrors errors)
    {
        if (r is null) { errors.Add("body", "请提供党员信息。"); return null; }
        errors.Text("name", r.Name, 50);
        errors.AddIf(!PersonalData.IsMobile(r.Phone), "phone", MobileError);
        var community = errors.Id<CommunityCode>("communityCode", r.CommunityCode);
        errors.Text("branch", r.Branch, 100);
        if (r.OrganCode is not null) errors.Id<OrganCode>("organCode", r.OrganCode);
        if (r.CellCode is not null) CellIn(community, r.CellCode, "cellCode", errors);
        errors.AddIf(r.Gender is not null && !Genders.Contains(r.Gender), "gender", "须为“男”或“女”。");
        errors.AddIf(r.JoinedPartyOn is { } joined && (joined.Year < 1921 || joined > DateOnly.FromDateTime(DateTime.UtcNow.AddDays(1))),
            "joinedPartyOn", "须为 1921 年至今天之间的日期。");
        errors.Text("mobileLocation", r.MobileLocation, 100, required: r.IsMobile == true);
        errors.AddIf(r.Pledges is { Count: > MaxPledges }, "pledges", $"最多 {MaxPledges} 条承诺。");
        foreach (var (pledge, i) in (r.Pledges ?? []).Select((p, i) => (p, i))) errors.Text($"pledges[{i}]", pledge, 200);
        return errors.Any ? null : new MemberDefinition
        {
            Name = r.Name!.Trim(),
            Phone = r.Phone!,
            CommunityCode = r.CommunityCode!,
            Branch = r.Branch!.Trim(),
            OrganCode = r.OrganCode,
            CellCode = r.CellCode,
            Gender = r.Gender ?? "",
            JoinedPartyOn = r.JoinedPartyOn,
            IsMobile = r.IsMobile ?? false,
            MobileLocation = r.MobileLocation?.Trim() ?? "",
            Pledges = [.. (r.Pledges ?? []).OfType<string>().Select(p => p.Trim())],
        };
    }

    public const string MobileError = "须为大陆手机号：以 1 开头的 11 位数字。";

    /// <summary>A cell code that must lie in <paramref name="community"/> (when that parsed).</summary>
    public static CellCode? CellIn(CommunityCode? community, string? text, string field, FieldErrors errors)
    {
        var cell = errors.Id<CellCode>(field, text);
        if (cell is { } c && community is { } k && c.Community != k)
        {
            errors.Add(field, $"网格 {c} 不在社区 {k} 内。");
            return null;
        }
        return cell;
    }

    public static GeoPoint? Point(GeoPointRequest? p, string field, FieldErrors errors)
    {
        if (p?.Lng is not { } lng || p.Lat is not { } lat)
        {
            errors.Add(field, "须同时给出经度 lng 和纬度 lat。");
            return null;
        }
        var point = new GeoPoint(lng, lat);
        errors.AddIfNotNull(field, Geometry.PointError(point));
        return point;
    }
}
