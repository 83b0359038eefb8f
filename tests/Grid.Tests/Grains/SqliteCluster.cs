using Grid.Grains;
using Grid.Grains.Issues;
using Grid.Silo.Hosting;
using Grid.Silo.Storage;
using Microsoft.Extensions.DependencyInjection;
using Orleans.TestingHost;

namespace Grid.Tests.Grains;

/// <summary>An in-process Orleans cluster whose grains persist to a real SQLite file through Grid's own schema.</summary>
public sealed class SqliteCluster : IAsyncDisposable
{
    private SqliteCluster(string dataDirectory, InProcessTestCluster cluster)
    {
        DataDirectory = dataDirectory;
        Cluster = cluster;
    }

    public string DataDirectory { get; }

    public InProcessTestCluster Cluster { get; }

    public IGrainFactory Grains => Cluster.Client;

    public string ConnectionString => new GridOptions { DataDirectory = DataDirectory }.SqliteConnectionString;

    public IServiceProvider SiloServices => Cluster.Silos[0].ServiceProvider;

    /// <summary>Starts a cluster of <paramref name="silos"/> silos (one by default) on the SQLite file in <paramref name="dataDirectory"/>, creating it if new.</summary>
    public static async Task<SqliteCluster> StartAsync(string dataDirectory, TimeProvider? clock = null, ILiveEvents? live = null, int silos = 1)
    {
        SqliteSchema.Apply(new GridOptions { DataDirectory = dataDirectory }.SqliteConnectionString);
        var builder = new InProcessTestClusterBuilder((short)silos);
        builder.ConfigureSilo((_, silo) =>
        {
            silo.Services.Configure<GridOptions>(o => o.DataDirectory = dataDirectory);
            silo.Services.AddSingleton(clock ?? TimeProvider.System);
            silo.Services.AddSingleton<ILiveEvents>(live ?? new RecordingLiveEvents());
            silo.Services.AddSingleton<IIssueLedger, SqliteIssueLedger>();
            silo.Services.AddOptions<IssueOptions>();
            silo.AddGridSqliteStorage();
        });
        var cluster = builder.Build();
        await cluster.DeployAsync();
        return new SqliteCluster(dataDirectory, cluster);
    }

    public async ValueTask DisposeAsync()
    {
        await Cluster.StopAllSilosAsync();
        await Cluster.DisposeAsync();
    }
}

/// <summary>One cluster shared by the grain tests of a class; each test uses its own community.</summary>
public sealed class SqliteClusterFixture : IAsyncLifetime
{
    public SqliteCluster Silo { get; private set; } = null!;

    public async Task InitializeAsync() => Silo = await SqliteCluster.StartAsync(TestData.TempDirectory("grains"));

    public async Task DisposeAsync() => await Silo.DisposeAsync();
}

/// <summary>Keeps every live event a grain published, for assertions.</summary>
public sealed class RecordingLiveEvents : ILiveEvents
{
    private readonly List<LiveEvent> events = [];

    public IReadOnlyList<LiveEvent> Events { get { lock (events) return [.. events]; } }

    public void Publish(LiveEvent e) { lock (events) events.Add(e); }
}
