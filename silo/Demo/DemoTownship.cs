using System.Collections.Immutable;
using Grid.Contracts;

namespace Grid.Silo.Demo;

/// <summary>
/// The demo township: 练市镇 of 南浔区, 湖州市 (division 330503), with two urban communities
/// and one village laid out as grids of cells around the town's real position. Everything is
/// derived from a fixed seed, so every node and every start produces the same directory.
/// </summary>
public sealed class DemoTownship
{
    /// <summary>1: the directory; 2: demo issues; 3: a Red Saturday schedule for every community.</summary>
    public const int Version = 3;
    public const string Password = "Grid@2026";
    private const string Township = "练市镇";
    private const string Division = "330503";
    private const string Street = "101";

    private sealed record CommunityPlan(string Number, string Name, string Kind, double Lng, double Lat, int Cols, int Rows, string[] Estates);

    private static readonly CommunityPlan[] Plans =
    [
        new("001", "练溪社区", "社区", 120.4260, 30.7125, 4, 2, ["练溪花园", "锦绣苑", "河畔新村", "文昌小区"]),
        new("002", "东栅社区", "社区", 120.4420, 30.7110, 4, 2, ["东栅新村", "丝绸小区", "银河苑", "长安里"]),
        new("201", "水口村", "村", 120.4050, 30.6990, 3, 2, []),
    ];

    private static readonly (string Name, string Prefix, int Required)[] OrganPlans =
    [
        ("南浔区民政局", "11" + Division, 20),
        ("南浔区住房和城乡建设局", "11" + Division, 20),
        ("国网湖州市南浔区供电公司", "91" + Division, 15),
    ];

    private readonly Random random;
    private readonly PeopleFaker people;

    public ImmutableArray<CommunityDefinition> Communities { get; }
    public ImmutableArray<CellDefinition> Cells { get; }
    public ImmutableArray<HouseholdDefinition> Households { get; }
    public ImmutableArray<OrganDefinition> Organs { get; }
    public ImmutableArray<MemberDefinition> Members { get; }
    /// <summary>Demo users without password hashes; the seeder hashes <see cref="Password"/>.</summary>
    public ImmutableArray<UserAccount> Users { get; }
    /// <summary>Issues to raise, and how far along the loop each has come.</summary>
    public ImmutableArray<DemoIssue> Issues { get; }

    public sealed record DemoIssue(string CellCode, string CategoryCode, string Title, string Description, IssueStatus Target, string Worker, string WorkerName, int? Rating);

    private static readonly (string Category, string Title, string Description)[] IssueIdeas =
    [
        ("10.01", "小区东门垃圾堆积", "垃圾桶已满，周边散落生活垃圾，气味较大"),
        ("01.02", "3幢门口路灯不亮", "连续三晚路灯不亮，老人夜间出行不便"),
        ("13.02", "楼道内电动车充电", "2单元楼道有电动车飞线充电，存在火灾隐患"),
        ("14.01", "楼上漏水引发邻里纠纷", "502漏水至402，双方协商未果"),
        ("10.03", "菜场路口积水", "雨后路口积水约10厘米，行人绕行"),
        ("15.01", "独居老人求助：水管爆裂", "老人家中厨房水管爆裂，需上门协助"),
        ("11.01", "沿街占道经营", "早市摊贩占用人行道经营"),
        ("13.01", "消防通道被车辆堵塞", "小区消防通道长期停放私家车"),
        ("04.01", "绿化带树木倒伏", "大风后绿化带一棵香樟倒伏，压住围栏"),
        ("02.01", "人行道地砖破损", "人行道多处地砖松动翘起"),
        ("01.01", "雨水井盖缺失", "河畔路雨水井盖缺失，已临时围挡"),
        ("12.01", "夜间施工扰民", "工地晚上十点后仍在施工"),
        ("15.03", "咨询高龄津贴申领", "居民咨询80周岁以上高龄津贴如何申领"),
        ("03.01", "垃圾分类桶破损", "厨余垃圾桶桶盖破损"),
        ("11.02", "违章停车堵塞路口", "路口违章停车影响通行"),
    ];

    /// <summary>红色星期六 of every community: the first Saturday of the month, 09:00-12:00 China Standard Time, at its service centre.</summary>
    public ImmutableArray<(string CommunityCode, ActivitySchedule Schedule)> Schedules { get; }

