using Grid.Contracts;

namespace Grid.Grains.Issues;

/// <summary>
/// Write-behind for the issue indexes of cells and communities. Every step of every issue in a cell
/// or community updates its index; written one by one, the community grain alone took one storage
/// write per step of every issue in the community. Updates are applied in memory at once (reads and
/// live counters see them immediately) and written together a short interval later, or with any
/// other write of the grain, or when it deactivates.
///
/// Nothing is lost in a crash between two writes: the issue ledger holds every summary before any
/// index is sent it, and each write stamps the state with when it was written. On activation the
/// index takes again from the ledger every summary whose last step is later than that stamp less
/// <see cref="CatchUpMargin"/>, which covers an update that reached the index later than its step
/// happened (a queue, a retry, another node's clock). Applying a summary twice changes nothing: the
/// index ignores versions it has.
/// </summary>
public sealed class IndexWriteBehind(Grain grain, Func<Task> write, TimeSpan delay)
{
    /// <summary>How far before the last write the catch-up reaches back.</summary>
    public static readonly TimeSpan CatchUpMargin = TimeSpan.FromMinutes(2);

    private IGrainTimer? timer;

    public bool Pending { get; private set; }

    /// <summary>An update is in memory only: write it within the delay.</summary>
    public void Changed()
    {
        Pending = true;
        timer ??= grain.RegisterGrainTimer(_ => Flush(), new GrainTimerCreationOptions(delay, Timeout.InfiniteTimeSpan));
    }

    /// <summary>The grain wrote its whole state, buffered updates included.</summary>
    public void Written() => Pending = false;

    public async Task Flush()
    {
        timer?.Dispose();
        timer = null;
        if (!Pending) return;
        try
        {
            await write();
        }
        catch
        {
            // Still only in memory: try again after the delay rather than wait for the next update.
            Changed();
            throw;
        }
    }

    /// <summary>Where the catch-up starts for a state last written at <paramref name="writtenUtc"/>; null: nothing to catch up.</summary>
    /// <remarks>A state without the stamp was written by a release that wrote every update at once.</remarks>
    public static DateTimeOffset? CatchUpFrom(bool recordExists, DateTimeOffset? writtenUtc) =>
        recordExists && writtenUtc is { } at ? at - CatchUpMargin : null;

    /// <summary>The summaries of the ledger newer than the index holds, oldest first.</summary>
    public static IEnumerable<IssueSummary> Missed(IReadOnlyList<IssueSummary> fromLedger, IReadOnlyDictionary<string, IssueSummary> index) =>
        fromLedger.Where(s => !index.TryGetValue(s.Id, out var held) || held.Version < s.Version).OrderBy(s => s.UpdatedUtc);
}
