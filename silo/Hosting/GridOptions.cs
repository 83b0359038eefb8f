using System.ComponentModel.DataAnnotations;

namespace Grid.Silo.Hosting;

/// <summary>Configuration section Grid: how this node runs.</summary>
public sealed class GridOptions
{
    public const string Section = "Grid";

    /// <summary>Orleans' service id of every Grid cluster: grain storage keys its rows by it, so it never changes.</summary>
    public const string ServiceId = "grid";

    /// <summary>Where the embedded profile keeps its SQLite file, logs and generated keys.</summary>
    [Required(ErrorMessage = "Grid:DataDirectory is required.")]
    public string DataDirectory { get; set; } = "data";

    public const string Embedded = "embedded";
    public const string Postgres = "postgres";

    /// <summary>embedded (one node, SQLite) or postgres (a cluster of nodes on PostgreSQL, see deploy/RUNBOOK.md).</summary>
    [RegularExpression("^(embedded|postgres)$", ErrorMessage = "Grid:Profile must be 'embedded' or 'postgres'.")]
    public string Profile { get; set; } = Embedded;

    /// <summary>
    /// postgres profile: the address other nodes reach this node's silo at (in Kubernetes the pod IP
    /// from the downward API). Empty: the first IPv4 address of this host that is not loopback.
    /// </summary>
    public string? AdvertisedAddress { get; set; }

    /// <summary>postgres profile: the cluster's name; nodes with the same database and cluster id form one cluster.</summary>
    [RegularExpression("^[A-Za-z0-9_.-]{1,64}$", ErrorMessage = "Grid:ClusterId must be 1-64 letters, digits, '.', '_' or '-'.")]
    public string ClusterId { get; set; } = "grid";

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

/// <summary>Configuration section Grid:Postgres (the postgres profile); the connection string is ConnectionStrings:Grid.</summary>
public sealed class PostgresOptions
{
    public const string Section = "Grid:Postgres";
    public const string ConnectionStringName = "Grid";

    /// <summary>Apply pending schema scripts when the node starts (false: run <c>Grid.Silo migrate</c> first).</summary>
    public bool MigrateOnStart { get; set; } = true;

    /// <summary>From ConnectionStrings:Grid.</summary>
    public string ConnectionString { get; set; } = "";
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
