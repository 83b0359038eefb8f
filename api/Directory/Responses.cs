using System.Collections.Immutable;
using Grid.Api.Auth;
using Grid.Contracts;

namespace Grid.Api.Directory;

public sealed record ResidentResponse(string Name, string Phone, string IdNumber, string Relation);

/// <summary>A household as a caller may see it: residents masked unless the caller needs them.</summary>
public sealed record HouseholdResponse(
    string Id, string CellCode, string CommunityCode, string Address, ImmutableArray<ResidentResponse> Residents,
    ImmutableArray<string> Tags, GeoPoint? Location, DateTimeOffset CreatedUtc, bool Masked)
{
    public static HouseholdResponse For(HouseholdRecord h, Caller caller)
    {
        var full = caller.CanSeeResidents(h.Definition.CellCode);
        return new HouseholdResponse(
            h.Id, h.Definition.CellCode, GridCodes.CommunityOf(h.Definition.CellCode), h.Definition.Address,
            [.. h.Definition.Residents.Select(r => full
                ? new ResidentResponse(r.Name, r.Phone, r.IdNumber, r.Relation)
                : new ResidentResponse(PersonalData.MaskName(r.Name), PersonalData.MaskPhone(r.Phone), PersonalData.MaskIdNumber(r.IdNumber), r.Relation))],
            h.Definition.Tags, h.Definition.Location, h.CreatedUtc, Masked: !full);
    }
}

/// <summary>A member as a caller may see them: the phone only to those who need it (亮身份 shows the rest).</summary>
public sealed record MemberResponse(
    string Id, string Name, string Phone, string CommunityCode, string Branch, string? OrganCode, string? CellCode,
    string Gender, DateOnly? JoinedPartyOn, bool IsMobile, string MobileLocation, ImmutableArray<string> Pledges,
    DateTimeOffset CreatedUtc, bool Masked)
{
    public static MemberResponse For(MemberRecord m, Caller caller)
    {
        var d = m.Definition;
        var full = caller.CanSeeMemberContact(m);
        return new MemberResponse(m.Id, d.Name, full ? d.Phone : PersonalData.MaskPhone(d.Phone), d.CommunityCode, d.Branch, d.OrganCode,
            d.CellCode, d.Gender, d.JoinedPartyOn, d.IsMobile, d.MobileLocation, d.Pledges, m.CreatedUtc, Masked: !full);
    }
}

public sealed record OrganResponse(string Code, string Name, int MembersRequired, int MembersRegistered, ImmutableArray<string> MemberIds, DateTimeOffset CreatedUtc)
{
    public static OrganResponse From(OrganView o) =>
        new(o.Definition.Code, o.Definition.Name, o.Definition.MembersRequired, o.MemberIds.Length, o.MemberIds, o.CreatedUtc);
}
