using Grid.Api.Issues;
using Grid.Silo.Hosting;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;

namespace Grid.Silo.Storage;

/// <summary>Issue photos as BLOBs in the node's SQLite file (deploy/sql/sqlite/0002).</summary>
public sealed class SqlitePhotoStore(IOptions<GridOptions> options) : IPhotoStore
{
    public Task Save(StoredPhoto photo, string sha256, DateTimeOffset atUtc, string by) => SqliteWriter.For(options.Value.SqliteConnectionString).WriteAsync(connection =>
    {
        using var command = connection.CreateCommand();
        // The id is derived from the content: the same photo sent twice is stored once.
        command.CommandText = """
            INSERT OR IGNORE INTO IssuePhotos (PhotoId, IssueId, Kind, ContentType, SizeBytes, Sha256, AtUtc, CreatedBy, Bytes)
            VALUES ($id, $issue, $kind, $type, $size, $sha, $at, $by, $bytes)
            """;
        command.Parameters.AddWithValue("$id", photo.Id);
        command.Parameters.AddWithValue("$issue", photo.IssueId);
        command.Parameters.AddWithValue("$kind", photo.Kind);
        command.Parameters.AddWithValue("$type", photo.ContentType);
        command.Parameters.AddWithValue("$size", photo.Bytes.Length);
        command.Parameters.AddWithValue("$sha", sha256);
        command.Parameters.AddWithValue("$at", SqliteText.Utc(atUtc));
        command.Parameters.AddWithValue("$by", by);
        command.Parameters.AddWithValue("$bytes", photo.Bytes);
        command.ExecuteNonQuery();
    });

    public async Task<StoredPhoto?> Find(string issueId, string photoId)
    {
        await using var connection = await SqliteConnections.OpenAsync(options.Value.SqliteConnectionString);
        var command = connection.CreateCommand();
        command.CommandText = "SELECT Kind, ContentType, Bytes FROM IssuePhotos WHERE PhotoId = $id AND IssueId = $issue";
        command.Parameters.AddWithValue("$id", photoId);
        command.Parameters.AddWithValue("$issue", issueId);
        await using var reader = await command.ExecuteReaderAsync();
        if (!await reader.ReadAsync()) return null;
        return new StoredPhoto(photoId, issueId, reader.GetString(0), reader.GetString(1), (byte[])reader.GetValue(2));
    }
}
