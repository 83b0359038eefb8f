using System.Collections.Immutable;
using Grid.Contracts;

namespace Grid.Grains.Live;

/// <summary>
/// The live events of one flush window, coalesced by kind: an event that carries a whole state
/// (a cell's status, a community's counters, an occurrence's counts, a reminder fan-out's
/// progress) keeps only the latest per thing, so the final state is never lost; ticker lines stay
/// in order, at most <c>tickerCap</c> per community, the oldest lines of a bigger burst giving way
/// to one line saying how many were left out; a member's reminder is always kept.
/// Not thread-safe: the batcher grain's single activation owns it.
/// </summary>
public sealed class LiveCoalescer(int tickerCap)
{
    private readonly Dictionary<CellCode, CellStatusChanged> cells = [];
    private readonly Dictionary<CommunityCode, CountersChanged> counters = [];
    private readonly Dictionary<ActivityId, ActivityCountsChanged> activities = [];
    private readonly Dictionary<(ActivityId, int LeadMinutes), ReminderProgressChanged> progress = [];
    private readonly List<MemberReminder> reminders = [];
    private readonly Dictionary<CommunityCode, Queue<TickerLine>> tickers = [];
    private readonly Dictionary<CommunityCode, (int Count, DateTimeOffset LastAtUtc)> skipped = [];

    public bool IsEmpty => cells.Count == 0 && counters.Count == 0 && tickers.Count == 0 && activities.Count == 0 && progress.Count == 0 && reminders.Count == 0;

    /// <summary>Events taken in since the last drain, before coalescing.</summary>
    public int Received { get; private set; }

    public void Add(LiveEvent e)
    {
        Received++;
        switch (e)
        {
            case CellStatusChanged cell:
                KeepLatest(cells, cell.CellCode, cell);
                break;
            case CountersChanged c:
                KeepLatest(counters, c.CommunityCode, c);
                break;
            case ActivityCountsChanged counts:
                KeepLatest(activities, counts.ActivityId, counts);
                break;
            case ReminderProgressChanged p:
                KeepLatest(progress, (p.ActivityId, p.LeadMinutes), p);
                break;
            // Each reminder is one member's own, recorded once in their inbox: none is left out.
            case MemberReminder reminder:
                reminders.Add(reminder);
                break;
            case TickerLine line:
                AddLine(line);
                break;
            default:
                throw new ArgumentException($"No coalescing rule for live event {e.GetType().Name}.", nameof(e));
        }
    }

    private void AddLine(TickerLine line)
    {
        if (!tickers.TryGetValue(line.CommunityCode, out var lines)) tickers[line.CommunityCode] = lines = new Queue<TickerLine>();
        lines.Enqueue(line);
        if (lines.Count <= tickerCap) return;
        var dropped = lines.Dequeue();
        var (count, _) = skipped.GetValueOrDefault(line.CommunityCode);
        skipped[line.CommunityCode] = (count + 1, dropped.AtUtc);
    }

    /// <summary>An event stamped before the one held arrived late: it is older, and the one held stays.</summary>
    private static void KeepLatest<TKey, TEvent>(Dictionary<TKey, TEvent> latest, TKey key, TEvent e) where TKey : notnull where TEvent : LiveEvent
    {
        if (!latest.TryGetValue(key, out var held) || e.AtUtc >= held.AtUtc) latest[key] = e;
    }

    /// <summary>Everything held, in the order a client should apply it: ticker lines, cell colours, counters, activities, reminders.</summary>
    public LiveBatch Drain()
    {
        var events = ImmutableArray.CreateBuilder<LiveEvent>();
        foreach (var (community, lines) in tickers)
        {
            if (skipped.TryGetValue(community, out var s)) events.Add(TickerLine.Skipped(community, s.Count, s.LastAtUtc));
            events.AddRange(lines);
        }
        events.AddRange(cells.Values);
        events.AddRange(counters.Values);
        events.AddRange(activities.Values);
        events.AddRange(progress.Values);
        events.AddRange(reminders);
        cells.Clear();
        counters.Clear();
        activities.Clear();
        progress.Clear();
        reminders.Clear();
        tickers.Clear();
        skipped.Clear();
        Received = 0;
        return new LiveBatch { Events = events.ToImmutable() };
    }
}
