using System.Collections.Immutable;
using Grid.Contracts;

namespace Grid.Grains;

[GenerateSerializer, Alias("grid.state.LoginThrottle")]
public sealed record LoginThrottleState
{
    [Id(0)] public ImmutableArray<DateTimeOffset> Failures { get; init; } = [];
}

/// <summary>Locks a username for <see cref="ILoginThrottleGrain.Window"/> after too many failures within that window.</summary>
public sealed class LoginThrottleGrain(
    [PersistentState(GridStorage.LoginThrottle, GridStorage.Provider)] IPersistentState<LoginThrottleState> state,
    TimeProvider clock)
    : Grain, ILoginThrottleGrain
{
    public Task<DateTimeOffset?> LockedUntil()
    {
        var recent = Recent();
        return Task.FromResult<DateTimeOffset?>(recent.Length >= ILoginThrottleGrain.MaxFailures ? recent[^1] + ILoginThrottleGrain.Window : null);
    }

    public async Task Failed()
    {
        state.State = new LoginThrottleState { Failures = Recent().Add(clock.GetUtcNow()) };
        await state.WriteStateAsync();
    }

    public async Task Succeeded()
    {
        if (state.State.Failures.IsEmpty) return;
        state.State = new LoginThrottleState();
        await state.WriteStateAsync();
    }

    private ImmutableArray<DateTimeOffset> Recent()
    {
        var since = clock.GetUtcNow() - ILoginThrottleGrain.Window;
        return [.. state.State.Failures.Where(f => f > since).TakeLast(ILoginThrottleGrain.MaxFailures)];
    }
}
