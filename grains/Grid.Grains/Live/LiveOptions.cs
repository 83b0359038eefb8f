using System.ComponentModel.DataAnnotations;

namespace Grid.Grains.Live;

/// <summary>Configuration section Grid:Live: the live-event fan-out to the dashboards.</summary>
public sealed class LiveOptions
{
    public const string Section = "Grid:Live";

    /// <summary>How long a batcher collects (and coalesces) events before it sends them to every node.</summary>
    /// <remarks>
    /// The window is the floor of the dashboard's latency: under load every event waits up to a whole window. At 500 events a
    /// second to 200 dashboards, 100 ms gave a p99 of 145 ms from the API's answer to the dashboard, 50 ms gave 95 ms, for twice
    /// the frames (BENCHMARKS.md, live dashboard at city load).
    /// </remarks>
    [Range(typeof(TimeSpan), "00:00:00.010", "00:00:05", ErrorMessage = "Grid:Live:FlushInterval must be between 10 ms and 5 s.")]
    public TimeSpan FlushInterval { get; set; } = TimeSpan.FromMilliseconds(50);

    /// <summary>How often a node registers its observer again, and a batcher reads the list of nodes again.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:05:00", ErrorMessage = "Grid:Live:NodeRefreshInterval must be between 1 s and 5 min.")]
    public TimeSpan NodeRefreshInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Ticker lines per community in one flush; the oldest lines of a bigger burst are counted, not sent.</summary>
    [Range(1, 1000, ErrorMessage = "Grid:Live:TickerCap must be from 1 to 1000.")]
    public int TickerCap { get; set; } = 50;

    /// <summary>How long a batcher waits for one node to take a batch before it skips that node until the next refresh.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:01:00", ErrorMessage = "Grid:Live:DeliveryTimeout must be between 100 ms and 1 min.")]
    public TimeSpan DeliveryTimeout { get; set; } = TimeSpan.FromSeconds(5);
}
