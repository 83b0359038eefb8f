using Grid.Contracts;

namespace Grid.Grains;

/// <summary>
/// Where grains send live events (<see cref="LiveEvent"/> and its kinds, in Grid.Contracts); the
/// node fans them out to the SignalR clients of every node. Called from inside grain code: it
/// must be cheap and must never wait on delivery.
/// </summary>
public interface ILiveEvents
{
    void Publish(LiveEvent e);
}

/// <summary>For hosts without live clients (tests of grains alone).</summary>
public sealed class NoLiveEvents : ILiveEvents
{
    public void Publish(LiveEvent e) { }
}
