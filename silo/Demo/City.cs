using System.Collections.Immutable;
using Grid.Contracts;
using Grid.Grains;
using Grid.Grains.Members;

namespace Grid.Silo.Demo;

/// <summary>How big a generated city is: cells, households and members in all (spread evenly over the cells).</summary>
public sealed record CitySize(int Cells, int Households, int Members)
{
    public const int CellsPerCommunity = 10;

    /// <summary>Well below the distinct addresses a cell's address pattern has (about 400 in a village).</summary>
    public const int MaxHouseholdsPerCell = 300;

    public int Communities => (Cells + CellsPerCommunity - 1) / CellsPerCommunity;

    /// <summary>Grain states the city holds: the directory, communities (definition, issue index, points), cells, households, members.</summary>
    public long StateCount => 1L + 3L * Communities + Cells + Households + Members;

    public string? Error() =>
        Cells < 1 ? "--cells must be at least 1."
        : Cells > 99_000 ? "--cells must be at most 99000."
        : Households < 0 || Households > Cells * MaxHouseholdsPerCell ? $"--households must be from 0 to {MaxHouseholdsPerCell} per cell."
        : Members < 0 || Members > Communities * 99_999L ? "--members must be from 0 to 99999 per community."
        : null;
}

/// <summary>One community of a generated city, with every grain state it and its cells, households and members hold.</summary>
public sealed record CityCommunity(
    CommunityState Community,
    CommunityIssuesState Issues,
    CommunityPointsState Points,
    ImmutableArray<CellState> Cells,
    ImmutableArray<HouseholdState> Households,
    ImmutableArray<MemberState> Members)
{
    public string Code => Community.Definition!.Code;
}

/// <summary>
/// A city-scale directory (湖州市: five districts and counties) for benchmarks: communities of ten
/// cells laid out as 5 × 2 rectangles of about 380 m × 330 m, households with residents at a
/// position inside their cell, members placed in cells. The states are those the grains write when
/// the same directory is built through the API (ids, indexes, visit watches, leaderboard lines),
/// so a node started on them behaves as if it had been built that way. Each community comes from a
/// Random seeded with the city's seed and its number: the same size always yields the same city.
/// </summary>
public sealed class City(CitySize size, int seed = 20261123)
{
    public const string CreatedBy = "city-load";

    private const int Columns = 5, Rows = 2;
    private const double CellWidth = 0.0040, CellHeight = 0.0030;
    private const int CommunitiesPerStreet = 10;
    private const int CommunitiesPerRowOfTheMap = 32;

    private static readonly (string Code, string Name)[] Divisions =
        [("330502", "吴兴区"), ("330503", "南浔区"), ("330521", "德清县"), ("330522", "长兴县"), ("330523", "安吉县")];

    private static readonly string[] Places =
    [
        "爱山", "月河", "朝阳", "飞英", "龙泉", "织里", "八里店", "妙西", "埭溪", "东林", "道场", "仁皇山", "康山", "滨湖", "杨家埠",
        "环渚", "白雀", "凤凰", "青山", "太湖", "碧浪", "金盖", "西塞", "霅溪", "苕溪", "弁山", "南太湖", "长田", "毗山", "潘店",
    ];

    private static readonly string[] Estates = ["花园", "新村", "小区", "苑", "家园", "公寓", "雅居", "名邸"];

    public CitySize Size { get; } = size;

    public DateTimeOffset CreatedUtc { get; init; } = DateTimeOffset.UtcNow;

    public IEnumerable<string> CommunityCodes() => Enumerable.Range(0, Size.Communities).Select(CommunityCode);

    public DirectoryState Directory() => new() { Communities = [.. CommunityCodes()] };

    public IEnumerable<CityCommunity> Communities() => Enumerable.Range(0, Size.Communities).Select(Community);

    /// <summary>The community's code: division, street (ten communities each), community number.</summary>
    public static string CommunityCode(int index)
    {
        var street = index / CommunitiesPerStreet;
        return $"{Divisions[street % Divisions.Length].Code}{street / Divisions.Length + 1:D3}{index % CommunitiesPerStreet + 1:D3}";
    }

