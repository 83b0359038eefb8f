using System.Collections.Concurrent;
using System.Collections.Immutable;
using System.Diagnostics;
using System.Runtime;
using Grid.Api.Ops;
using Orleans.Metadata;

namespace Grid.Silo.Ops;

/// <summary>
/// Counts the grain calls this silo serves, per grain type. One interlocked increment per call on a
/// counter found by grain type, so it costs next to nothing beside a grain call.
/// </summary>
public sealed class GrainCallCounter : IIncomingGrainCallFilter
{
    private sealed class Count
    {
        public long Value;
    }

    private readonly ConcurrentDictionary<GrainType, Count> counts = new();

    public Task Invoke(IIncomingGrainCallContext context)
    {
        Interlocked.Increment(ref counts.GetOrAdd(context.TargetId.Type, _ => new Count()).Value);
        return context.Invoke();
    }

    public ImmutableSortedDictionary<string, long> Snapshot() =>
        counts.ToImmutableSortedDictionary(c => c.Key.ToString()!, c => Interlocked.Read(ref c.Value.Value), StringComparer.Ordinal);
}

/// <summary>This node's figures: the runtime's memory counters, Orleans' own activation statistics for this silo, the call counter.</summary>
public sealed class SiloNodeMetrics(IGrainFactory grains, ILocalSiloDetails silo, GrainCallCounter calls, GrainTypeResolver types, TimeProvider clock) : INodeMetrics
{
    private static readonly DateTime Started = Process.GetCurrentProcess().StartTime.ToUniversalTime();

    public async Task<NodeMetrics> Read(CancellationToken cancellationToken = default)
    {
        var statistics = await grains.GetGrain<IManagementGrain>(0).GetSimpleGrainStatistics([silo.SiloAddress]);
        var activations = statistics.GroupBy(s => GrainTypeOf(s.GrainType))
            .ToImmutableSortedDictionary(g => g.Key, g => (long)g.Sum(s => s.ActivationCount), StringComparer.Ordinal);
        var callCounts = calls.Snapshot();
        var memory = GC.GetGCMemoryInfo();
        var now = clock.GetUtcNow();
        return new NodeMetrics(
            Silo: silo.SiloAddress.ToString(),
            AtUtc: now,
            UptimeSeconds: Math.Round((now.UtcDateTime - Started).TotalSeconds, 1),
            ManagedHeapBytes: GC.GetTotalMemory(forceFullCollection: false),
            GcHeapSizeBytes: memory.HeapSizeBytes,
            GcCommittedBytes: memory.TotalCommittedBytes,
            WorkingSetBytes: Environment.WorkingSet,
            Gen2Collections: GC.CollectionCount(2),
            Activations: activations.Values.Sum(),
            ActivationsByGrainType: activations,
            GrainCalls: callCounts.Values.Sum(),
            GrainCallsByGrainType: callCounts);
    }

    /// <summary>Orleans' statistics name grain classes ("Grid.Grains.HouseholdGrain,Grid.Grains"); the call counter, grain types ("household").</summary>
    private string GrainTypeOf(string className) =>
        Type.GetType(className) is { } type && types.GetGrainType(type) is var grainType && !grainType.IsDefault ? grainType.ToString()! : className;

    public Task<NodeMetrics> CollectAndRead(CancellationToken cancellationToken = default)
    {
        // Twice, with finalizers run between: objects kept alive only by a finalizer go in the second pass.
        GCSettings.LargeObjectHeapCompactionMode = GCLargeObjectHeapCompactionMode.CompactOnce;
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
        return Read(cancellationToken);
    }
}
