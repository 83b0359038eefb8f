using System.Collections.Immutable;
using Grid.Contracts;

namespace Grid.Grains;

/// <summary>
/// A member's reminders. The grain is the gate that makes a reminder exactly once: it handles one
/// call at a time, and a key it holds is never recorded or pushed again, whichever node, retry or
/// restart delivers it.
/// </summary>
public sealed class ReminderInboxGrain(
    [PersistentState(GridStorage.ReminderInbox, GridStorage.Provider)] IPersistentState<ReminderInboxState> state,
    TimeProvider clock,
    ILiveEvents live)
    : Grain, IReminderInboxGrain
{
    /// <summary>
    /// Reminders of occurrences that started this long ago are dropped. Safe for exactly-once:
    /// no reminder is ever sent for an occurrence that has started.
    /// </summary>
    private static readonly TimeSpan Keep = TimeSpan.FromDays(60);

    public async Task<bool> Receive(ReminderNotice notice)
    {
        if (notice.MemberId != this.GetPrimaryKeyString()) throw new ArgumentException($"Reminder for {notice.MemberId}, not {this.GetPrimaryKeyString()}.", nameof(notice));
        if (state.State.Notices.ContainsKey(notice.Key)) return false;
        var now = clock.GetUtcNow();
        var stale = state.State.Notices.Values.Where(n => n.StartUtc < now - Keep).Select(n => n.Key);
        state.State = new ReminderInboxState { Notices = state.State.Notices.RemoveRange(stale).SetItem(notice.Key, notice with { SentUtc = now }) };
        await state.WriteStateAsync();
        // After the write: a crash in between loses a live push, never duplicates the reminder.
        live.Publish(MemberReminder.Of(notice, now));
        return true;
    }

    public Task<ImmutableArray<ReminderNotice>> Items() =>
        Task.FromResult<ImmutableArray<ReminderNotice>>([.. state.State.Notices.Values.OrderByDescending(n => n.SentUtc).ThenBy(n => n.Key, StringComparer.Ordinal)]);
}
