using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Grid.Contracts;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Grid.Tests.Security;

[Trait("Tier", "Integration")]
public class LogPrivacyTests
{
    private const string AdminPassword = "log-privacy-admin";

    private sealed class VerboseHost(string dataDirectory) : WebApplicationFactory<Program>
    {
        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            builder.UseSetting("Grid:DataDirectory", dataDirectory);
            builder.UseSetting("Grid:Seed:Demo", "false");
            builder.UseSetting("Grid:SiloPort", TestData.FreeTcpPort().ToString());
            builder.UseSetting("Grid:Admin:Username", "root");
            builder.UseSetting("Grid:Admin:Password", AdminPassword);
            // As talkative as an operator might make it while chasing a problem.
            builder.UseSetting("Serilog:MinimumLevel:Default", "Debug");
            builder.UseSetting("Serilog:MinimumLevel:Override:Grid", "Verbose");
            builder.UseSetting("Serilog:MinimumLevel:Override:Microsoft.AspNetCore", "Debug");
            builder.UseSetting("Serilog:MinimumLevel:Override:Orleans", "Information");
        }
    }

    [Fact]
    public async Task A_full_scenario_with_personal_data_leaves_none_of_it_in_the_logs()
    {
        var data = TestData.TempDirectory("log-privacy");
        var community = TestData.NewCommunityCode();
        var cell = community + "001";
        var idNumber = TestData.IdNumber("33050319580817421");
        string[] secrets = ["欧阳青松", "13912345678", idNumber, "司马光明", "13787654321", "诸葛云飞", "13611112222"];

        await using (var host = new VerboseHost(data))
        {
            var http = host.CreateClient();
            var token = (await (await http.PostAsJsonAsync("/api/auth/token", new { username = "root", password = AdminPassword }))
                .Content.ReadFromJsonAsync<JsonElement>()).GetProperty("access_token").GetString();
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
            (await http.PutAsJsonAsync($"/api/communities/{community}", new { name = "隐私社区", centre = new { lng = 120.43, lat = 30.71 } })).EnsureSuccessStatusCode();
            (await http.PostAsJsonAsync("/api/import/cells", new
            {
                type = "FeatureCollection",
                features = new[] { new { type = "Feature", properties = new { code = cell, name = "一格" },
                    geometry = new { type = "Polygon", coordinates = new[] { TestData.Square().Select(p => new[] { p.Lng, p.Lat }).ToArray() } } } },
            })).EnsureSuccessStatusCode();

            var household = new
            {
                cellCode = cell, address = "隐私楼1号", tags = new[] { "elderly_alone" },
                residents = new[] { new { name = "欧阳青松", phone = "13912345678", idNumber, relation = "户主" } },
            };
            (await http.PostAsJsonAsync("/api/households", household)).EnsureSuccessStatusCode();
            await http.PostAsJsonAsync("/api/households", household with { tags = new[] { "hardship" } }); // 409
            await http.PostAsJsonAsync("/api/households", new { cellCode = cell, address = "坏号码", residents = new[] { new { name = "欧阳青松", phone = "13912345678x" } } }); // 400
            await http.PostAsync($"/api/import/households", new StringContent(
                $"cell_code,address,resident_name,resident_phone,resident_id_number\n{cell},导入1号,欧阳青松,13912345678,{idNumber}x\n", System.Text.Encoding.UTF8, "text/csv")); // 422
            (await http.PostAsJsonAsync("/api/members", new { name = "司马光明", phone = "13787654321", communityCode = community, branch = "第一党支部", cellCode = cell }))
                .EnsureSuccessStatusCode();
            var issue = await http.PostAsJsonAsync("/api/issues", new
            {
                cellCode = cell, categoryCode = "15.01", title = "独居老人求助", description = "老人电话13912345678无人接听", reporterName = "诸葛云飞", reporterPhone = "13611112222",
            });
            issue.EnsureSuccessStatusCode();

            // Whatever a developer writes later: records logged plainly, destructured, and inside exceptions.
            var logger = host.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Grid.Tests.Planted");
            var resident = new Resident { Name = "欧阳青松", Phone = "13912345678", IdNumber = idNumber, Relation = "户主" };
            var definition = new HouseholdDefinition { CellCode = cell, Address = "隐私楼1号", Residents = [resident] };
            logger.LogWarning("Planted: resident {Resident}, household {@Household}, phone {Phone}", resident, definition, "13912345678");
            logger.LogError(new InvalidOperationException($"Planted failure for {resident} at 13611112222 (id {idNumber})"), "Planted exception");
        }

        var logs = string.Concat(Directory.GetFiles(Path.Combine(data, "logs"), "*.json").Select(File.ReadAllText));
        Assert.Contains("Planted", logs); // the planted lines were written…
        Assert.Contains("139****5678", logs); // …with the numbers masked
        foreach (var secret in secrets) Assert.DoesNotContain(secret, logs);
    }
}
