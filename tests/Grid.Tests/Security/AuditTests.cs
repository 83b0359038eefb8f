using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Grid.Tests.Api;

namespace Grid.Tests.Security;

[Collection(GridHostCollection.Name)]
public sealed class AuditTests(GridHost host) : AuditSuite(host);

[Collection(PostgresGridHostCollection.Name)]
public sealed class AuditTestsOnPostgres(PostgresGridHost host) : AuditSuite(host);

[Trait("Tier", "Integration")]
public abstract class AuditSuite(GridHost host)
{
    private async Task<JsonElement[]> Audit(string query) =>
        (await (await host.As("root")).GetFromJsonAsync<JsonElement[]>($"/api/audit?{query}"))!;

    [Fact]
    public async Task Every_state_changing_request_is_recorded_with_who_what_and_outcome_refusals_included()
    {
        var address = "审计楼" + Guid.NewGuid().ToString("N")[..6];
        var created = await (await host.As("worker-a1")).PostAsJsonAsync("/api/households", new { cellCode = host.CellA1, address });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        await ProblemAssert.Is(await (await host.As("scheduler-a")).PostAsJsonAsync("/api/households", new { cellCode = host.CellA1, address }), 403);
        await ProblemAssert.Is(await host.CreateClient().PostAsJsonAsync("/api/households", new { cellCode = host.CellA1, address }), 401);

        var worker = await Audit("user=worker-a1&limit=1000");
        Assert.Contains(worker, e => e.GetProperty("route").GetString() == "/api/households/" && e.GetProperty("status").GetInt32() == 201
            && e.GetProperty("method").GetString() == "POST" && e.GetProperty("role").GetString() == "grid_worker");
        Assert.Contains(await Audit("user=scheduler-a&limit=1000"), e => e.GetProperty("status").GetInt32() == 403);
        Assert.Contains(await Audit("user=anonymous&limit=1000"), e => e.GetProperty("status").GetInt32() == 401 && e.GetProperty("path").GetString() == "/api/households");
        // The body — residents' data — is never in the trail.
        Assert.DoesNotContain(address, JsonSerializer.Serialize(worker));
        await ProblemAssert.Is(await (await host.As("committee-a")).GetAsync("/api/audit"), 403);
        await ProblemAssert.NamesField(await (await host.As("root")).GetAsync("/api/audit?limit=5000"), "limit");
    }

    [Fact]
    public async Task The_trail_cannot_be_changed_or_deleted_even_in_the_database()
    {
        await (await host.As("committee-a")).PostAsJsonAsync("/api/households", new { cellCode = host.CellA1, address = "审计楼X" });
        foreach (var sql in new[] { $"UPDATE {host.AuditTable} SET Username = 'nobody'", $"DELETE FROM {host.AuditTable}" })
        {
            var e = await Assert.ThrowsAnyAsync<System.Data.Common.DbException>(() => host.ExecuteInDatabase(sql));
            Assert.Contains("append-only", e.Message);
        }
    }

    [Fact]
    public async Task Exporting_personal_data_is_an_admin_action_and_is_audited()
    {
        await (await host.As("committee-a")).PostAsJsonAsync("/api/households", new
        {
            cellCode = host.CellA1, address = "导出楼1号", residents = new[] { new { name = "卫青", phone = "13522223333", relation = "户主" } },
        });
        await ProblemAssert.Is(await (await host.As("committee-a")).GetAsync($"/api/communities/{host.CommunityA}/households/export"), 403);
        var export = await (await host.As("root")).GetAsync($"/api/communities/{host.CommunityA}/households/export");
        Assert.Equal("text/csv", export.Content.Headers.ContentType!.MediaType);
        var csv = await export.Content.ReadAsStringAsync();
        Assert.StartsWith("cell_code,address,tags,resident_name,resident_phone", csv.TrimStart('\uFEFF'));
        Assert.Contains("卫青,13522223333", csv);
        Assert.Contains(await Audit("user=root&limit=1000"), e => e.GetProperty("detail").GetString()!.StartsWith("exported personal data of", StringComparison.Ordinal));
    }
}
