using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Grid.Contracts;
using Grid.Tests.Api;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Grid.Tests.Security;

/// <summary>
/// Every role against every endpoint the app maps, read from the app's own endpoint list. An
/// endpoint missing from <see cref="Expected"/>, or mapped without an explicit authorisation
/// requirement or AllowAnonymous, fails this test: nothing new ships without a decided policy.
/// </summary>
[Collection(GridHostCollection.Name)]
[Trait("Tier", "Integration")]
public partial class AuthorizationMatrixTests(GridHost host)
{
    private const string Admin = "root", Committee = "committee-a", Scheduler = "scheduler-a", Worker = "worker-a1", Member = "member-a";
    private static readonly string[] Users = [Admin, Committee, Scheduler, Worker, Member];
    private static readonly string[] AllButAdmin = [Committee, Scheduler, Worker, Member];
    private static readonly string[] NotDirectoryKeepers = [Scheduler, Worker, Member];

    /// <summary>How an endpoint answers each signed-in role: Forbidden lists who gets 403, everyone else must get past authorisation.</summary>
    /// <summary>ApiKey: Open311's own key; Cookie: the Orleans dashboard's own cookie. Either way no bearer token gets in (401).</summary>
    private sealed record Rule(string[] Forbidden, bool Anonymous = false, bool ApiKey = false, bool Cookie = false)
    {
        public bool OwnCredential => ApiKey || Cookie;
    }

    private static Rule Allow() => new([]);
    private static Rule Deny(params string[] users) => new(users);
    private static readonly Rule OrleansCookie = new([], Cookie: true);

