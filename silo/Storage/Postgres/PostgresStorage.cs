using Grid.Grains;
using Grid.Silo.Hosting;
using Microsoft.Extensions.Options;
using Orleans.Serialization;
using Orleans.Storage;

namespace Grid.Silo.Storage.Postgres;

public static class PostgresStorage
{
    /// <summary>Orleans' invariant name for PostgreSQL; it loads Npgsql.</summary>
    public const string Invariant = "Npgsql";

    /// <summary>Grid's grain storage on PostgreSQL: Orleans' ADO.NET provider, the same serializer as the embedded profile.</summary>
    public static ISiloBuilder AddGridPostgresStorage(this ISiloBuilder silo) =>
        silo.AddAdoNetGrainStorage(GridStorage.Provider, o => o.Configure<Serializer, IOptions<PostgresOptions>>((storage, serializer, postgres) =>
        {
            storage.Invariant = Invariant;
            storage.ConnectionString = postgres.Value.ConnectionString;
            storage.GrainStorageSerializer = new OrleansGrainStorageSerializer(serializer);
        }));

    /// <summary>Cluster membership in PostgreSQL: every node of the cluster reads and writes the same table.</summary>
    public static ISiloBuilder UseGridPostgresClustering(this ISiloBuilder silo) =>
        silo.UseAdoNetClustering(o => o.Configure<IOptions<PostgresOptions>>((clustering, postgres) =>
        {
            clustering.Invariant = Invariant;
            clustering.ConnectionString = postgres.Value.ConnectionString;
        }));
}
