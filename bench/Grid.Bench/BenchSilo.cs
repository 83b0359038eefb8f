using System.Net;
using System.Net.Sockets;
using Grid.Grains;
using Grid.Silo.Hosting;
using Grid.Silo.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Grid.Bench;

/// <summary>
/// A silo in the tool's own process on the node's SQLite storage setup, for the benchmarks that
/// measure grains and storage without HTTP in between (live events are not sent anywhere).
/// </summary>
public static class BenchSilo
{
    public static async Task<IHost> StartAsync(string dataDirectory)
    {
        Directory.CreateDirectory(dataDirectory);
        SqliteSchema.Apply(new GridOptions { DataDirectory = dataDirectory }.SqliteConnectionString);
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
        builder.Services.Configure<GridOptions>(o => o.DataDirectory = dataDirectory);
        // The node's service id: grain state rows are keyed by it, so a city that city-load wrote is read back.
        builder.UseOrleans(silo => silo.UseLocalhostClustering(siloPort: Loopback.FreePort(), gatewayPort: Loopback.FreePort(), serviceId: GridOptions.ServiceId)
            .AddGridGrains(GridOptions.Embedded));
        builder.Services.RemoveAll<ILiveEvents>().AddSingleton<ILiveEvents, NoLiveEvents>();
        var host = builder.Build();
        await host.StartAsync();
        return host;
    }
}

public static class Loopback
{
    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
