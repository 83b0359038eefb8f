using System.Text.Json;
using Grid.Api.Open311;
using Grid.Contracts;
using Grid.Grains.Issues;

namespace Grid.Tests.Open311;

[Trait("Tier", "Unit")]
public class Open311MappingTests
{
    private static readonly IssueCategory Litter = new() { Code = "10.01", Name = "暴露垃圾", Kind = "event", ParentCode = "10", HandlingHours = 24 };
    private static readonly IssueCategory Environment = new() { Code = "10", Name = "市容环境", Kind = "event" };
    private static readonly GeoPoint InCell = new(120.4215, 30.7115);
    private static readonly Open311Place Place = new("网格001", "练溪社区");

    [Theory]
    [InlineData(IssueStatus.Reported, "open")]
    [InlineData(IssueStatus.Accepted, "open")]
    [InlineData(IssueStatus.Dispatched, "open")]
    [InlineData(IssueStatus.InProgress, "open")]
    [InlineData(IssueStatus.Resolved, "open")]
    [InlineData(IssueStatus.Closed, "closed")]
    [InlineData(IssueStatus.Rejected, "closed")]
    public void Closed_and_rejected_issues_are_closed_requests_and_every_other_status_is_open(IssueStatus status, string expected)
    {
        Assert.Equal(expected, Open311Mapping.Status(status));
        Assert.Contains(status, Open311Mapping.Statuses(expected)!);
        Assert.False(string.IsNullOrEmpty(Open311Mapping.StatusNotes(status)));
    }

    [Fact]
    public void Open311_statuses_split_grid_statuses_without_overlap()
    {
        var open = Open311Mapping.Statuses("open")!;
        var closed = Open311Mapping.Statuses(" CLOSED ")!;
        Assert.Empty(open.Intersect(closed));
        Assert.Equal(Enum.GetValues<IssueStatus>().Order(), open.Concat(closed).Order());
        Assert.Null(Open311Mapping.Statuses("pending"));
        Assert.NotEqual(Open311Mapping.StatusNotes(IssueStatus.Closed), Open311Mapping.StatusNotes(IssueStatus.Rejected));
    }

    [Fact]
    public void Times_are_written_in_china_standard_time_with_their_offset()
    {
        Assert.Equal("2026-03-01T14:05:09+08:00", Open311Mapping.Time(new DateTimeOffset(2026, 3, 1, 6, 5, 9, 123, TimeSpan.Zero)));
        Assert.Equal("2026-03-02T01:00:00+08:00", Open311Mapping.Time(new DateTimeOffset(2026, 3, 1, 12, 0, 0, TimeSpan.FromHours(-5))));
        Assert.Null(Open311Mapping.Time((DateTimeOffset?)null));
    }

