using System.Collections.Immutable;
using Grid.Contracts;

namespace Grid.Grains;

/// <summary>A community's point rules and this year's leaderboard: every member's points change writes here, and only here.</summary>
public sealed class CommunityPointsGrain(
    [PersistentState(GridStorage.CommunityPoints, GridStorage.Provider)] IPersistentState<CommunityPointsState> state)
    : Grain, ICommunityPointsGrain
{
    public override Task OnActivateAsync(CancellationToken cancellationToken) =>
        LegacyParts.Take(GrainFactory, this.GetPrimaryKeyString(), LegacyParts.Missing(state, CommunityParts.Points), async legacy =>
        {
            state.State = legacy.Points ?? new();
            await state.WriteStateAsync();
        });

    public Task<PointRules> PointRules() => Task.FromResult(state.State.Rules);

    public async Task SetPointRules(PointRules rules)
    {
        state.State = state.State with { Rules = rules };
        await state.WriteStateAsync();
    }

    public async Task UpdateLeaderboard(LeaderboardLine line, int year)
    {
        if (year < state.State.LeaderboardYear) return;
        var board = year > state.State.LeaderboardYear ? ImmutableDictionary<string, LeaderboardLine>.Empty : state.State.Leaderboard;
        if (board.TryGetValue(line.MemberId, out var held) && held == line) return;
        state.State = state.State with { LeaderboardYear = year, Leaderboard = board.SetItem(line.MemberId, line) };
        await state.WriteStateAsync();
    }

    public Task<ImmutableArray<LeaderboardLine>> Leaderboard(string? branch, int limit) =>
        Task.FromResult<ImmutableArray<LeaderboardLine>>([.. state.State.Leaderboard.Values
            .Where(l => branch is null || l.Branch == branch)
            .OrderByDescending(l => l.Points).ThenBy(l => l.MemberId, StringComparer.Ordinal)
            .Take(limit)]);
}
