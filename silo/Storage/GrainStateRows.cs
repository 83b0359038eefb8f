using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Serialization;
using Orleans.Storage;

namespace Grid.Silo.Storage;

/// <summary>One grain state as a row of Orleans' ADO.NET grain storage, ready to insert.</summary>
public sealed record GrainStateRow(string StateName, GrainStateKey Key, byte[] Payload);

/// <summary>The key columns Orleans' ADO.NET storage gives a grain's row; <see cref="Extension"/> is '' when there is none.</summary>
public readonly record struct GrainStateKey(long N0, long N1, string Extension, int GrainIdHash, int GrainTypeHash)
{
    private static readonly OrleansDefaultHasher Hasher = new();

    /// <summary>
    /// The provider reads the grain key as a GUID if it can, else as a hexadecimal integer, and only
    /// else as a string: a cell code like 330503101001001 is a hex number to it, stored in N1, while a
    /// household id (with its '-') is stored as the extension. It hashes the key's bytes (the number's
    /// eight bytes, or the GUID's sixteen, then any extension's UTF-8), reversed on little-endian machines.
    /// </summary>
    public static GrainStateKey For(string stateName, string key)
    {
        var id = GrainId.Create(stateName, key);
        byte[] bytes;
        long n0 = 0, n1 = 0;
        string? extension;
        if (id.TryGetGuidKey(out var guid, out extension))
        {
            bytes = guid.ToByteArray();
            (n0, n1) = (BitConverter.ToInt64(bytes, 0), BitConverter.ToInt64(bytes, 8));
        }
        else if (id.TryGetIntegerKey(out var integer, out extension))
        {
            n1 = integer;
            bytes = BitConverter.GetBytes(n1);
        }
        else
        {
            // Not n1 from the failed parse above: it may hold a number read from the start of the key.
            (bytes, extension) = ([], key);
        }
        if (extension is not null) bytes = [.. bytes, .. Encoding.UTF8.GetBytes(extension)];
        if (BitConverter.IsLittleEndian) Array.Reverse(bytes);
        // The provider hashes the grain type it is given, which for Grid's grains is the state name.
        return new GrainStateKey(n0, n1, extension ?? "", Hasher.Hash(bytes), Hasher.Hash(Encoding.UTF8.GetBytes(stateName)));
    }
}

/// <summary>
/// Makes the rows Orleans' ADO.NET storage would write for Grid's grains, for bulk loads that bypass
/// the grains (the city benchmark). Every column must be what the provider computes, or a grain would
/// not find its row: the state name in the grain type column, the key columns of <see cref="GrainStateKey"/>,
/// and the payload from the same storage serializer the node configures (<see cref="SqliteGrainStorage"/>).
/// </summary>
public sealed class GrainStateRows(Serializer serializer)
{
    private readonly OrleansGrainStorageSerializer storage = new(serializer);

    /// <summary>
    /// Rows serialised outside a node (the bench tool): Orleans' serializer with Grid's generated codecs,
    /// the same codecs and type aliases a node's serializer has, so the node reads these payloads.
    /// </summary>
    public static GrainStateRows Standalone()
    {
        var services = new ServiceCollection()
            .AddSerializer(s => s.AddAssembly(typeof(Grid.Grains.GridStorage).Assembly).AddAssembly(typeof(Grid.Contracts.GeoPoint).Assembly))
            .BuildServiceProvider();
        return new GrainStateRows(services.GetRequiredService<Serializer>());
    }

    public GrainStateRow Row<T>(string stateName, string key, T state) =>
        new(stateName, GrainStateKey.For(stateName, key), storage.Serialize(state).ToArray());
}
