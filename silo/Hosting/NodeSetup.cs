using System.Net;
using System.Security.Cryptography;
using Grid.Api.Auth;
using Grid.Api.Issues;
using Grid.Grains;
using Grid.Grains.Issues;
using Grid.Grains.Live;
using Grid.Silo.Activities;
using Grid.Silo.Issues;
using Grid.Silo.Live;
using Grid.Silo.Logging;
using Grid.Silo.Storage;
using Microsoft.Extensions.Options;
using Orleans.Configuration;
using Orleans.Dashboard;
using Serilog;
using Serilog.Events;
using Serilog.Formatting.Compact;

namespace Grid.Silo.Hosting;

/// <summary>
/// Wires one Grid node. Everything that depends on configuration reads it from options when the
/// host starts, not while the builder is set up, so that every configuration source (files,
/// environment, command line, a test host's settings) is honoured the same way.
/// </summary>
public static class NodeSetup
{
    public static void AddGridNode(this WebApplicationBuilder builder)
    {
        if (string.IsNullOrEmpty(builder.Configuration["urls"])) builder.WebHost.UseUrls("http://127.0.0.1:5080");
        // A request body is at most 1 MiB unless its endpoint says more (imports, photos).
        builder.WebHost.ConfigureKestrel(k => k.Limits.MaxRequestBodySize = 1024 * 1024);
        var services = builder.Services;

        services.AddOptions<GridOptions>().BindConfiguration(GridOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<SeedOptions>().BindConfiguration(SeedOptions.Section);
        services.AddOptions<AdminAccountOptions>().BindConfiguration(AdminAccountOptions.Section);
        services.AddOptions<AuthOptions>().PostConfigure<IOptions<GridOptions>, IOptions<SeedOptions>>((auth, grid, seed) =>
        {
            if (string.IsNullOrEmpty(auth.SigningKey)) auth.SigningKey = LocalSigningKey(grid.Value.FullDataDirectory);
            auth.AllowDemoUsers = seed.Value.Demo;
        });

        // preserveStaticLogger: each host logs through its own logger, never the process-wide static one
        // (two hosts in one process, as in tests, would otherwise write into each other's files).
        services.AddSerilog((sp, log) =>
        {
            var grid = sp.GetRequiredService<IOptions<GridOptions>>().Value;
            // Defaults first, so that Serilog:* configuration can still raise or lower any level.
            log.MinimumLevel.Information()
                .MinimumLevel.Override("Microsoft", LogEventLevel.Warning)
                .MinimumLevel.Override("Microsoft.Hosting.Lifetime", LogEventLevel.Information)
                // Data protection is unused (tokens are JWTs); its key-storage warning is noise.
                .MinimumLevel.Override("Microsoft.AspNetCore.DataProtection", LogEventLevel.Error)
                .MinimumLevel.Override("Orleans", LogEventLevel.Warning)
                .MinimumLevel.Override("Polly", LogEventLevel.Warning)
                .ReadFrom.Configuration(builder.Configuration)
                .Destructure.With<PersonalDataDestructuringPolicy>()
                .Enrich.FromLogContext();
            // Personal data never reaches a sink: every sink is behind the scrubber.
            log.WriteTo.Sink(Serilog.Configuration.LoggerSinkConfiguration.Wrap(sink => new ScrubbingSink(sink), sinks =>
            {
                sinks.Console(outputTemplate: "[{Timestamp:HH:mm:ss} {Level:u3}] {SourceContext}: {Message:lj}{NewLine}{Exception}");
                sinks.File(new CompactJsonFormatter(), Path.Combine(grid.FullDataDirectory, "logs", "grid-.json"),
                    rollingInterval: RollingInterval.Day, retainedFileCountLimit: 14);
            }));
        }, preserveStaticLogger: true);

        // Hosted services start in the order registered: the schema before the silo.
        services.AddHostedService<SqliteSchemaInstaller>();
        builder.UseOrleans(silo =>
        {
            silo.Configure<ClusterOptions>(o => (o.ClusterId, o.ServiceId) = ("grid-embedded", "grid"));
            silo.Services.AddOptions<EndpointOptions>().Configure<IOptions<GridOptions>>((endpoint, grid) =>
            {
                endpoint.AdvertisedIPAddress = IPAddress.Loopback;
                endpoint.SiloPort = grid.Value.SiloPort;
                endpoint.GatewayPort = grid.Value.GatewayPort;
            });
            // Development clustering: the primary silo keeps the membership. A node started with
            // Grid:PrimarySiloPort set to another node's silo port joins that node's cluster.
            silo.UseDevelopmentClustering(o => o.Configure<IOptions<GridOptions>>((membership, grid) =>
                membership.PrimarySiloEndpoint = new IPEndPoint(IPAddress.Loopback, grid.Value.PrimarySiloPort is > 0 and var primary ? primary : grid.Value.SiloPort)));
            silo.AddGridSqliteStorage();
            // Orleans' own dashboard (the official package), mounted for administrators in Program.cs.
            // No live log stream: the node's logs stay in its log files.
            silo.AddDashboard(o => o.HideTrace = true);
        });
        services.AddSingleton(TimeProvider.System);
        services.AddOptions<IssueOptions>().BindConfiguration(IssueOptions.Section)
            .Validate(o => o.ReopenWindow >= TimeSpan.Zero, "Grid:Issues:ReopenWindow must not be negative.")
            .Validate(o => o.DeadlineCheckInterval >= TimeSpan.FromSeconds(1), "Grid:Issues:DeadlineCheckInterval must be at least 1 second.")
            .ValidateOnStart();
        services.AddSingleton<IIssueLedger, SqliteIssueLedger>();
        services.AddSingleton<IPhotoStore, SqlitePhotoStore>();
        services.AddSingleton<Grid.Api.Security.IAuditLog, SqliteAuditLog>();
        // Live events: grains → the batcher of their silo → every node's observer → that node's SignalR clients.
        services.AddOptions<LiveOptions>().BindConfiguration(LiveOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<ILiveEvents, ClusterLiveEvents>();
        services.AddSingleton<HubLiveNode>();
        services.AddHostedService<LiveNodeRegistration>();
        services.AddHostedService<DeadlineWatch>();
        // Red Saturday and other recurring activities: Hangfire jobs derived from the schedules.
        services.AddGridScheduling();
    }

    // The embedded profile keeps its token key beside its data, so tokens survive a restart
    // without anyone configuring a secret. Production profiles configure one.
    private static string LocalSigningKey(string dataDirectory)
    {
        Directory.CreateDirectory(dataDirectory);
        var path = Path.Combine(dataDirectory, "signing.key");
        if (File.Exists(path)) return File.ReadAllText(path).Trim();
        var key = Convert.ToBase64String(RandomNumberGenerator.GetBytes(48));
        File.WriteAllText(path, key);
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        return key;
    }
}