    // Requests use paths inside community A (cell A1) and, where a body is sent, "{}".
    private static readonly Dictionary<string, Rule> Expected = new()
    {
        ["POST /api/auth/token"] = new([], Anonymous: true),
        ["GET /api/me"] = Allow(),
        ["PUT /api/users/{username}"] = Deny(AllButAdmin),
        ["GET /api/users/{username}"] = Deny(AllButAdmin),
        ["GET /api/communities/"] = Allow(),
        ["GET /api/communities/{code}"] = Allow(),
        ["PUT /api/communities/{code}"] = Deny(AllButAdmin),
        ["GET /api/communities/{code}/cells"] = Allow(),
        ["GET /api/cells/{code}"] = Allow(),
        ["POST /api/households/"] = Deny(Scheduler, Member),
        ["GET /api/households/{id}"] = Allow(),
        ["POST /api/members/"] = Deny(NotDirectoryKeepers),
        ["GET /api/members/{id}"] = Allow(),
        ["GET /api/organs/{code}"] = Allow(),
        ["PUT /api/organs/{code}"] = Deny(AllButAdmin),
        ["POST /api/import/cells"] = Deny(NotDirectoryKeepers),
        ["POST /api/import/households"] = Deny(NotDirectoryKeepers),
        ["POST /api/import/members"] = Deny(NotDirectoryKeepers),
        ["POST /api/issues/"] = Allow(),
        ["GET /api/issues/{id}"] = Allow(),
        ["POST /api/issues/{id}/{action}"] = Deny(NotDirectoryKeepers), // action: accept
        ["GET /api/cells/{code}/issues"] = Allow(),
        ["GET /api/communities/{code}/issues"] = Allow(),
        ["GET /api/communities/{code}/issue-counters"] = Allow(),
        ["GET /api/communities/{code}/kpis"] = Deny(Worker, Member),
        ["POST /api/communities/{code}/issues/reindex"] = Deny(AllButAdmin),
        ["GET /api/me/inbox"] = Allow(),
        ["GET /api/categories/"] = Allow(),
        ["PUT /api/categories/{code}"] = Deny(AllButAdmin),
        ["POST /api/issues/{id}/photos/"] = Deny(NotDirectoryKeepers), // reporter, assignee or committee
        ["GET /api/issues/{id}/photos/{photoId}"] = Allow(),
        ["PUT /api/organs/{code}/roster"] = Deny(AllButAdmin),
        ["GET /api/organs/{code}/roster"] = Deny(AllButAdmin), // committees only of communities the organ works with
        ["POST /api/organs/{code}/communities/{communityCode}"] = Deny(NotDirectoryKeepers),
        ["POST /api/organs/{code}/registrations"] = Deny(NotDirectoryKeepers),
        ["GET /api/organs/{code}/figures"] = Allow(),
        ["POST /api/members/{id}/placement"] = Deny(NotDirectoryKeepers),
        ["GET /api/members/{id}/standing"] = Deny(Scheduler),
        ["GET /api/members/{id}/card"] = Allow(),
        ["POST /api/members/{id}/points"] = Deny(NotDirectoryKeepers),
        ["PUT /api/members/{id}/mobile"] = Deny(Scheduler, Worker),
        ["PUT /api/members/{id}/households/{householdId}"] = Deny(Scheduler, Member),
        ["DELETE /api/members/{id}/households/{householdId}"] = Deny(Scheduler, Member),
        ["POST /api/households/{id}/visits"] = Deny(Scheduler, Member),
        ["GET /api/households/{id}/visits"] = Allow(),
        ["GET /api/cells/{code}/visits-due"] = Allow(),
        ["GET /api/communities/{code}/leaderboard"] = Allow(),
        ["GET /api/communities/{code}/point-rules"] = Allow(),
        ["PUT /api/communities/{code}/point-rules"] = Deny(NotDirectoryKeepers),
        ["POST /api/assignments/"] = Allow(),
        ["GET /api/assignments/{id}"] = Deny(Scheduler),
        ["POST /api/assignments/{id}/{action}"] = Deny(Admin, Committee, Scheduler, Worker), // action: accept, the member's own
        ["GET /api/audit"] = Deny(AllButAdmin),
        ["GET /api/communities/{code}/households/export"] = Deny(AllButAdmin),
        ["GET /open311/v2/services.{format}"] = new([], ApiKey: true),
        ["POST /open311/v2/requests.{format}"] = new([], ApiKey: true),
        ["GET /open311/v2/requests.{format}"] = new([], ApiKey: true),
        ["GET /open311/v2/requests/{id}.{format}"] = new([], ApiKey: true),
        ["GET,POST /open311/{**rest}"] = new([], Anonymous: true), // unknown Open311 paths: a 404 in Open311's shape, no data
        ["POST /hubs/command/negotiate"] = Allow(),
        ["GET /hubs/command"] = Allow(),
        ["GET /api/dashboard/config"] = Allow(),
        ["POST /api/dashboard/orleans-session"] = Deny(AllButAdmin),
        ["DELETE /api/dashboard/orleans-session"] = Allow(),
        // Orleans' dashboard: administrators with the cookie POST /api/dashboard/orleans-session sets (DashboardApiTests).
        ["GET /orleans/"] = OrleansCookie,
        ["GET /orleans/index.html"] = OrleansCookie,
        ["GET /orleans/favicon.ico"] = OrleansCookie,
        ["GET /orleans/index.min.js"] = OrleansCookie,
        ["GET /orleans/index.css"] = OrleansCookie,
        ["GET /orleans/fonts/{**path}"] = OrleansCookie,
        ["GET /orleans/img/{**path}"] = OrleansCookie,
        ["GET /orleans/version"] = OrleansCookie,
        ["GET /orleans/DashboardCounters"] = OrleansCookie,
        ["GET /orleans/ClusterStats"] = OrleansCookie,
        ["GET /orleans/Reminders"] = OrleansCookie,
        ["GET /orleans/Reminders/{page:int}"] = OrleansCookie,
        ["GET /orleans/HistoricalStats/{*path}"] = OrleansCookie,
        ["GET /orleans/SiloProperties/{*address}"] = OrleansCookie,
        ["GET /orleans/SiloMetadata/{*address}"] = OrleansCookie,
        ["GET /orleans/SiloStats/{*address}"] = OrleansCookie,
        ["GET /orleans/SiloCounters/{*address}"] = OrleansCookie,
        ["GET /orleans/GrainStats/{*grainName}"] = OrleansCookie,
        ["GET /orleans/TopGrainMethods"] = OrleansCookie,
        ["GET /orleans/GrainState"] = OrleansCookie,
        ["GET /orleans/LifecycleStages"] = OrleansCookie,
        ["GET /orleans/GrainTypes"] = OrleansCookie,
        ["GET /orleans/Trace"] = OrleansCookie,
        // Recurring activities (issue 5): schedulers and committees edit; members act for themselves only.
        ["GET /api/communities/{code}/schedules/"] = Allow(),
        ["GET /api/communities/{code}/schedules/{scheduleId}"] = Allow(),
        ["PUT /api/communities/{code}/schedules/{scheduleId}"] = Deny(Worker, Member),
        ["DELETE /api/communities/{code}/schedules/{scheduleId}"] = Deny(Worker, Member),
        ["GET /api/communities/{code}/activities"] = Allow(),
        ["GET /api/activities/{id}/"] = Allow(),
        ["POST /api/activities/{id}/sign-up"] = Deny(Admin, Committee, Scheduler, Worker),
        ["POST /api/activities/{id}/leave"] = Deny(Admin, Committee, Scheduler, Worker),
        ["POST /api/activities/{id}/sign-in"] = Deny(Admin, Committee, Scheduler, Worker),
        ["GET /api/activities/{id}/code"] = Deny(Worker, Member),
        ["PUT /api/activities/{id}/posts/{post}"] = Deny(Worker, Member),
        ["POST /api/activities/{id}/close"] = Deny(Worker, Member),
        // Hangfire's dashboard: its own cookie (POST /api/dashboard/hangfire-session), or an administrator's bearer token.
        ["POST /api/dashboard/hangfire-session/"] = Deny(AllButAdmin),
        ["DELETE /api/dashboard/hangfire-session/"] = Allow(),
        ["GET /hangfire/{**path}"] = Deny(AllButAdmin),
        ["GET /openapi/{documentName}.json"] = new([], Anonymous: true),
        ["GET /api/ops/node"] = Deny(AllButAdmin),
        ["POST /api/ops/node/gc"] = Deny(AllButAdmin),
        ["GET /health/live"] = new([], Anonymous: true),
        ["GET /health/ready"] = new([], Anonymous: true),
    };

