using Microsoft.AspNetCore.Hosting;

namespace Grid.Tests.Testing;

/// <summary>Settings of the real node (Program) hosted in a test, so that every in-process node starts alike.</summary>
public static class NodeSettings
{
    /// <summary>Its own data directory and silo port, no demo township, an administrator "root".</summary>
    public static IWebHostBuilder UseTestNode(this IWebHostBuilder builder, string dataDirectory, string adminPassword) => builder
        .UseSetting("Grid:DataDirectory", dataDirectory)
        .UseSetting("Grid:Seed:Demo", "false")
        .UseSetting("Grid:SiloPort", TestData.FreeTcpPort().ToString())
        .UseSetting("Grid:Admin:Username", "root")
        .UseSetting("Grid:Admin:Password", adminPassword);

    /// <summary>The postgres profile on <paramref name="connectionString"/>, with the token key that profile requires.</summary>
    public static IWebHostBuilder UsePostgresProfile(this IWebHostBuilder builder, string connectionString) => builder
        .UseSetting("Grid:Profile", "postgres")
        .UseSetting("ConnectionStrings:Grid", connectionString)
        .UseSetting("Grid:Auth:SigningKey", Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(48)))
        .UseSetting("Grid:AdvertisedAddress", "127.0.0.1");
}
