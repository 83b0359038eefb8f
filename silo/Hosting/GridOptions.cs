using System.ComponentModel.DataAnnotations;

namespace Grid.Silo.Hosting;

/// <summary>Configuration section Grid: how this node runs.</summary>
public sealed class GridOptions
{
    public const string Section = "Grid";

    /// <summary>Where the embedded profile keeps its SQLite file, logs and generated keys.</summary>
    [Required(ErrorMessage = "Grid:DataDirectory is required.")]
    public string DataDirectory { get; set; } = "data";

    /// <summary>embedded (one node, SQLite). The postgres profile arrives with the production profile.</summary>
    [RegularExpression("^embedded$", ErrorMessage = "Grid:Profile must be 'embedded'; the 'postgres' profile is not available in this release.")]
    public string Profile { get; set; } = "embedded";

    [Range(1, 65535, ErrorMessage = "Grid:SiloPort must be a TCP port (1-65535).")]
    public int SiloPort { get; set; } = 11111;

    /// <summary>
    /// The silo port of the cluster's primary node (development clustering on one machine); 0,
    /// the default, makes this node the primary. Give a second node the first node's silo port
    /// and the same data directory to run two nodes as one cluster.
    /// </summary>
    [Range(0, 65535, ErrorMessage = "Grid:PrimarySiloPort must be 0 (this node) or a TCP port.")]
    public int PrimarySiloPort { get; set; }

    /// <summary>0: no gateway, the node's own API is the only client (embedded default).</summary>
    [Range(0, 65535, ErrorMessage = "Grid:GatewayPort must be 0 (none) or a TCP port.")]
    public int GatewayPort { get; set; }

    public string FullDataDirectory => Path.GetFullPath(DataDirectory);

    public string SqlitePath => Path.Combine(FullDataDirectory, "grid.db");

    /// <summary>Pooled connections; a generous busy timeout because SQLite has one writer at a time.</summary>
    public string SqliteConnectionString => $"Data Source={SqlitePath};Pooling=True;Default Timeout=30";
}

/// <summary>Configuration section Grid:Seed.</summary>
public sealed class SeedOptions
{
    public const string Section = "Grid:Seed";

    /// <summary>Seed the demo township on first start, and let its demo users sign in.</summary>
    public bool Demo { get; set; } = true;
}

/// <summary>Configuration section Grid:Admin: an administrator ensured at every start.</summary>
public sealed class AdminAccountOptions
{
    public const string Section = "Grid:Admin";

    public string? Username { get; set; }

    public string? Password { get; set; }
}
