using System.Globalization;
using System.Text.RegularExpressions;
using Grid.Contracts;
using Grid.Grains;

namespace Grid.Api.Open311;

/// <summary>What an Open311 POST says about the problem and the person, before Grid checks it.</summary>
public sealed record Open311Submission(string? Description, string? AddressString, string? FirstName, string? LastName, string? Phone);

/// <summary>Where a request is, in words: the cell and its community (from the cell list).</summary>
public sealed record Open311Place(string CellName, string CommunityName)
{
    /// <summary>练溪社区第一网格; the community is not repeated when the cell's name already starts with it.</summary>
    public string Address => CellName.StartsWith(CommunityName, StringComparison.Ordinal) ? CellName : CommunityName + CellName;
}

/// <summary>
/// Grid issues ↔ GeoReport v2 service requests, as plain functions: statuses, times (China
/// Standard Time, +08:00), services from categories, and the issue report made from a POST.
/// Requests never carry the reporter's name or phone.
/// </summary>
public static partial class Open311Mapping
{
    public const string Source = "open311";
    public const string Open = "open";
    public const string Closed = "closed";
    public const int MaxTitle = 100;
    public const int MaxDescription = 2000;
    public const int MaxAddress = 200;
    public const int MaxReporterName = 50;

    /// <summary>Open311 knows open and closed: a closed (核查结案) or rejected (不予立案) issue is closed, any other open.</summary>
    public static string Status(IssueStatus status) => status is IssueStatus.Closed or IssueStatus.Rejected ? Closed : Open;

    /// <summary>The Grid statuses an Open311 status stands for; null when it is neither open nor closed.</summary>
    public static IReadOnlyCollection<IssueStatus>? Statuses(string open311Status) => open311Status.Trim().ToLowerInvariant() switch
    {
        Open => [.. Enum.GetValues<IssueStatus>().Where(s => Status(s) == Open)],
        Closed => [IssueStatus.Closed, IssueStatus.Rejected],
        _ => null,
    };

    /// <summary>Where the issue stands in Grid's closed loop, in words; tells a rejected issue from a closed one.</summary>
    public static string StatusNotes(IssueStatus status) => status switch
    {
        IssueStatus.Reported => "已上报，待社区立案",
        IssueStatus.Accepted => "已立案，待派遣",
        IssueStatus.Rejected => "不予立案",
        IssueStatus.Dispatched => "已派遣，待处置",
        IssueStatus.InProgress => "处置中",
        IssueStatus.Resolved => "已处置，待核查",
        IssueStatus.Closed => "已核查结案",
        _ => status.ToString(),
    };

    /// <summary>ISO 8601 in China Standard Time: 2026-03-01T14:05:09+08:00.</summary>
    public static string Time(DateTimeOffset t) =>
        t.ToOffset(ChinaTime.Offset).ToString("yyyy-MM-dd'T'HH:mm:sszzz", CultureInfo.InvariantCulture);

    public static string? Time(DateTimeOffset? t) => t is { } v ? Time(v) : null;

    [GeneratedRegex(@"(T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?) (\d{2}:?\d{2})$")]
    private static partial Regex SpaceForPlus();

    [GeneratedRegex(@"(?:[Zz]|[+-]\d{2}:?\d{2})$")]
    private static partial Regex ZoneSuffix();

    /// <summary>
    /// A start_date or end_date: ISO 8601, with Z or an offset as the spec asks; without one it is
    /// taken as China Standard Time. A '+' sent unencoded in a query string arrives as a space and
    /// is read as '+'. Null when it is not a date.
    /// </summary>
    public static DateTimeOffset? ParseTime(string? text)
    {
        if (string.IsNullOrWhiteSpace(text)) return null;
        var s = SpaceForPlus().Replace(text.Trim(), "$1+$2");
        if (ZoneSuffix().IsMatch(s))
            return DateTimeOffset.TryParse(s, CultureInfo.InvariantCulture, DateTimeStyles.None, out var zoned) ? zoned : null;
        return DateTime.TryParse(s, CultureInfo.InvariantCulture, DateTimeStyles.None, out var local)
            ? new DateTimeOffset(DateTime.SpecifyKind(local, DateTimeKind.Unspecified), ChinaTime.Offset)
            : null;
    }

