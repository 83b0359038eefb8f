using Grid.Api;
using Grid.Api.Dashboard;
using Grid.Api.Security;
using Grid.Silo.Activities;
using Grid.Silo.Demo;
using Grid.Silo.Health;
using Grid.Silo.Hosting;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Options;
using Orleans.Dashboard;

if (args.Length > 0 && args[0] == MigrateCommand.Verb) return await MigrateCommand.RunAsync(args[1..]);

var builder = WebApplication.CreateBuilder(args);
try
{
    builder.AddGridNode();
}
catch (OptionsValidationException e)
{
    // Refusals of the configuration (e.g. the postgres profile with demo users): say why, and stop.
    foreach (var failure in e.Failures) Console.Error.WriteLine(failure);
    return 2;
}
builder.Services.AddGridApi();
builder.Services.AddHealthChecks()
    .AddCheck<SiloHealthCheck>("silo", tags: ["ready"]);
builder.Services.AddHostedService<StartupSeeder>();

var app = builder.Build();
app.UseGridSecurityHeaders(app.Configuration);

// The dashboard: a static site copied next to the binaries at build time (see Grid.Silo.csproj).
var site = Path.Combine(AppContext.BaseDirectory, "dashboard");
if (Directory.Exists(site))
{
    var files = new PhysicalFileProvider(site);
    app.UseDefaultFiles(new DefaultFilesOptions { FileProvider = files });
    app.UseStaticFiles(new StaticFileOptions { FileProvider = files });
}
else
{
    app.Logger.LogWarning("No dashboard at {Path}; the API runs without it", site);
}
app.UseGridApi();
app.UseGridScheduling(); // Hangfire's dashboard at /hangfire, administrators only
app.MapGridApi();
app.MapOrleansDashboard(OrleansDashboardAuth.Path).RequireAuthorization(OrleansDashboardAuth.Policy);
app.MapHealthChecks("/health/live", new HealthCheckOptions { Predicate = _ => false }).AllowAnonymous();
app.MapHealthChecks("/health/ready", new HealthCheckOptions { Predicate = c => c.Tags.Contains("ready") }).AllowAnonymous();

app.Lifetime.ApplicationStarted.Register(() =>
{
    var data = app.Services.GetRequiredService<IOptions<GridOptions>>().Value.FullDataDirectory;
    foreach (var address in app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses ?? [])
        app.Logger.LogInformation("Grid is running at {Address} (data in {DataDirectory})", address, data);
});

await app.RunAsync();
return 0;

/// <summary>Lets the test host find this entry point.</summary>
public partial class Program;
