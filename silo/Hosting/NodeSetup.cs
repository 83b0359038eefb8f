using System.Net;
using System.Security.Cryptography;
using Grid.Api.Auth;
using Grid.Api.Issues;
using Grid.Grains;
using Grid.Grains.Issues;
using Grid.Grains.Live;
using Grid.Silo.Activities;
using Grid.Silo.Health;
using Grid.Silo.Issues;
using Grid.Silo.Live;
using Grid.Silo.Logging;
using Grid.Silo.Ops;
using Grid.Silo.Storage;
using Grid.Silo.Storage.Postgres;
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
        // The profile decides which services exist, so it is the one setting read while building.
        var postgres = string.Equals(builder.Configuration[GridOptions.Section + ":Profile"], GridOptions.Postgres, StringComparison.Ordinal);
        if (postgres) ProductionGuard.Enforce(builder.Configuration);

        services.AddOptions<GridOptions>().BindConfiguration(GridOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<SeedOptions>().BindConfiguration(SeedOptions.Section);
        services.AddOptions<AdminAccountOptions>().BindConfiguration(AdminAccountOptions.Section);
        services.AddOptions<PostgresOptions>().BindConfiguration(PostgresOptions.Section)
            .Configure<IConfiguration>((o, configuration) => o.ConnectionString = configuration.GetConnectionString(PostgresOptions.ConnectionStringName) ?? "");
        services.AddOptions<AuthOptions>().PostConfigure<IOptions<GridOptions>, IOptions<SeedOptions>>((auth, grid, seed) =>
        {
            // Only the embedded profile generates a key; the postgres profile must be given one (ProductionGuard).
            if (string.IsNullOrEmpty(auth.SigningKey) && grid.Value.Profile == GridOptions.Embedded)
                auth.SigningKey = LocalSigningKey(grid.Value.FullDataDirectory);
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

        if (postgres) AddPostgresProfile(builder);
        else AddEmbeddedProfile(builder);
        // Node figures (GET /api/ops/node): the grain call counter is a filter of every silo profile.
        services.AddSingleton<GrainCallCounter>();
        services.AddSingleton<IIncomingGrainCallFilter>(sp => sp.GetRequiredService<GrainCallCounter>());
        services.AddSingleton<Grid.Api.Ops.INodeMetrics, SiloNodeMetrics>();
        // The grains' options are bound by AddGridGrains; what an operator may configure is checked here.
        services.AddOptions<IssueOptions>()
            .Validate(o => o.ReopenWindow >= TimeSpan.Zero, "Grid:Issues:ReopenWindow must not be negative.")
            .Validate(o => o.DeadlineCheckInterval >= TimeSpan.FromSeconds(1), "Grid:Issues:DeadlineCheckInterval must be at least 1 second.")
            // Well inside the catch-up margin, so that a crash loses nothing the next activation does not take back from the ledger.
            .Validate(o => o.IndexWriteDelay > TimeSpan.Zero && o.IndexWriteDelay <= TimeSpan.FromSeconds(30), "Grid:Issues:IndexWriteDelay must be more than 0 and at most 30 seconds.")
            .ValidateOnStart();
        // Live events: grains → the batcher of their silo → every node's observer → that node's SignalR clients.
        services.AddOptions<LiveOptions>().ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<HubLiveNode>();
        services.AddHostedService<LiveNodeRegistration>();
        services.AddHostedService<DeadlineWatch>();
        // Red Saturday and other recurring activities: Hangfire jobs derived from the schedules.
        services.AddGridScheduling();
    }

    /// <summary>One node, SQLite in the data directory, localhost clustering.</summary>
    private static void AddEmbeddedProfile(WebApplicationBuilder builder)
    {
        var services = builder.Services;
        // Hosted services start in the order registered: the schema before the silo.
        services.AddHostedService<SqliteSchemaInstaller>();
        builder.UseOrleans(silo =>
        {
            silo.Configure<ClusterOptions>(o => (o.ClusterId, o.ServiceId) = ("grid-embedded", GridOptions.ServiceId));
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
            silo.AddGridGrains(GridOptions.Embedded);
            // Orleans' own dashboard (the official package), mounted for administrators in Program.cs.
            // No live log stream: the node's logs stay in its log files.
            silo.AddDashboard(o => o.HideTrace = true);
        });
        services.AddSingleton<IPhotoStore, SqlitePhotoStore>();
        services.AddSingleton<Grid.Api.Security.IAuditLog, SqliteAuditLog>();
        services.AddHealthChecks().AddCheck<SqliteStorageHealthCheck>("storage", tags: ["ready"]);
    }

    /// <summary>
    /// A node of a cluster on PostgreSQL: membership, grain state, the issue ledger, photos and the audit trail in
    /// the database named by ConnectionStrings:Grid; the schema migrated first (unless told not to).
    /// </summary>
    private static void AddPostgresProfile(WebApplicationBuilder builder)
    {
        var services = builder.Services;
        // A node leaving the cluster hands its grains over before it stops: give it time (Kubernetes'
        // terminationGracePeriodSeconds must be longer). HostOptions:ShutdownTimeout overrides.
        services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(45));
        services.Configure<HostOptions>(builder.Configuration.GetSection("HostOptions"));
        // Hosted services start in the order registered: the schema before the silo.
        services.AddHostedService<PostgresSchemaInstaller>();
        builder.UseOrleans(silo =>
        {
            silo.Services.AddOptions<ClusterOptions>().Configure<IOptions<GridOptions>>((cluster, grid) =>
                (cluster.ClusterId, cluster.ServiceId) = (grid.Value.ClusterId, GridOptions.ServiceId));
            silo.Services.AddOptions<EndpointOptions>().Configure<IOptions<GridOptions>>((endpoint, grid) =>
            {
                var advertised = AdvertisedAddress(grid.Value.AdvertisedAddress);
                endpoint.AdvertisedIPAddress = advertised;
                endpoint.SiloPort = grid.Value.SiloPort;
                endpoint.GatewayPort = grid.Value.GatewayPort;
                // A node advertised on loopback (tests, one machine) listens there only; otherwise on every interface.
                var listen = IPAddress.IsLoopback(advertised) ? advertised : IPAddress.Any;
                endpoint.SiloListeningEndpoint = new IPEndPoint(listen, grid.Value.SiloPort);
                if (grid.Value.GatewayPort > 0) endpoint.GatewayListeningEndpoint = new IPEndPoint(listen, grid.Value.GatewayPort);
            });
            silo.UseGridPostgresClustering();
            silo.AddGridGrains(GridOptions.Postgres);
            silo.AddDashboard(o => o.HideTrace = true);
        });
        services.AddSingleton<IPhotoStore, PostgresPhotoStore>();
        services.AddSingleton<Grid.Api.Security.IAuditLog, PostgresAuditLog>();
        // Hangfire's jobs shared by every node (registered before AddGridScheduling's in-memory default).
        services.AddGridPostgresScheduling();
        services.AddHealthChecks().AddCheck<PostgresStorageHealthCheck>("storage", tags: ["ready"]);
    }

    /// <summary>The configured address (an IP, or a name resolved once), else this host's first IPv4 address that is not loopback.</summary>
    internal static IPAddress AdvertisedAddress(string? configured)
    {
        if (!string.IsNullOrWhiteSpace(configured))
        {
            if (IPAddress.TryParse(configured.Trim(), out var ip)) return ip;
            return Dns.GetHostAddresses(configured.Trim()).FirstOrDefault(a => a.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork)
                ?? throw new InvalidOperationException($"Grid:AdvertisedAddress '{configured}' does not resolve to an IPv4 address.");
        }
        return System.Net.NetworkInformation.NetworkInterface.GetAllNetworkInterfaces()
            .Where(n => n.OperationalStatus == System.Net.NetworkInformation.OperationalStatus.Up)
            .SelectMany(n => n.GetIPProperties().UnicastAddresses)
            .Select(a => a.Address)
            .FirstOrDefault(a => a.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork && !IPAddress.IsLoopback(a))
            ?? IPAddress.Loopback;
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
