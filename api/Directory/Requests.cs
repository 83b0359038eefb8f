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
        if (r is null) { errors.Add("body", "A household is required."); return null; }
        errors.AddIfNotNull("cellCode", GridCodes.CellCodeError(r.CellCode));
        errors.Text("address", r.Address, 200);
        var residents = ImmutableArray.CreateBuilder<Resident>();
        if (r.Residents is { Count: > MaxResidents }) errors.Add("residents", $"at most {MaxResidents} residents per household.");
        for (var i = 0; r.Residents is not null && i < Math.Min(r.Residents.Count, MaxResidents); i++)
        {
            var p = r.Residents[i];
            var at = $"residents[{i}]";
            if (p is null) { errors.Add(at, "must be an object."); continue; }
            errors.Text($"{at}.name", p.Name, 50);
            errors.AddIf(!string.IsNullOrEmpty(p.Phone) && !PersonalData.IsPhone(p.Phone), $"{at}.phone", "must be a mainland mobile number (11 digits, starting 1) or a landline such as 0572-3012345.");
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
        if (tags.Count > MaxTags) errors.Add("tags", $"at most {MaxTags} tags.");
        foreach (var tag in tags)
        {
            if (tag is null || !HouseholdTags.All.Contains(tag))
                errors.Add("tags", $"'{tag}' is not a household tag; known tags: {string.Join(", ", HouseholdTags.All)}.");
        }
        return [.. tags.OfType<string>().Distinct()];
    }

    public static MemberDefinition? Validate(MemberRequest? r, FieldErrors errors)
    {
        if (r is null) { errors.Add("body", "A member is required."); return null; }
        errors.Text("name", r.Name, 50);
        errors.AddIf(!PersonalData.IsMobile(r.Phone), "phone", "must be a mainland mobile number: 11 digits starting with 1.");
        errors.AddIfNotNull("communityCode", GridCodes.CommunityCodeError(r.CommunityCode));
        errors.Text("branch", r.Branch, 100);
        if (r.OrganCode is not null) errors.AddIfNotNull("organCode", OrganCodes.Error(r.OrganCode));
        if (r.CellCode is not null)
        {
            errors.AddIfNotNull("cellCode", GridCodes.CellCodeError(r.CellCode));
            errors.AddIf(GridCodes.IsCellCode(r.CellCode) && GridCodes.IsCommunityCode(r.CommunityCode) && GridCodes.CommunityOf(r.CellCode) != r.CommunityCode,
                "cellCode", $"cell {r.CellCode} is not in community {r.CommunityCode}.");
        }
        errors.AddIf(r.Gender is not null && !Genders.Contains(r.Gender), "gender", "must be 男 or 女.");
        errors.AddIf(r.JoinedPartyOn is { } joined && (joined.Year < 1921 || joined > DateOnly.FromDateTime(DateTime.UtcNow.AddDays(1))),
            "joinedPartyOn", "must be a date between 1921 and today.");
        errors.Text("mobileLocation", r.MobileLocation, 100, required: r.IsMobile == true);
        errors.AddIf(r.Pledges is { Count: > MaxPledges }, "pledges", $"at most {MaxPledges} pledges.");
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

    public static GeoPoint? Point(GeoPointRequest? p, string field, FieldErrors errors)
    {
        if (p?.Lng is not { } lng || p.Lat is not { } lat)
        {
            errors.Add(field, "needs both lng and lat.");
            return null;
        }
        var point = new GeoPoint(lng, lat);
        errors.AddIfNotNull(field, Geometry.PointError(point));
        return point;
    }
}
