using System.Collections.Immutable;
using Grid.Contracts;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;

namespace Grid.Api.Ops;

/// <summary>What one node holds right now: memory, the grains active on it, the grain calls it has served.</summary>
public sealed record NodeMetrics(
    string Silo,
    DateTimeOffset AtUtc,
    double UptimeSeconds,
    long ManagedHeapBytes,
    long GcHeapSizeBytes,
    long GcCommittedBytes,
    long WorkingSetBytes,
    int Gen2Collections,
    long Activations,
    ImmutableSortedDictionary<string, long> ActivationsByGrainType,
    long GrainCalls,
    ImmutableSortedDictionary<string, long> GrainCallsByGrainType);

/// <summary>Reads this node's figures (the silo implements it).</summary>
public interface INodeMetrics
{
    Task<NodeMetrics> Read(CancellationToken cancellationToken = default);

    /// <summary>A full, blocking, compacting collection first, so that the heap holds only what is reachable.</summary>
    Task<NodeMetrics> CollectAndRead(CancellationToken cancellationToken = default);
}

/// <summary>Operations figures of the node that answers, for administrators (and the city benchmarks).</summary>
public static class OpsEndpoints
{
    public static void MapOpsEndpoints(this IEndpointRouteBuilder api)
    {
        var ops = api.MapGroup("/ops").WithTags("Operations").RequireAuthorization(p => p.RequireRole(Roles.Admin));
        ops.MapGet("/node", Read)
            .WithSummary("This node: managed heap, working set, activations per grain type (this silo only) and grain calls served per grain type since start (admin).");
        ops.MapPost("/node/gc", Collect)
            .WithSummary("Forces a full compacting garbage collection on this node, then answers its figures as GET /api/ops/node does (admin; pauses the node briefly).");
    }

    private static async Task<Ok<NodeMetrics>> Read(INodeMetrics metrics, CancellationToken cancellationToken) =>
        TypedResults.Ok(await metrics.Read(cancellationToken));

    private static async Task<Ok<NodeMetrics>> Collect(INodeMetrics metrics, CancellationToken cancellationToken) =>
        TypedResults.Ok(await metrics.CollectAndRead(cancellationToken));
}
