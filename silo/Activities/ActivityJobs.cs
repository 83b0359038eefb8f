using Grid.Grains.Activities;
using Hangfire;

namespace Grid.Silo.Activities;

/// <summary>
/// What Hangfire runs. Every recurring job of a schedule runs the same thing: all of the schedule's
/// triggers that are due, through grains reached with the cluster client. Hangfire runs a job at
/// least once; the work is idempotent, so a retry or a second node repeats nothing.
/// </summary>
public sealed class ActivityJobs(ActivityRunner runner)
{
    [AutomaticRetry(Attempts = 5, DelaysInSeconds = [30, 60, 300, 900, 1800])]
    [JobDisplayName("活动 {0} {1} {2}")]
    public Task RunAsync(string communityCode, string scheduleId, string trigger, CancellationToken cancellationToken) =>
        runner.RunDueAsync(communityCode, scheduleId, cancellationToken);
}