    public DemoTownship()
    {
        random = new Random(20261123);
        people = new PeopleFaker(random, Division);
        var communities = new List<CommunityDefinition>();
        var cells = new List<CellDefinition>();
        var households = new List<HouseholdDefinition>();
        var members = new List<MemberDefinition>();
        var users = new List<UserAccount>();
        var organs = OrganPlans.Select(o => new OrganDefinition { Code = OrganCode(o.Prefix), Name = o.Name, MembersRequired = o.Required }).ToList();

        var workerNumber = 0;
        foreach (var plan in Plans)
        {
            var communityCode = Division + Street + plan.Number;
            communities.Add(new CommunityDefinition
            {
                Code = communityCode,
                Name = plan.Name,
                Kind = plan.Kind,
                Township = Township,
                Centre = new GeoPoint(plan.Lng, plan.Lat),
                ServiceCentreAddress = $"{Township}{plan.Name}党群服务中心",
                ServiceCentreHours = "周一至周六 8:30-17:00",
            });
            var branches = plan.Kind == "村"
                ? new[] { $"{plan.Name}第一党支部", $"{plan.Name}第二党支部" }
                : new[] { $"{plan.Name}第一党支部", $"{plan.Name}第二党支部", $"{plan.Name}离退休党支部" };

            var lattice = Lattice(plan);
            var cellNumber = 0;
            for (var row = 0; row < plan.Rows; row++)
            {
                for (var col = 0; col < plan.Cols; col++)
                {
                    cellNumber++;
                    var cellCode = $"{communityCode}{cellNumber:D3}";
                    var worker = new GridWorkerRef { Username = $"worker{++workerNumber:D2}", DisplayName = PersonName() };
                    cells.Add(new CellDefinition
                    {
                        Code = cellCode,
                        Name = $"{plan.Name}第{Numerals[cellNumber]}网格",
                        Boundary = [lattice[row, col], lattice[row, col + 1], lattice[row + 1, col + 1], lattice[row + 1, col], lattice[row, col]],
                        GridWorkers = [worker],
                    });
                    users.Add(new UserAccount
                    {
                        Username = worker.Username, DisplayName = worker.DisplayName, Role = Roles.GridWorker,
                        CommunityCode = communityCode, CellCodes = [cellCode], PasswordHash = "", IsDemo = true,
                    });
                    households.AddRange(HouseholdsOf(plan, cellCode, cellNumber, 120 + random.Next(25)));
                    for (var m = 0; m < 10 + random.Next(5); m++)
                        members.Add(Member(communityCode, branches[random.Next(branches.Length)], cellCode, organCode: null));
                }
            }
        }

        // Organ members register with the communities and are placed in cells (下沉).
        foreach (var organ in organs)
        {
            var branch = $"{organ.Name}机关党支部";
            for (var i = 0; i < organ.MembersRequired - 3; i++)
            {
                var cell = cells[random.Next(cells.Count)];
                members.Add(Member(GridCodes.CommunityOf(cell.Code), branch, cell.Code, organ.Code));
            }
        }

        var lianxi = communities[0].Code;
        var memberUser = members.First(m => m.CommunityCode == lianxi && m.OrganCode is null);
        users.AddRange(
        [
            new UserAccount { Username = "admin", DisplayName = "系统管理员", Role = Roles.Admin, PasswordHash = "", IsDemo = true },
            new UserAccount { Username = "committee", DisplayName = "练溪社区党委", Role = Roles.Committee, CommunityCode = lianxi, PasswordHash = "", IsDemo = true },
            new UserAccount { Username = "committee2", DisplayName = "东栅社区党委", Role = Roles.Committee, CommunityCode = communities[1].Code, PasswordHash = "", IsDemo = true },
            new UserAccount { Username = "scheduler", DisplayName = "练溪社区活动组织者", Role = Roles.Scheduler, CommunityCode = lianxi, PasswordHash = "", IsDemo = true },
            // The member login's id is fixed by the seeder once ids are claimed (phone → id).
            new UserAccount { Username = "member", DisplayName = memberUser.Name, Role = Roles.Member, CommunityCode = lianxi, MemberId = memberUser.Phone, PasswordHash = "", IsDemo = true },
        ]);

        // One issue for every other cell, cycling through the loop's stages.
        IssueStatus[] stages = [IssueStatus.Reported, IssueStatus.Accepted, IssueStatus.Dispatched, IssueStatus.InProgress, IssueStatus.Resolved, IssueStatus.Closed];
        var issues = new List<DemoIssue>();
        for (var i = 0; i < cells.Count * 2; i++)
        {
            var cell = cells[(i * 7) % cells.Count];
            var idea = IssueIdeas[i % IssueIdeas.Length];
            var target = stages[i % stages.Length];
            issues.Add(new DemoIssue(cell.Code, idea.Category, idea.Title, idea.Description, target, cell.GridWorkers[0].Username, cell.GridWorkers[0].DisplayName,
                target == IssueStatus.Closed ? 3 + random.Next(3) : null));
        }

        Schedules = [.. communities.Select(c => (c.Code, new ActivitySchedule
        {
            Id = "red-saturday",
            Kind = ActivityKind.RedSaturday,
            Title = "红色星期六主题党日",
            Saturday = SaturdayOfMonth.First,
            StartTime = new TimeOnly(9, 0),
            DurationMinutes = 180,
            Place = c.ServiceCentreAddress,
            DefaultTheme = "学习党的创新理论，为群众办实事",
            Themes = new Dictionary<string, string>
            {
                ["2026-12"] = "冬季安全隐患大排查",
                ["2027-01"] = "走访慰问困难群众，送温暖迎新春",
                ["2027-02"] = "环境卫生整治，清洁家园过新年",
                ["2027-03"] = "学雷锋志愿服务月",
            }.ToImmutableDictionary(),
            Posts = ["签到引导", "秩序维护", "志愿服务"],
            UpdatedBy = "demo",
        }))];
        Communities = [.. communities];
        Cells = [.. cells];
        Households = [.. households];
        Organs = [.. organs];
        Members = [.. members];
        Users = [.. users];
        Issues = [.. issues];
    }