    public CityCommunity Community(int index)
    {
        // Not HashCode.Combine: it is randomised per process, and the city must be the same every run.
        var random = new Random(unchecked(seed * 1_000_003 + index));
        var code = CommunityCode(index);
        var street = index / CommunitiesPerStreet;
        var division = Divisions[street % Divisions.Length];
        var people = new PeopleFaker(random, division.Code);
        var village = index % 5 == 4;
        var place = Places[index % Places.Length] + (index >= Places.Length ? Numeral(index / Places.Length) : "");
        var name = village ? $"{place}村" : $"{place}社区";
        var township = $"{Places[street / Divisions.Length % Places.Length]}{(street / Divisions.Length >= Places.Length ? Numeral(street / Divisions.Length / Places.Length) : "")}街道";
        var origin = new GeoPoint(
            Math.Round(119.75 + index % CommunitiesPerRowOfTheMap * (Columns * CellWidth + 0.001), 6),
            Math.Round(30.70 + index / CommunitiesPerRowOfTheMap * (Rows * CellHeight + 0.0005), 6));
        var definition = new CommunityDefinition
        {
            Code = code,
            Name = name,
            Kind = village ? "村" : "社区",
            Township = $"{division.Name}{township}",
            Centre = new GeoPoint(Math.Round(origin.Lng + Columns * CellWidth / 2, 6), Math.Round(origin.Lat + Rows * CellHeight / 2, 6)),
            ServiceCentreAddress = $"{township}{name}党群服务中心",
            ServiceCentreHours = "周一至周六 8:30-17:00",
        };
        string[] branches = village ? [$"{name}第一党支部", $"{name}第二党支部"] : [$"{name}第一党支部", $"{name}第二党支部", $"{name}离退休党支部"];

        var cellCount = Math.Min(CitySize.CellsPerCommunity, Size.Cells - index * CitySize.CellsPerCommunity);
        var cells = ImmutableArray.CreateBuilder<CellState>(cellCount);
        var households = new List<HouseholdState>();
        var members = new List<MemberState>();
        var membersByPhone = ImmutableDictionary.CreateBuilder<string, string>();
        var leaderboard = ImmutableDictionary.CreateBuilder<string, LeaderboardLine>();
        var stars = PointsLedger.Stars(0, new PointRules().StarThresholds);
        for (var c = 0; c < cellCount; c++)
        {
            var cellIndex = index * CitySize.CellsPerCommunity + c;
            var cellCode = $"{code}{c + 1:D3}";
            var west = origin.Lng + c % Columns * CellWidth;
            var south = origin.Lat + c / Columns * CellHeight;
            GeoPoint Corner(int dx, int dy) => new(Math.Round(west + dx * CellWidth, 6), Math.Round(south + dy * CellHeight, 6));
            var cell = new CellDefinition
            {
                Code = cellCode,
                Name = $"{name}第{c + 1}网格",
                Boundary = [Corner(0, 0), Corner(1, 0), Corner(1, 1), Corner(0, 1), Corner(0, 0)],
                GridWorkers = [new GridWorkerRef { Username = $"gw{cellCode}", DisplayName = people.PersonName() }],
            };

            var byAddress = ImmutableDictionary.CreateBuilder<string, string>();
            var watch = ImmutableDictionary.CreateBuilder<string, VisitWatch>();
            var estate = Places[(index + c) % Places.Length] + Estates[c % Estates.Length];
            while (byAddress.Count < Share(Size.Households, cellIndex))
            {
                var address = village
                    ? $"{name}{c * 2 + 1 + random.Next(2)}组{random.Next(1, 200)}号"
                    : $"{estate}{random.Next(1, 13)}幢{random.Next(1, 4)}单元{random.Next(1, 7)}0{random.Next(1, 4)}室";
                if (byAddress.ContainsKey(address)) continue;
                var id = HouseholdId.Of(Contracts.CellCode.Parse(cellCode), byAddress.Count + 1).Value;
                byAddress.Add(address, id);
                var household = people.Household(cellCode, address, urban: !village) with
                {
                    // Inside the cell, off its edges: a point on a shared edge would belong to two cells.
                    Location = new GeoPoint(
                        Math.Round(west + (0.05 + 0.9 * random.NextDouble()) * CellWidth, 6),
                        Math.Round(south + (0.05 + 0.9 * random.NextDouble()) * CellHeight, 6)),
                };
                households.Add(new HouseholdState { Record = new HouseholdRecord { Id = id, Definition = household, CreatedUtc = CreatedUtc, CreatedBy = CreatedBy } });
                if (VisitRule.IntervalDays(household.Tags) is { } days) watch.Add(id, new VisitWatch { IntervalDays = days, SinceUtc = CreatedUtc });
            }

            var placed = ImmutableSortedSet.CreateBuilder<string>(StringComparer.Ordinal);
            for (var m = Share(Size.Members, cellIndex); m > 0; m--)
            {
                var member = people.Member(code, branches[random.Next(branches.Length)], cellCode, organCode: null);
                var id = MemberId.Of(Contracts.CommunityCode.Parse(code), membersByPhone.Count + 1).Value;
                membersByPhone.Add(member.Phone, id);
                placed.Add(id);
                members.Add(new MemberState
                {
                    Record = new MemberRecord { Id = id, Definition = member, CreatedUtc = CreatedUtc },
                    Placements = [new Placement { CellCode = cellCode, FromUtc = CreatedUtc, By = "registration" }],
                    RegisteredUtc = CreatedUtc,
                });
                leaderboard.Add(id, new LeaderboardLine { MemberId = id, Name = member.Name, Branch = member.Branch, Points = 0, Stars = stars });
            }

            cells.Add(new CellState
            {
                Definition = cell,
                HouseholdsByAddress = byAddress.ToImmutable(),
                LastHouseholdNumber = byAddress.Count,
                Members = placed.ToImmutable(),
                CreatedUtc = CreatedUtc,
                VisitWatch = watch.ToImmutable(),
                // As every grain write stamps it: the issue index catches up from the ledger from here on activation.
                WrittenUtc = CreatedUtc,
            });
        }

        var community = new CommunityState
        {
            Definition = definition,
            Cells = [.. cells.Select(c => c.Definition!.Code)],
            MembersByPhone = membersByPhone.ToImmutable(),
            LastMemberNumber = membersByPhone.Count,
            CreatedUtc = CreatedUtc,
            HandedOver = CommunityParts.All,
        };
        // As every grain write stamps it: the issue index catches up from the ledger from here on activation.
        var issues = new CommunityIssuesState { WrittenUtc = CreatedUtc };
        var points = new CommunityPointsState { LeaderboardYear = CreatedUtc.ToOffset(ChinaTime.Offset).Year, Leaderboard = leaderboard.ToImmutable() };
        return new CityCommunity(community, issues, points, cells.MoveToImmutable(), [.. households], [.. members]);
    }

    /// <summary>The cell's share of a total spread over every cell of the city: the first cells take the remainder.</summary>
    private int Share(int total, int cellIndex) => total / Size.Cells + (cellIndex < total % Size.Cells ? 1 : 0);

    private static readonly string[] Numerals = ["", "一", "二", "三", "四", "五", "六", "七", "八", "九"];

    private static string Numeral(int n) => n < Numerals.Length ? Numerals[n] : n.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
