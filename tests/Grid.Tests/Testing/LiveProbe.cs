using System.Text.Json;
using Microsoft.AspNetCore.SignalR.Client;

namespace Grid.Tests.Testing;

/// <summary>A SignalR client of the command hub that keeps every message it receives, for assertions.</summary>
public sealed class LiveProbe : IAsyncDisposable
{
    private readonly List<(string Method, JsonElement Message)> seen = [];
    private readonly List<int> frames = [];

    private LiveProbe(HubConnection hub)
    {
        Hub = hub;
        hub.On<JsonElement>("snapshot", message => { lock (seen) seen.Add(("snapshot", message.Clone())); });
        hub.On<JsonElement>("batch", items =>
        {
            lock (seen)
            {
                frames.Add(items.GetArrayLength());
                foreach (var item in items.EnumerateArray()) seen.Add((item.GetProperty("method").GetString()!, item.GetProperty("message").Clone()));
            }
        });
    }

    public HubConnection Hub { get; }

    /// <summary>How many live messages each batch frame carried, in arrival order.</summary>
    public IReadOnlyList<int> Frames { get { lock (seen) return [.. frames]; } }

    public IReadOnlyList<(string Method, JsonElement Message)> Seen { get { lock (seen) return [.. seen]; } }

    /// <summary>Connects, joins the community, and waits for its snapshot.</summary>
    public static async Task<LiveProbe> Join(HubConnection hub, string communityCode)
    {
        var probe = new LiveProbe(hub);
        await hub.StartAsync();
        await probe.JoinAgain(communityCode);
        return probe;
    }

    /// <summary>Joins (again) and waits for the snapshot that answers it.</summary>
    public async Task<JsonElement> JoinAgain(string communityCode)
    {
        var before = Seen.Count(m => m.Method == "snapshot");
        await Hub.InvokeAsync("JoinCommunity", communityCode);
        return await WaitFor("snapshot", _ => true, TimeSpan.FromSeconds(10), skip: before);
    }

    /// <summary>The first message of <paramref name="method"/> (after the first <paramref name="skip"/>) that matches.</summary>
    public async Task<JsonElement> WaitFor(string method, Func<JsonElement, bool> match, TimeSpan timeout, int skip = 0)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var hit = Seen.Where(m => m.Method == method).Skip(skip).Select(m => m.Message).Where(match).Take(1).ToList();
            if (hit.Count == 1) return hit[0];
            if (DateTime.UtcNow > deadline)
                Assert.Fail($"No matching '{method}' within {timeout}. Received: {string.Join("\n", Seen.Select(m => $"{m.Method} {m.Message}"))}");
            await Task.Delay(25);
        }
    }

    public ValueTask DisposeAsync() => Hub.DisposeAsync();
}

public static class LiveHubClient
{
    /// <summary>Calls <paramref name="handler"/> for every live message of <paramref name="method"/>, unpacked from the batch frames.</summary>
    public static void OnLive(this HubConnection hub, string method, Action<JsonElement> handler) =>
        hub.On<JsonElement>("batch", items =>
        {
            foreach (var item in items.EnumerateArray())
                if (item.GetProperty("method").GetString() == method) handler(item.GetProperty("message"));
        });
}
