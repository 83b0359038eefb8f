using System.Collections.Immutable;
using Grid.Contracts;
using Microsoft.Extensions.Options;

namespace Grid.Api.Open311;

/// <summary>A cell with its boundary and bounding box, for point-in-polygon lookups.</summary>
public sealed record Open311Cell(string CellCode, string CommunityCode, Open311Place Place, ImmutableArray<GeoPoint> Boundary)
{
    private readonly double minLng = Boundary.IsDefaultOrEmpty ? 0 : Boundary.Min(p => p.Lng);
    private readonly double maxLng = Boundary.IsDefaultOrEmpty ? 0 : Boundary.Max(p => p.Lng);
    private readonly double minLat = Boundary.IsDefaultOrEmpty ? 0 : Boundary.Min(p => p.Lat);
    private readonly double maxLat = Boundary.IsDefaultOrEmpty ? 0 : Boundary.Max(p => p.Lat);

    public bool Contains(GeoPoint p) =>
        !Boundary.IsDefaultOrEmpty && p.Lng >= minLng && p.Lng <= maxLng && p.Lat >= minLat && p.Lat <= maxLat && Geometry.Contains(Boundary, p);
}

/// <summary>
/// Every cell of the directory (directory → communities → cells), kept in memory for
/// <see cref="Open311Options.CellCacheDuration"/> (1 minute by default) so that placing a reported
/// point does not ask every cell grain each time. A cell imported or redrawn is therefore seen by
/// Open311 up to that long after the change.
/// </summary>
public sealed class Open311Cells(IGrainFactory grains, TimeProvider clock, IOptions<Open311Options> options)
{
    private sealed record Snapshot(DateTimeOffset LoadedUtc, ImmutableArray<Open311Cell> Cells, ImmutableDictionary<string, Open311Cell> ByCode);

    private readonly SemaphoreSlim loading = new(1, 1);
    private volatile Snapshot? current;

    /// <summary>The cell whose boundary contains <paramref name="point"/> (the lowest code, should cells overlap); null when none does.</summary>
    public async Task<Open311Cell?> Containing(GeoPoint point) => (await Current()).Cells.FirstOrDefault(c => c.Contains(point));

    public async Task<Open311Place?> PlaceOf(string cellCode) => (await Current()).ByCode.GetValueOrDefault(cellCode)?.Place;

    private bool Fresh(Snapshot? s) => s is not null && clock.GetUtcNow() - s.LoadedUtc < options.Value.CellCacheDuration;

    private async Task<Snapshot> Current()
    {
        var snapshot = current;
        if (Fresh(snapshot)) return snapshot!;
        await loading.WaitAsync();
        try
        {
            // Another request may have loaded it while this one waited.
            if (Fresh(current)) return current!;
            var loaded = await Load();
            current = loaded;
            return loaded;
        }
        finally
        {
            loading.Release();
        }
    }

    private async Task<Snapshot> Load()
    {
        var loadedUtc = clock.GetUtcNow();
        var communityCodes = await grains.GetGrain<IDirectoryGrain>(IDirectoryGrain.RootKey).CommunityCodes();
        var perCommunity = await Task.WhenAll(communityCodes.Select(async code =>
        {
            var community = await grains.GetGrain<ICommunityGrain>(code).Get();
            if (community is null) return Array.Empty<Open311Cell>();
            var cells = await Task.WhenAll(community.CellCodes.Select(c => grains.GetGrain<IGridCellGrain>(c).Get()));
            return cells.OfType<CellView>().Select(cell => new Open311Cell(
                cell.Definition.Code, code, new Open311Place(cell.Definition.Name, community.Definition.Name), cell.Definition.Boundary)).ToArray();
        }));
        var all = perCommunity.SelectMany(c => c).OrderBy(c => c.CellCode, StringComparer.Ordinal).ToImmutableArray();
        return new Snapshot(loadedUtc, all, all.ToImmutableDictionary(c => c.CellCode));
    }
}
