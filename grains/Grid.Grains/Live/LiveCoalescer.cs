using System.Collections.Immutable;

namespace Grid.Grains.Live;

/// <summary>
/// The live events of one flush window, coalesced: per cell only the latest status, per
/// community only the latest counters (both carry the whole state, so the final state is never
/// lost), and the ticker lines in order, at most <c>tickerCap</c> per community; the oldest
/// lines of a bigger burst give way to one line saying how many were left out.
/// Not thread-safe: the batcher grain's single activation owns it.
/// </summary>
public sealed class LiveCoalescer(int tickerCap)
{
    private readonly Dictionary<string, LiveEvent> cells = new(StringComparer.Ordinal);
    private readonly Dictionary<string, LiveEvent> counters = new(StringComparer.Ordinal);
    private readonly Dictionary<string, LiveEvent> activities = new(StringComparer.Ordinal);
    private readonly List<LiveEvent> reminders = [];
    private readonly Dictionary<string, Queue<LiveEvent>> tickers = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (int Count, DateTimeOffset LastAtUtc)> skipped = new(StringComparer.Ordinal);

    public bool IsEmpty => cells.Count == 0 && counters.Count == 0 && tickers.Count == 0 && activities.Count == 0 && reminders.Count == 0;

    /// <summary>Events taken in since the last drain, before coalescing.</summary>
    public int Received { get; private set; }

    public void Add(LiveEvent e)
    {
        Received++;
        switch (e.Kind)
        {
            case LiveEvent.KindCellStatus when e.CellCode is { } cell:
                KeepLatest(cells, cell, e);
                break;
            case LiveEvent.KindCounters:
                KeepLatest(counters, e.CommunityCode, e);
                break;
            // An occurrence's counts and a fan-out's progress carry their whole state: the latest wins.
            case LiveEvent.KindActivity or LiveEvent.KindReminderProgress when e.ActivityId is { } activity:
                KeepLatest(activities, $"{e.Kind}|{activity}|{e.Status}", e);
                break;
            // Each reminder is one member's own, recorded once in their inbox: none is left out.
            case LiveEvent.KindReminder when e.MemberId is not null:
                reminders.Add(e);
                break;
            default:
                if (!tickers.TryGetValue(e.CommunityCode, out var lines)) tickers[e.CommunityCode] = lines = new Queue<LiveEvent>();
                lines.Enqueue(e);
                if (lines.Count > tickerCap)
                {
                    var dropped = lines.Dequeue();
                    var (count, _) = skipped.GetValueOrDefault(e.CommunityCode);
                    skipped[e.CommunityCode] = (count + 1, dropped.AtUtc);
                }
                break;
        }
    }

    /// <summary>An event stamped before the one held arrived late: it is older, and the one held stays.</summary>
    private static void KeepLatest(Dictionary<string, LiveEvent> latest, string key, LiveEvent e)
    {
        if (!latest.TryGetValue(key, out var held) || e.AtUtc >= held.AtUtc) latest[key] = e;
    }

    /// <summary>Everything held, in the order a client should apply it: ticker lines, cell colours, counters.</summary>
    public LiveBatch Drain()
    {
        var events = ImmutableArray.CreateBuilder<LiveEvent>();
        foreach (var (community, lines) in tickers)
        {
            if (skipped.TryGetValue(community, out var s))
                events.Add(new LiveEvent
                {
                    Kind = LiveEvent.KindSkipped, CommunityCode = community, AtUtc = s.LastAtUtc,
                    Text = $"短时间内事件较多，{s.Count} 条未逐条显示",
                });
            events.AddRange(lines);
        }
        events.AddRange(cells.Values);
        events.AddRange(counters.Values);
        events.AddRange(activities.Values);
        events.AddRange(reminders);
        cells.Clear();
        counters.Clear();
        activities.Clear();
        reminders.Clear();
        tickers.Clear();
        skipped.Clear();
        Received = 0;
        return new LiveBatch { Events = events.ToImmutable() };
    }
}
