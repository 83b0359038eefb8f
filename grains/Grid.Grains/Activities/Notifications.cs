using Grid.Contracts;

namespace Grid.Grains.Activities;

/// <summary>
/// Where reminders go out. A sender is called at least once per reminder (jobs are retried, nodes
/// may race), so every sender must make a repeat of the same <see cref="ReminderNotice.Key"/> harmless.
/// </summary>
public interface INotificationSender
{
    Task SendAsync(ReminderNotice notice, CancellationToken cancellationToken);
}

/// <summary>
/// The default: the member's own reminder inbox (listed in GET /api/me/inbox), which records each
/// key once and pushes it live to the member's connected clients on the first receipt only.
/// </summary>
public sealed class InboxNotificationSender(IGrainFactory grains) : INotificationSender
{
    public Task SendAsync(ReminderNotice notice, CancellationToken cancellationToken) =>
        grains.GetGrain<IReminderInboxGrain>(notice.MemberId).Receive(notice);
}

/// <summary>Several senders in turn (the inbox first); a failure of any one fails the reminder, which is then retried as a whole.</summary>
public sealed class NotificationSenders(IReadOnlyList<INotificationSender> senders) : INotificationSender
{
    public async Task SendAsync(ReminderNotice notice, CancellationToken cancellationToken)
    {
        foreach (var sender in senders) await sender.SendAsync(notice, cancellationToken);
    }
}

/// <summary>Keeps Hangfire's recurring jobs in step with schedules (and plans occurrences); a no-op where no job server runs.</summary>
public interface IActivityScheduling
{
    Task ScheduleSavedAsync(string communityCode, string scheduleId, CancellationToken cancellationToken = default);
    Task ScheduleRemovedAsync(string communityCode, string scheduleId, CancellationToken cancellationToken = default);
}

/// <summary>Configuration section Grid:Activities.</summary>
public sealed class ActivityOptions
{
    public const string Section = "Grid:Activities";

    /// <summary>Reminders in flight at once during a fan-out.</summary>
    public int FanOutConcurrency { get; set; } = 16;

    /// <summary>Progress is recorded on the occurrence after this many deliveries (and at the end).</summary>
    public int ProgressBatch { get; set; } = 200;

    /// <summary>Hangfire workers on this node (the default of 20 per core is far more than Grid's jobs need).</summary>
    public int HangfireWorkers { get; set; } = 2;
}
