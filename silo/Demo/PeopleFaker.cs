using System.Collections.Immutable;
using Grid.Contracts;

namespace Grid.Silo.Demo;

/// <summary>
/// Made-up but plausible people for seeded directories (the demo township, the city benchmark):
/// Chinese names, mobile numbers and GB 11643 ID numbers of one administrative division. Every
/// value comes from the given <see cref="Random"/>, so a seed always yields the same people.
/// </summary>
public sealed class PeopleFaker(Random random, string division)
{
    private static readonly string[] FamilyNames =
    [
        "王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡", "沈", "钱", "施", "姚", "费",
        "陆", "蒋", "金", "顾", "潘", "俞", "钟", "邱", "褚", "欧阳",
    ];

    private static readonly string[] GivenChars =
    [
        "伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛", "明", "超", "秀", "霞", "平",
        "刚", "桂", "英", "华", "建", "国", "文", "红", "梅", "林", "晓", "燕", "斌", "宇", "浩", "婷", "雪", "琳", "佳", "鑫",
    ];

    private static readonly string[] MobileLocations = ["杭州市", "上海市", "苏州市", "深圳市"];

    // Unique per instance: a phone is a member's natural key, so two people of one faker never share one.
    private readonly HashSet<string> phones = [];

    public string PersonName() => FamilyNames[random.Next(FamilyNames.Length)] + Given();

    public string Mobile()
    {
        string phone;
        do phone = $"1{new[] { "3", "5", "7", "8", "9" }[random.Next(5)]}{random.Next(0, 10)}{random.Next(0, 100_000_000):D8}";
        while (!phones.Add(phone));
        return phone;
    }

    public string IdNumber(int birthYear)
    {
        var birth = new DateOnly(birthYear, 1, 1).AddDays(random.Next(365));
        var first17 = $"{division}{birth:yyyyMMdd}{random.Next(0, 1000):D3}";
        return first17 + PersonalData.IdCheckCharacter(first17);
    }

    /// <summary>A family of one to four at <paramref name="address"/>, with the tags a committee would give it.</summary>
    public HouseholdDefinition Household(string cellCode, string address, bool urban)
    {
        var family = FamilyNames[random.Next(FamilyNames.Length)];
        var size = 1 + random.Next(4);
        var residents = Enumerable.Range(0, size).Select(i => new Resident
        {
            Name = family + Given(),
            Phone = i < 2 ? Mobile() : "",
            IdNumber = IdNumber(i == 0 ? random.Next(1940, 1990) : random.Next(1960, 2015)),
            Relation = i switch { 0 => "户主", 1 => "配偶", _ => random.Next(3) == 0 ? "父母" : "子女" },
        }).ToImmutableArray();
        var tags = new List<string>();
        if (size == 1 && random.Next(3) == 0) tags.Add(HouseholdTags.ElderlyAlone);
        if (random.Next(20) == 0) tags.Add(HouseholdTags.Hardship);
        if (random.Next(30) == 0) tags.Add(HouseholdTags.PartyCentral);
        if (urban && random.Next(8) == 0) tags.Add(HouseholdTags.Rental);
        return new HouseholdDefinition { CellCode = cellCode, Address = address, Residents = residents, Tags = [.. tags] };
    }

    public MemberDefinition Member(string communityCode, string branch, string cellCode, string? organCode)
    {
        var mobile = organCode is null && random.Next(25) == 0;
        return new MemberDefinition
        {
            Name = PersonName(),
            Phone = Mobile(),
            CommunityCode = communityCode,
            Branch = branch,
            OrganCode = organCode,
            CellCode = cellCode,
            Gender = random.Next(2) == 0 ? "男" : "女",
            JoinedPartyOn = new DateOnly(random.Next(1975, 2025), random.Next(1, 13), random.Next(1, 29)),
            IsMobile = mobile,
            MobileLocation = mobile ? MobileLocations[random.Next(MobileLocations.Length)] : "",
            Pledges = organCode is null ? ["亮身份、践承诺，服务身边群众"] : ["下沉网格，每月服务不少于4小时"],
        };
    }

    private string Given() => random.Next(3) == 0
        ? GivenChars[random.Next(GivenChars.Length)]
        : GivenChars[random.Next(GivenChars.Length)] + GivenChars[random.Next(GivenChars.Length)];
}