    private sealed record Mapped(string Key, string Method, string Pattern, bool HasPolicy);

    private List<Mapped> Endpoints() =>
        [.. host.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>().Select(e =>
        {
            var methods = e.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods;
            var pattern = e.RoutePattern.RawText!;
            var method = methods is null ? (pattern.EndsWith("negotiate", StringComparison.Ordinal) ? "POST" : "GET") : methods[0];
            var key = methods is { Count: > 1 } ? $"{string.Join(",", methods)} {pattern}" : $"{method} {pattern}";
            var explicitPolicy = e.Metadata.GetMetadata<IAllowAnonymous>() is not null || e.Metadata.GetOrderedMetadata<IAuthorizeData>().Count > 0;
            return new Mapped(key, method, pattern, explicitPolicy);
        })];

    [Fact]
    public void Every_endpoint_has_an_explicit_policy_and_an_expected_answer()
    {
        var endpoints = Endpoints();
        Assert.Empty(endpoints.Where(e => !e.HasPolicy).Select(e => e.Key));
        Assert.Empty(endpoints.Where(e => !Expected.ContainsKey(e.Key)).Select(e => e.Key));
        Assert.Empty(Expected.Keys.Except(endpoints.Select(e => e.Key))); // the table does not describe endpoints that are gone
    }

    [Fact]
    public async Task Every_role_gets_the_expected_answer_from_every_endpoint()
    {
        var world = await World();
        var failures = new List<string>();
        // Reads first, then changes, so that no change made by this test alters what a read answers.
        foreach (var e in Endpoints().Where(e => Expected.ContainsKey(e.Key)).OrderBy(e => e.Method == "GET" ? 0 : 1).ThenBy(e => e.Pattern, StringComparer.Ordinal))
        {
            var rule = Expected[e.Key];
            var path = Fill(e.Pattern, world);
            var anonymous = await Send(host.CreateClient(), e.Method, path);
            if (rule.Anonymous || rule.OwnCredential)
            {
                var status = (int)anonymous.StatusCode;
                if (rule.OwnCredential ? status != 401 : status is 401 or 403) failures.Add($"anonymous {e.Key}: {status}");
                if (!rule.OwnCredential) continue;
            }
            else if (anonymous.StatusCode != HttpStatusCode.Unauthorized) failures.Add($"anonymous {e.Key}: {(int)anonymous.StatusCode}, expected 401");

            foreach (var user in Users)
            {
                var status = (int)(await Send(await host.As(user), e.Method, path)).StatusCode;
                var expected = rule.OwnCredential ? "401" : rule.Forbidden.Contains(user) ? "403" : "neither 401 nor 403";
                var ok = rule.OwnCredential ? status == 401 : rule.Forbidden.Contains(user) ? status == 403 : status is not (401 or 403);
                if (!ok) failures.Add($"{user} {e.Key} → {path}: {status}, expected {expected}");
                if (status >= 500) failures.Add($"{user} {e.Key}: server error {status}");
            }
        }
        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }

    private static async Task<HttpResponseMessage> Send(HttpClient client, string method, string path) =>
        await client.SendAsync(new HttpRequestMessage(new HttpMethod(method), path)
        {
            // The CSV imports only route text/csv (else 415 before anything else); every other body is "{}".
            Content = method is "GET" or "DELETE" ? null
                : path.EndsWith("/households", StringComparison.Ordinal) && path.Contains("/import/") || path.EndsWith("/import/members", StringComparison.Ordinal)
                    ? new StringContent("cell_code,address\n", System.Text.Encoding.UTF8, "text/csv")
                    : JsonContent.Create(new { }),
        });

