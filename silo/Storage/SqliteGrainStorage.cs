using Grid.Grains;
using Grid.Silo.Hosting;
using Microsoft.Extensions.Options;
using Orleans.Serialization;
using Orleans.Storage;

namespace Grid.Silo.Storage;

public static class SqliteGrainStorage
{
    /// <summary>Grid's grain storage: Orleans' ADO.NET provider on the SQLite file named by <see cref="GridOptions"/>.</summary>
    public static ISiloBuilder AddGridSqliteStorage(this ISiloBuilder silo) =>
        silo.AddAdoNetGrainStorage(GridStorage.Provider, o => o.Configure<Serializer, IOptions<GridOptions>>((storage, serializer, grid) =>
        {
            storage.Invariant = "System.Data.SQLite"; // Orleans' name for SQLite; it loads Microsoft.Data.Sqlite
            // A data source rather than a connection string: its writes join the file's group commit (see SqliteGrainStorageDataSource).
            storage.DataSource = new SqliteGrainStorageDataSource(grid.Value.SqliteConnectionString);
            // Orleans' own serializer honours [Id] and [Alias], so stored state survives additive changes.
            storage.GrainStorageSerializer = new OrleansGrainStorageSerializer(serializer);
        }));
}