    /// <summary>A service for a category subclass; its group is the parent class.</summary>
    public static Open311Service Service(IssueCategory subclass, IssueCategory? parent)
    {
        var kind = subclass.Kind == "component" ? "部件" : "事件";
        var group = parent?.Name ?? "";
        return new Open311Service(
            ServiceCode: subclass.Code,
            ServiceName: subclass.Name,
            Description: $"{(group.Length > 0 ? group + "·" : "")}{subclass.Name}（{kind}），派遣后 {subclass.HandlingHours} 小时内处置。",
            Metadata: false,
            Type: "realtime",
            Keywords: kind,
            Group: group);
    }

    /// <summary>A request from the full issue (a single lookup): the whole description.</summary>
    public static Open311Request Request(IssueRecord issue, Open311Place? place) => new(
        ServiceRequestId: issue.Id,
        Status: Status(issue.Status),
        StatusNotes: StatusNotes(issue.Status),
        ServiceName: issue.CategoryName,
        ServiceCode: issue.Report.CategoryCode,
        Description: issue.Report.Description.Length > 0 ? issue.Report.Description : issue.Report.Title,
        AgencyResponsible: Agency(issue.Assignee, place),
        ServiceNotice: issue.HandlingHours > 0 ? $"派遣后 {issue.HandlingHours} 小时内处置" : null,
        RequestedDatetime: Time(issue.CreatedUtc),
        UpdatedDatetime: Time(issue.History.IsDefaultOrEmpty ? issue.CreatedUtc : issue.History[^1].AtUtc),
        ExpectedDatetime: Time(issue.DeadlineUtc),
        Address: place?.Address,
        AddressId: null,
        Zipcode: null,
        Lat: issue.Report.Location?.Lat,
        Long: issue.Report.Location?.Lng,
        MediaUrl: null);

    /// <summary>A request from a ledger summary (listings): the title stands in for the description.</summary>
    public static Open311Request Request(IssueSummary summary, Open311Place? place) => new(
        ServiceRequestId: summary.Id,
        Status: Status(summary.Status),
        StatusNotes: StatusNotes(summary.Status),
        ServiceName: summary.CategoryName,
        ServiceCode: summary.CategoryCode,
        Description: summary.Title,
        AgencyResponsible: Agency(summary.Assignee, place),
        ServiceNotice: null,
        RequestedDatetime: Time(summary.CreatedUtc),
        UpdatedDatetime: Time(summary.UpdatedUtc),
        ExpectedDatetime: Time(summary.DeadlineUtc),
        Address: place?.Address,
        AddressId: null,
        Zipcode: null,
        Lat: summary.Location?.Lat,
        Long: summary.Location?.Lng,
        MediaUrl: null);

    /// <summary>An organ handling it is named; otherwise the community (its committee answers for the cell's workers and members).</summary>
    private static string? Agency(Assignee? assignee, Open311Place? place) =>
        assignee is { Kind: AssigneeKind.Organ, Name.Length: > 0 } ? assignee.Name : place?.CommunityName;

    /// <summary>lat and long as WGS-84 decimal degrees inside China, or why not.</summary>
    public static (GeoPoint? Point, string? Error) Point(string? lat, string? lng)
    {
        if (string.IsNullOrWhiteSpace(lat) || string.IsNullOrWhiteSpace(lng))
            return (null, "lat 和 long 必填：Grid 按位置把请求归入所在网格，仅凭 address_string 无法定位。");
        if (!double.TryParse(lat, NumberStyles.Float, CultureInfo.InvariantCulture, out var y) ||
            !double.TryParse(lng, NumberStyles.Float, CultureInfo.InvariantCulture, out var x))
            return (null, "lat 和 long 应为十进制度数（WGS-84），例如 lat=30.7115&long=120.4215。");
        var point = new GeoPoint(x, y);
        return Geometry.PointError(point) is { } error ? (null, $"lat/long: {error}") : (point, null);
    }

