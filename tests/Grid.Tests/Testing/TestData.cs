using System.Collections.Immutable;
using Grid.Contracts;

namespace Grid.Tests.Testing;

/// <summary>Small, valid directory data for tests; each call gives a fresh community so tests don't meet.</summary>
public static class TestData
{
    private static int next = 100;

    /// <summary>A community code no other test uses in this process: 330503102xxx.</summary>
    public static string NewCommunityCode() => $"330503102{Interlocked.Increment(ref next):D3}";

    public static CommunityDefinition Community(string code) => new()
    {
        Code = code,
        Name = "测试社区",
        Township = "练市镇",
        Centre = new GeoPoint(120.43, 30.71),
    };

    public static ImmutableArray<GeoPoint> Square(double lng = 120.42, double lat = 30.71, double size = 0.003) =>
        [new(lng, lat), new(lng + size, lat), new(lng + size, lat + size), new(lng, lat + size), new(lng, lat)];

    public static CellDefinition Cell(string code, string name = "第一网格") => new() { Code = code, Name = name, Boundary = Square() };

    public static string IdNumber(string first17 = "33050319800101123") => first17 + PersonalData.IdCheckCharacter(first17);

    public static HouseholdDefinition Household(string cellCode, string address = "练溪花园1幢1单元101室") => new()
    {
        CellCode = cellCode,
        Address = address,
        Residents = [new Resident { Name = "张建国", Phone = "13812345678", IdNumber = IdNumber(), Relation = "户主" }],
        Tags = [HouseholdTags.ElderlyAlone],
    };

    public static string OrganCode(string body = "11330503MB0000001") => body + OrganCodes.CheckCharacter(body);

    public static string TempDirectory(string purpose)
    {
        var path = Path.Combine(Path.GetTempPath(), "grid-tests", $"{purpose}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(path);
        return path;
    }

    public static int FreeTcpPort()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }
}