    private sealed record WorldIds(string IssueId, string HouseholdId, string LinkHouseholdId, string AssignmentId, string Organ, string ActivityId);

    /// <summary>Resources inside community A for the paths: an issue, two households, an assignment for member-a, a fresh organ.</summary>
    private async Task<WorldIds> World()
    {
        var committee = await host.As(Committee);
        var admin = await host.As(Admin);
        async Task<string> Household(string address) =>
            (await (await committee.PostAsJsonAsync("/api/households", new { cellCode = host.CellA1, address })).Content.ReadFromJsonAsync<JsonElement>())
            .GetProperty("id").GetString()!;
        var issue = await (await committee.PostAsJsonAsync("/api/issues", new { cellCode = host.CellA1, categoryCode = "10.01", title = "矩阵测试" }))
            .Content.ReadFromJsonAsync<JsonElement>();
        var assignment = await (await committee.PostAsJsonAsync("/api/assignments", new
        {
            memberId = host.MemberA, cellCode = host.CellA1, kind = "patrol", title = "矩阵巡查", dueUtc = DateTimeOffset.UtcNow.AddDays(1),
        })).Content.ReadFromJsonAsync<JsonElement>();
        var organ = TestData.OrganCode("11330503MC" + Random.Shared.Next(1_000_000, 9_999_999));
        (await admin.PutAsJsonAsync($"/api/organs/{organ}", new { name = "矩阵局", membersRequired = 1 })).EnsureSuccessStatusCode();
        // A weekly activity in community A with a post (the schedule is matrix-weekly).
        var schedule = await (await committee.PutAsJsonAsync($"/api/communities/{host.CommunityA}/schedules/{MatrixSchedule}", new
        {
            title = "矩阵学习", cron = "0 19 * * 3", posts = new[] { "签到引导" },
        })).Content.ReadFromJsonAsync<JsonElement>();
        var activity = Grid.Grains.Activities.ActivityCalendar.ActivityId(host.CommunityA, MatrixSchedule, schedule.GetProperty("nextStartsUtc")[0].GetDateTimeOffset());
        return new WorldIds(issue.GetProperty("id").GetString()!, await Household("矩阵楼1号"), await Household("矩阵楼2号"),
            assignment.GetProperty("id").GetString()!, organ, activity);
    }

    private const string MatrixSchedule = "matrix-weekly";

    [GeneratedRegex(@"\{\*?\*?([A-Za-z]+)(?::[a-z]+)?\}")]
    private static partial Regex Parameter();

    private string Fill(string pattern, WorldIds w)
    {
        var path = Parameter().Replace(pattern, m => m.Groups[1].Value switch
        {
            "code" when pattern.StartsWith("/api/cells", StringComparison.Ordinal) => host.CellA1,
            "code" when pattern.StartsWith("/api/organs", StringComparison.Ordinal) => w.Organ,
            "code" when pattern.StartsWith("/api/categories", StringComparison.Ordinal) => "10.01",
            "code" or "communityCode" => host.CommunityA,
            "id" when pattern.StartsWith("/api/households", StringComparison.Ordinal) => w.HouseholdId,
            "id" when pattern.StartsWith("/api/members", StringComparison.Ordinal) => host.MemberA,
            "id" when pattern.StartsWith("/api/assignments", StringComparison.Ordinal) => w.AssignmentId,
            "id" when pattern.StartsWith("/open311", StringComparison.Ordinal) => w.IssueId,
            "id" when pattern.StartsWith("/api/activities", StringComparison.Ordinal) => w.ActivityId,
            "scheduleId" => MatrixSchedule,
            "post" => Uri.EscapeDataString("签到引导"),
            "id" => w.IssueId,
            "householdId" => w.LinkHouseholdId,
            "action" => "accept",
            "username" => Member,
            "photoId" => "0123456789abcdef",
            "documentName" => "v1",
            "format" => "json",
            "rest" => "v2/discovery.json",
            "path" or "grainName" => "x",
            "address" => "127.0.0.1:11111@1",
            "page" => "1",
            var other => throw new InvalidOperationException($"No value for route parameter {other} in {pattern}"),
        }).TrimEnd('/');
        return pattern.StartsWith("/api/issues/{id}/photos", StringComparison.Ordinal) && !pattern.Contains("photoId") ? path + "?kind=before" : path;
    }
}
