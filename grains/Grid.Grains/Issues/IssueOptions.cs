namespace Grid.Grains.Issues;

/// <summary>Configuration section Grid:Issues.</summary>
public sealed class IssueOptions
{
    public const string Section = "Grid:Issues";

    /// <summary>How long after closing an issue may be reopened.</summary>
    public TimeSpan ReopenWindow { get; set; } = TimeSpan.FromDays(7);

    /// <summary>How often the deadline watch asks every community for overdue issues.</summary>
    public TimeSpan DeadlineCheckInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>How long a cell or community holds issue index updates before writing them together (IndexWriteBehind).</summary>
    public TimeSpan IndexWriteDelay { get; set; } = TimeSpan.FromSeconds(1);
}
