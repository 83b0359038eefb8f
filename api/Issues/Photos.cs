namespace Grid.Api.Issues;

/// <summary>A stored photo's bytes and what they are.</summary>
public sealed record StoredPhoto(string Id, string IssueId, string Kind, string ContentType, byte[] Bytes);

/// <summary>Issue photos in the node's database (not loose files), so a backup of the database holds them.</summary>
public interface IPhotoStore
{
    Task Save(StoredPhoto photo, string sha256, DateTimeOffset atUtc, string by);

    Task<StoredPhoto?> Find(string issueId, string photoId);
}

/// <summary>Recognises an image by its first bytes, whatever the client called it.</summary>
public static class ImageFormat
{
    public static string? Sniff(ReadOnlySpan<byte> head)
    {
        if (head.Length >= 3 && head[0] == 0xFF && head[1] == 0xD8 && head[2] == 0xFF) return "image/jpeg";
        if (head.Length >= 8 && head[..8].SequenceEqual(new byte[] { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A })) return "image/png";
        if (head.Length >= 12 && head[..4].SequenceEqual("RIFF"u8) && head[8..12].SequenceEqual("WEBP"u8)) return "image/webp";
        return null;
    }
}