    private static readonly string[] Numerals = ["零", "一", "二", "三", "四", "五", "六", "七", "八", "九", "十", "十一", "十二"];

    /// <summary>Shared, slightly jittered corners, so neighbouring cells meet without gaps or overlaps.</summary>
    private GeoPoint[,] Lattice(CommunityPlan plan)
    {
        const double width = 0.0040, height = 0.0030; // about 380 m × 330 m at this latitude
        var corners = new GeoPoint[plan.Rows + 1, plan.Cols + 1];
        for (var r = 0; r <= plan.Rows; r++)
        {
            for (var c = 0; c <= plan.Cols; c++)
            {
                var inner = r > 0 && r < plan.Rows && c > 0 && c < plan.Cols;
                var jitterX = inner ? (random.NextDouble() - 0.5) * width * 0.3 : 0;
                var jitterY = inner ? (random.NextDouble() - 0.5) * height * 0.3 : 0;
                corners[r, c] = new GeoPoint(
                    Math.Round(plan.Lng + (c - plan.Cols / 2.0) * width + jitterX, 6),
                    Math.Round(plan.Lat + (plan.Rows / 2.0 - r) * height + jitterY, 6));
            }
        }
        return corners;
    }

    private IEnumerable<HouseholdDefinition> HouseholdsOf(CommunityPlan plan, string cellCode, int cellNumber, int count)
    {
        var used = new HashSet<string>();
        while (used.Count < count)
        {
            var address = plan.Kind == "村"
                ? $"{plan.Name}{cellNumber * 2 - 1 + random.Next(2)}组{random.Next(1, 90)}号"
                : $"{plan.Estates[(cellNumber - 1) % plan.Estates.Length]}{random.Next(1, 13)}幢{random.Next(1, 4)}单元{random.Next(1, 7)}0{random.Next(1, 4)}室";
            if (!used.Add(address)) continue;

            yield return people.Household(cellCode, address, urban: plan.Kind == "社区");
        }
    }

    private MemberDefinition Member(string communityCode, string branch, string cellCode, string? organCode) =>
        people.Member(communityCode, branch, cellCode, organCode);

    private string PersonName() => people.PersonName();

    private string OrganCode(string prefix)
    {
        var body = prefix;
        while (body.Length < 17) body += OrganCodes.Alphabet[random.Next(10)];
        return body + OrganCodes.CheckCharacter(body);
    }
}