    [Theory]
    [InlineData("2026-03-01T00:00:00Z", "2026-03-01T00:00:00+00:00")]
    [InlineData("2026-03-01T08:00:00+08:00", "2026-03-01T00:00:00+00:00")]
    [InlineData("2026-03-01T08:00:00 08:00", "2026-03-01T00:00:00+00:00")] // '+' decoded to a space in a query string
    [InlineData("2026-02-28T19:00:00-05:00", "2026-03-01T00:00:00+00:00")]
    [InlineData("2026-03-01T08:00:00", "2026-03-01T00:00:00+00:00")]      // no offset: China Standard Time
    [InlineData("2026-03-01", "2026-02-28T16:00:00+00:00")]
    public void Dates_are_read_as_iso_8601_with_china_standard_time_when_no_offset_is_given(string text, string utc) =>
        Assert.Equal(DateTimeOffset.Parse(utc), Open311Mapping.ParseTime(text));

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("yesterday")]
    [InlineData("2026-13-01T00:00:00Z")]
    public void What_is_not_a_date_is_no_date(string? text) => Assert.Null(Open311Mapping.ParseTime(text));

    [Fact]
    public void A_service_is_a_subclass_grouped_by_its_class()
    {
        var service = Open311Mapping.Service(Litter, Environment);
        Assert.Equal(new Open311Service("10.01", "暴露垃圾", service.Description, false, "realtime", "事件", "市容环境"), service);
        Assert.Contains("24", service.Description);
        var json = JsonSerializer.Serialize(service, Open311Json.Options);
        foreach (var field in new[] { "service_code", "service_name", "description", "metadata", "type", "keywords", "group" })
            Assert.Contains($"\"{field}\":", json);
    }

    [Fact]
    public void The_title_is_the_first_line_of_the_description_cut_to_100_characters_or_else_the_service_name()
    {
        Assert.Equal("井盖丢了", Open311Mapping.Title("\r\n  井盖丢了  \r\n在3幢门口", "井盖破损或缺失"));
        Assert.Equal("井盖破损或缺失", Open311Mapping.Title("   ", "井盖破损或缺失"));
        Assert.Equal("井盖破损或缺失", Open311Mapping.Title(null, "井盖破损或缺失"));
        var cut = Open311Mapping.Title(new string('长', 150), "x");
        Assert.Equal(100, cut.Length);
        Assert.EndsWith("…", cut);
        Assert.Equal(new string('长', 100), Open311Mapping.Title(new string('长', 100), "x"));
    }

    [Theory]
    [InlineData("三", "张", "张三")]
    [InlineData("秀英", "欧阳", "欧阳秀英")]
    [InlineData("John", "Smith", "John Smith")]
    [InlineData("", "张", "张")]
    [InlineData(" 小明 ", null, "小明")]
    [InlineData(null, null, "")]
    public void The_reporters_name_puts_a_chinese_family_name_first(string? first, string? last, string expected) =>
        Assert.Equal(expected, Open311Mapping.ReporterName(first, last));

    [Theory]
    [InlineData("13812345678", "13812345678")]
    [InlineData("138 1234 5678", "13812345678")]
    [InlineData("+86 138-1234-5678", "13812345678")]
    [InlineData("0086 13812345678", "13812345678")]
    [InlineData("0572-3012345", "0572-3012345")]
    [InlineData("(0572) 3012345", "05723012345")]
    [InlineData("12345", "")]
    [InlineData("+1 415 555 0100", "")]
    [InlineData(null, "")]
    public void A_phone_is_kept_only_when_it_is_a_valid_chinese_number(string? phone, string expected) =>
        Assert.Equal(expected, Open311Mapping.Phone(phone));

    [Fact]
    public void The_description_keeps_line_breaks_and_takes_the_address_on_a_last_line()
    {
        Assert.Equal("井盖丢了\n很危险\n地址：3幢门口", Open311Mapping.Description(" 井盖丢了\r\n很危险 ", " 3幢门口 ").Text);
        Assert.Equal("地址：3幢门口", Open311Mapping.Description(null, "3幢门口").Text);
        Assert.Equal("井盖丢了", Open311Mapping.Description("井盖丢了", "").Text);
        Assert.Contains("控制字符", Open311Mapping.Description("井盖\u0007丢了", null).Error);
        Assert.Contains("address_string", Open311Mapping.Description("井盖丢了", "3幢\n门口").Error);
        Assert.Contains("2000", Open311Mapping.Description(new string('a', 1995), "3幢门口12").Error);
        Assert.Null(Open311Mapping.Description(new string('a', 2000), null).Error);
    }

    [Theory]
    [InlineData(null, "120.42", "必填")]
    [InlineData("30.71", "", "必填")]
    [InlineData("north", "120.42", "十进制度数")]
    [InlineData("120.42", "30.71", "填反")]
    [InlineData("NaN", "120.42", "有限")]
    public void A_position_needs_lat_and_long_inside_china(string? lat, string? lng, string reason)
    {
        var (point, error) = Open311Mapping.Point(lat, lng);
        Assert.Null(point);
        Assert.Contains(reason, error);
    }

    [Fact]
    public void A_position_is_longitude_and_latitude()
    {
        Assert.Equal(InCell, Open311Mapping.Point(" 30.7115", "120.4215 ").Point);
    }

    [Fact]
    public void A_submission_becomes_an_open311_issue_report_of_the_cell()
    {
        var (report, error) = Open311Mapping.Report(
            new Open311Submission("小区东门暴露垃圾\n三天没清理", "练溪花园东门", "三", "张", "138 1234 5678"), "330503101001001", Litter.Code, Litter.Name, InCell);
        Assert.Null(error);
        Assert.Equal(new IssueReport
        {
            CellCode = "330503101001001",
            CategoryCode = "10.01",
            Title = "小区东门暴露垃圾",
            Description = "小区东门暴露垃圾\n三天没清理\n地址：练溪花园东门",
            Location = InCell,
            Source = "open311",
            ReporterName = "张三",
            ReporterPhone = "13812345678",
        }, report);

        Assert.Equal("", Open311Mapping.Report(new Open311Submission(null, null, null, null, "110"), "330503101001001", Litter.Code, Litter.Name, InCell).Report!.ReporterPhone);
        Assert.Contains("50", Open311Mapping.Report(new Open311Submission("x", null, new string('名', 40), new string('姓', 11), null), "330503101001001", Litter.Code, Litter.Name, InCell).Error);
    }

    private static IssueRecord Issue(IssueStatus status = IssueStatus.Reported)
    {
        var report = new IssueReport
        {
            CellCode = "330503101001001", CategoryCode = "10.01", Title = "小区东门暴露垃圾", Description = "小区东门暴露垃圾\n三天没清理",
            Location = InCell, Source = "open311", ReporterName = "王秀英", ReporterPhone = "13812345678",
        };
        var issue = IssueWorkflow.Report("330503101001001-2026-00042", report, Litter, "open311:civic-app", "civic-app",
            new DateTimeOffset(2026, 3, 1, 6, 5, 9, TimeSpan.Zero));
        return issue with { Status = status };
    }

    [Fact]
    public void A_request_from_an_issue_has_the_spec_fields_and_nothing_about_the_reporter()
    {
        var dispatched = Issue(IssueStatus.Dispatched) with
        {
            DeadlineUtc = new DateTimeOffset(2026, 3, 2, 6, 0, 0, TimeSpan.Zero),
            Assignee = new Assignee { Kind = AssigneeKind.Organ, Id = "x", Name = "南浔区民政局" },
        };
        var request = Open311Mapping.Request(dispatched, Place);
        Assert.Equal("330503101001001-2026-00042", request.ServiceRequestId);
        Assert.Equal("open", request.Status);
        Assert.Equal("10.01", request.ServiceCode);
        Assert.Equal("暴露垃圾", request.ServiceName);
        Assert.Equal("小区东门暴露垃圾\n三天没清理", request.Description);
        Assert.Equal("2026-03-01T14:05:09+08:00", request.RequestedDatetime);
        Assert.Equal("2026-03-02T14:00:00+08:00", request.ExpectedDatetime);
        Assert.Equal("南浔区民政局", request.AgencyResponsible);
        Assert.Equal("练溪社区网格001", request.Address);
        Assert.Equal((30.7115, 120.4215), (request.Lat, request.Long));

        var json = JsonSerializer.Serialize(request, Open311Json.Options);
        foreach (var field in new[] { "service_request_id", "status", "status_notes", "service_name", "service_code", "description", "agency_responsible",
                     "service_notice", "requested_datetime", "updated_datetime", "expected_datetime", "address", "address_id", "zipcode", "lat", "long", "media_url" })
            Assert.Contains($"\"{field}\":", json);
        foreach (var secret in new[] { "王秀英", "13812345678", "reporter", "phone", "open311:civic-app" })
            Assert.DoesNotContain(secret, json);
    }

    [Fact]
    public void A_request_from_a_ledger_summary_shows_the_title_and_position()
    {
        var issue = Issue(IssueStatus.Rejected);
        var request = Open311Mapping.Request(IssueSummary.Of(issue), Place);
        Assert.Equal("closed", request.Status);
        Assert.Equal("不予立案", request.StatusNotes);
        Assert.Equal("小区东门暴露垃圾", request.Description);
        Assert.Equal("练溪社区", request.AgencyResponsible);
        Assert.Equal((30.7115, 120.4215), (request.Lat, request.Long));
        Assert.Null(Open311Mapping.Request(IssueSummary.Of(issue), null).Address);
    }

    [Fact]
    public void The_address_names_the_community_once()
    {
        Assert.Equal("练溪社区网格001", Place.Address);
        Assert.Equal("练溪社区第一网格", new Open311Place("练溪社区第一网格", "练溪社区").Address);
    }

    [Fact]
    public void Times_keep_their_plus_sign_and_chinese_stays_readable_in_the_json()
    {
        var json = JsonSerializer.Serialize(Open311Mapping.Request(Issue(), Place), Open311Json.Options);
        Assert.Contains("\"requested_datetime\":\"2026-03-01T14:05:09+08:00\"", json);
        Assert.Contains("暴露垃圾", json);
    }
}
