using System.Collections.Immutable;

namespace Grid.Contracts;

/// <summary>A WGS-84 position; longitude first, as in GeoJSON.</summary>
[GenerateSerializer, Immutable, Alias("grid.GeoPoint")]
public readonly record struct GeoPoint([property: Id(0)] double Lng, [property: Id(1)] double Lat);

/// <summary>Checks on cell boundaries: a closed, simple ring of positions inside China's extent.</summary>
public static class Geometry
{
    public const int MaxRingPoints = 2000;

    /// <summary>Null when the ring is a valid closed, non-self-intersecting polygon ring; else why not.</summary>
    public static string? RingError(IReadOnlyList<GeoPoint> ring)
    {
        if (ring.Count < 4) return $"边界环至少需要 4 个坐标点（3 个顶点加 1 个闭合点），实际为 {ring.Count} 个。";
        if (ring.Count > MaxRingPoints) return $"边界环最多只能有 {MaxRingPoints} 个坐标点，实际为 {ring.Count} 个。";
        for (var i = 0; i < ring.Count; i++)
        {
            var error = PointError(ring[i]);
            if (error is not null) return $"坐标点 [{i}]：{error}";
        }
        if (ring[0] != ring[^1]) return "边界环没有闭合：首尾两个坐标点不同。";
        if (FirstSelfIntersection(ring) is { } c) return $"边界环自相交（边 {c.A} 与边 {c.B} 相交）。";
        return Math.Abs(SignedArea(ring)) < 1e-12 ? "边界环围成的面积为零。" : null;
    }

    public static string? PointError(GeoPoint p)
    {
        if (!double.IsFinite(p.Lng) || !double.IsFinite(p.Lat)) return "坐标必须是有限的数值。";
        // China's extent with a margin; anything outside is a swapped or mistyped pair.
        if (p.Lng is < 73 or > 136 || p.Lat is < 3 or > 54)
            return $"坐标（{p.Lng}, {p.Lat}）超出中国范围（经度 73～136，纬度 3～54），是否把经度和纬度填反了？";
        return null;
    }

    public static GeoPoint Centroid(IReadOnlyList<GeoPoint> ring)
    {
        double a = 0, x = 0, y = 0;
        for (var i = 0; i < ring.Count - 1; i++)
        {
            var cross = ring[i].Lng * ring[i + 1].Lat - ring[i + 1].Lng * ring[i].Lat;
            a += cross;
            x += (ring[i].Lng + ring[i + 1].Lng) * cross;
            y += (ring[i].Lat + ring[i + 1].Lat) * cross;
        }
        return Math.Abs(a) < 1e-15 ? ring[0] : new GeoPoint(x / (3 * a), y / (3 * a));
    }

    public static bool Contains(IReadOnlyList<GeoPoint> ring, GeoPoint p)
    {
        var inside = false;
        for (int i = 0, j = ring.Count - 1; i < ring.Count; j = i++)
        {
            if ((ring[i].Lat > p.Lat) != (ring[j].Lat > p.Lat) &&
                p.Lng < (ring[j].Lng - ring[i].Lng) * (p.Lat - ring[i].Lat) / (ring[j].Lat - ring[i].Lat) + ring[i].Lng)
            {
                inside = !inside;
            }
        }
        return inside;
    }

    private static double SignedArea(IReadOnlyList<GeoPoint> ring)
    {
        double sum = 0;
        for (var i = 0; i < ring.Count - 1; i++) sum += ring[i].Lng * ring[i + 1].Lat - ring[i + 1].Lng * ring[i].Lat;
        return sum / 2;
    }

    private static (int A, int B)? FirstSelfIntersection(IReadOnlyList<GeoPoint> ring)
    {
        var edges = ring.Count - 1;
        for (var i = 0; i < edges; i++)
        {
            for (var j = i + 1; j < edges; j++)
            {
                // Neighbouring edges share a corner; that is not a crossing.
                if (j == i + 1 || (i == 0 && j == edges - 1)) continue;
                if (SegmentsIntersect(ring[i], ring[i + 1], ring[j], ring[j + 1])) return (i, j);
            }
        }
        return null;
    }

