using Grid.Contracts;
using Grid.Grains.Issues;
using Microsoft.Extensions.Options;

namespace Grid.Silo.Issues;

/// <summary>
/// Asks every community, at a fixed interval, to escalate its overdue issues (超期督办). The
/// check is idempotent, so a node that was down catches up at its first tick, and two nodes
/// checking the same community escalate each issue once.
/// </summary>
public sealed class DeadlineWatch(IGrainFactory grains, IOptions<IssueOptions> options, TimeProvider clock, ILogger<DeadlineWatch> logger)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.DeadlineCheckInterval, clock);
        do
        {
            try
            {
                var communities = await grains.GetGrain<IDirectoryGrain>(IDirectoryGrain.RootKey).CommunityCodes();
                foreach (var community in communities) await DeadlineCheck.Run(grains, community);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                logger.LogWarning(e, "Deadline check failed; trying again at the next tick");
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }
}
