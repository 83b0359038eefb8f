using Grid.Api.Issues;
using Npgsql;

namespace Grid.Silo.Storage.Postgres;

/// <summary>Issue photos as bytea in PostgreSQL (deploy/sql/postgres/0002), so one backup holds everything.</summary>
public sealed class PostgresPhotoStore(NpgsqlDataSource data) : IPhotoStore
{
    public async Task Save(StoredPhoto photo, string sha256, DateTimeOffset atUtc, string by)
    {
        // The id is derived from the content: the same photo sent twice is stored once.
        await using var command = data.CreateCommand("""
            INSERT INTO issue_photos (photo_id, issue_id, kind, content_type, size_bytes, sha256, at_utc, created_by, bytes)
            VALUES (@id, @issue, @kind, @type, @size, @sha, @at, @by, @bytes)
            ON CONFLICT (photo_id) DO NOTHING
            """);
        command.Parameters.AddWithValue("id", photo.Id);
        command.Parameters.AddWithValue("issue", photo.IssueId);
        command.Parameters.AddWithValue("kind", photo.Kind);
        command.Parameters.AddWithValue("type", photo.ContentType);
        command.Parameters.AddWithValue("size", photo.Bytes.Length);
        command.Parameters.AddWithValue("sha", sha256);
        command.Parameters.AddWithValue("at", atUtc.UtcDateTime);
        command.Parameters.AddWithValue("by", by);
        command.Parameters.AddWithValue("bytes", photo.Bytes);
        await command.ExecuteNonQueryAsync();
    }

    public async Task<StoredPhoto?> Find(string issueId, string photoId)
    {
        await using var command = data.CreateCommand("SELECT kind, content_type, bytes FROM issue_photos WHERE photo_id = @id AND issue_id = @issue");
        command.Parameters.AddWithValue("id", photoId);
        command.Parameters.AddWithValue("issue", issueId);
        await using var reader = await command.ExecuteReaderAsync();
        if (!await reader.ReadAsync()) return null;
        return new StoredPhoto(photoId, issueId, reader.GetString(0), reader.GetString(1), reader.GetFieldValue<byte[]>(2));
    }
}
