using Microsoft.Extensions.Time.Testing;

namespace Grid.Tests.Testing;

/// <summary>A fixture holding one cluster for the tests of a class.</summary>
public interface IGridClusterFixture
{
    GridCluster Silo { get; }
}

/// <summary>One cluster shared by the grain tests of a class; each test uses its own community.</summary>
public abstract class ClusterFixture : IGridClusterFixture, IAsyncLifetime
{
    public GridCluster Silo { get; private set; } = null!;

    protected abstract Task<TestStorage> Storage();

    protected virtual Task<GridCluster> Start(TestStorage storage) => GridCluster.StartAsync(storage);

    public async Task InitializeAsync() => Silo = await Start(await Storage());

    public async Task DisposeAsync() => await Silo.DisposeAsync();
}

public sealed class SqliteClusterFixture : ClusterFixture
{
    protected override Task<TestStorage> Storage() => Task.FromResult(TestStorage.Sqlite(TestData.TempDirectory("grains")));
}

public sealed class PostgresClusterFixture : ClusterFixture
{
    protected override Task<TestStorage> Storage() => TestStorage.Postgres("grains");
}

/// <summary>Grains on an in-process silo, a clock the test moves, and recorded live events.</summary>
public abstract class ClockedFixture : ClusterFixture
{
    public FakeTimeProvider Clock { get; } = new(new DateTimeOffset(2026, 11, 2, 1, 0, 0, TimeSpan.Zero));
    public RecordingLiveEvents Live { get; } = new();

    protected override Task<GridCluster> Start(TestStorage storage) => GridCluster.StartAsync(storage, Clock, Live);
}

/// <summary>On the embedded profile (SQLite).</summary>
public sealed class ClockedClusterFixture : ClockedFixture
{
    protected override Task<TestStorage> Storage() => Task.FromResult(TestStorage.Sqlite(TestData.TempDirectory("issues")));
}

/// <summary>On the postgres profile.</summary>
public sealed class ClockedPostgresClusterFixture : ClockedFixture
{
    protected override Task<TestStorage> Storage() => TestStorage.Postgres("clocked");
}