    /// <summary>The issue report for a POST in <paramref name="cellCode"/>, or why it cannot be one.</summary>
    public static (IssueReport? Report, string? Error) Report(Open311Submission submission, string cellCode, string serviceCode, string categoryName, GeoPoint point)
    {
        var (description, error) = Description(submission.Description, submission.AddressString);
        if (error is not null) return (null, error);
        var name = ReporterName(submission.FirstName, submission.LastName);
        if (name.Length > MaxReporterName) return (null, $"first_name 与 last_name 合计最多 {MaxReporterName} 个字符。");
        if (name.Any(char.IsControl)) return (null, "first_name 和 last_name 不能含控制字符。");
        return (new IssueReport
        {
            CellCode = cellCode,
            CategoryCode = serviceCode,
            Title = Title(submission.Description, categoryName),
            Description = description,
            Location = point,
            Source = Source,
            ReporterName = name,
            ReporterPhone = Phone(submission.Phone),
        }, null);
    }

    /// <summary>
    /// The issue's description: the client's text with line breaks kept (as \n), and the
    /// address_string, which Grid has no field for, on a last line "地址：…".
    /// </summary>
    public static (string Text, string? Error) Description(string? description, string? addressString)
    {
        var text = Lines(description);
        var address = (addressString ?? "").Trim();
        if (text.Any(c => char.IsControl(c) && c is not '\n' and not '\t'))
            return ("", "description 除换行和制表符外不能含控制字符。");
        if (address.Length > MaxAddress) return ("", $"address_string 最多 {MaxAddress} 个字符。");
        if (address.Any(char.IsControl)) return ("", "address_string 应为一行，不能含控制字符。");
        var full = address.Length == 0 ? text : text.Length == 0 ? $"地址：{address}" : $"{text}\n地址：{address}";
        return full.Length > MaxDescription
            ? ("", $"description（连同 address_string）最多 {MaxDescription} 个字符，现为 {full.Length} 个。")
            : (full, null);
    }

    /// <summary>The first line of the description, cut to 100 characters; the service's name when there is no description.</summary>
    public static string Title(string? description, string serviceName)
    {
        var first = Lines(description).Split('\n').Select(l => l.Replace('\t', ' ').Trim()).FirstOrDefault(l => l.Length > 0);
        if (first is null) return serviceName;
        if (first.Length <= MaxTitle) return first;
        var keep = char.IsHighSurrogate(first[MaxTitle - 2]) ? MaxTitle - 2 : MaxTitle - 1;
        return string.Concat(first.AsSpan(0, keep), "…");
    }

    /// <summary>
    /// The reporter's name from first_name and last_name: a Chinese name family name first with
    /// no space (last_name 张, first_name 三 → 张三), any other "first last".
    /// </summary>
    public static string ReporterName(string? firstName, string? lastName)
    {
        var first = (firstName ?? "").Trim();
        var last = (lastName ?? "").Trim();
        if (first.Length == 0 || last.Length == 0) return first + last;
        return IsHan(first) || IsHan(last) ? last + first : $"{first} {last}";
    }

    /// <summary>
    /// The phone if it is a mainland mobile or landline number (spaces, brackets, a +86 prefix and
    /// dashes inside a mobile number are tolerated); otherwise nothing, and the request is kept anyway.
    /// </summary>
    public static string Phone(string? phone)
    {
        if (string.IsNullOrWhiteSpace(phone)) return "";
        var p = string.Concat(phone.Where(c => !char.IsWhiteSpace(c) && c is not '(' and not ')'));
        if (p.StartsWith("+86", StringComparison.Ordinal)) p = p[3..];
        else if (p.StartsWith("0086", StringComparison.Ordinal)) p = p[4..];
        p = p.TrimStart('-');
        if (PersonalData.IsMobile(p.Replace("-", ""))) return p.Replace("-", "");
        return PersonalData.IsPhone(p) ? p : "";
    }

    private static string Lines(string? text) => (text ?? "").Replace("\r\n", "\n").Replace('\r', '\n').Trim();

    private static bool IsHan(string s) => s.Any(c => c is >= '\u4e00' and <= '\u9fff' or >= '\u3400' and <= '\u4dbf');
}