    private static bool SegmentsIntersect(GeoPoint p1, GeoPoint p2, GeoPoint q1, GeoPoint q2)
    {
        var d1 = Orientation(q1, q2, p1);
        var d2 = Orientation(q1, q2, p2);
        var d3 = Orientation(p1, p2, q1);
        var d4 = Orientation(p1, p2, q2);
        if (((d1 > 0 && d2 < 0) || (d1 < 0 && d2 > 0)) && ((d3 > 0 && d4 < 0) || (d3 < 0 && d4 > 0))) return true;
        return (d1 == 0 && OnSegment(q1, q2, p1)) || (d2 == 0 && OnSegment(q1, q2, p2)) ||
               (d3 == 0 && OnSegment(p1, p2, q1)) || (d4 == 0 && OnSegment(p1, p2, q2));
    }

    private static double Orientation(GeoPoint a, GeoPoint b, GeoPoint c) =>
        (b.Lng - a.Lng) * (c.Lat - a.Lat) - (b.Lat - a.Lat) * (c.Lng - a.Lng);

    private static bool OnSegment(GeoPoint a, GeoPoint b, GeoPoint p) =>
        Math.Min(a.Lng, b.Lng) <= p.Lng && p.Lng <= Math.Max(a.Lng, b.Lng) &&
        Math.Min(a.Lat, b.Lat) <= p.Lat && p.Lat <= Math.Max(a.Lat, b.Lat);

    public static ImmutableArray<GeoPoint> Ring(params (double Lng, double Lat)[] points) =>
        [.. points.Select(p => new GeoPoint(p.Lng, p.Lat))];
}

/// <summary>Distances on the ground, for checking that positions lie where they claim to.</summary>
public static class GeoDistance
{
    private const double EarthRadiusMeters = 6_371_000;

    public static double Meters(GeoPoint a, GeoPoint b)
    {
        var dLat = Radians(b.Lat - a.Lat);
        var dLng = Radians(b.Lng - a.Lng);
        var h = Math.Sin(dLat / 2) * Math.Sin(dLat / 2) + Math.Cos(Radians(a.Lat)) * Math.Cos(Radians(b.Lat)) * Math.Sin(dLng / 2) * Math.Sin(dLng / 2);
        return 2 * EarthRadiusMeters * Math.Asin(Math.Min(1, Math.Sqrt(h)));
    }

    /// <summary>0 inside the ring, else the distance to its nearest edge (flat-earth approximation, fine at cell scale).</summary>
    public static double ToRingMeters(GeoPoint p, IReadOnlyList<GeoPoint> ring)
    {
        if (Geometry.Contains(ring, p)) return 0;
        var metersPerLng = 111_320 * Math.Cos(Radians(p.Lat));
        const double metersPerLat = 110_540;
        var best = double.MaxValue;
        for (var i = 0; i < ring.Count - 1; i++)
        {
            double ax = (ring[i].Lng - p.Lng) * metersPerLng, ay = (ring[i].Lat - p.Lat) * metersPerLat;
            double bx = (ring[i + 1].Lng - p.Lng) * metersPerLng, by = (ring[i + 1].Lat - p.Lat) * metersPerLat;
            double dx = bx - ax, dy = by - ay;
            var t = dx == 0 && dy == 0 ? 0 : Math.Clamp(-(ax * dx + ay * dy) / (dx * dx + dy * dy), 0, 1);
            best = Math.Min(best, Math.Sqrt(Math.Pow(ax + t * dx, 2) + Math.Pow(ay + t * dy, 2)));
        }
        return best;
    }

    /// <summary>How far from its cell a reported position may be: GPS on a phone is off by tens of metres.</summary>
    public const double CellToleranceMeters = 150;

    /// <summary>The one rule for "this position lies in the cell": inside its boundary, or within the GPS tolerance of it.</summary>
    public static bool InCell(GeoPoint p, IReadOnlyList<GeoPoint> boundary) => ToRingMeters(p, boundary) <= CellToleranceMeters;

    /// <summary>How far from its community's centre a cell's corner may lie.</summary>
    public const double CommunityRadiusMeters = 10_000;

    private static double Radians(double degrees) => degrees * Math.PI / 180;
}
