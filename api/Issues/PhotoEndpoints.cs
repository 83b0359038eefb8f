using System.Security.Cryptography;
using Grid.Api.Auth;
using Grid.Api.Problems;
using Grid.Contracts;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Routing;

namespace Grid.Api.Issues;

public static class PhotoEndpoints
{
    public const int MaxBytes = 5 * 1024 * 1024;

    public static void MapPhotoEndpoints(this IEndpointRouteBuilder api)
    {
        var photos = api.MapGroup("/issues/{id}/photos").WithTags("Issues");
        photos.WithMetadata(new Microsoft.AspNetCore.Mvc.RequestSizeLimitAttribute(MaxBytes + 1024));
        photos.MapPost("/", Upload)
            .WithSummary("Attach a photo: ?kind=before (on report) or after (on resolve); the body is the JPEG, PNG or WebP image, at most 5 MiB.");
        photos.MapGet("/{photoId}", Download).WithSummary("A photo's image.");
    }

    private static async Task<IResult> Upload(string id, string? kind, HttpContext http, IGrainFactory grains, IPhotoStore store, Caller caller, TimeProvider clock)
    {
        if (IssueEndpoints.IdError(id) is { } idError) return Problem.Invalid("id", idError);
        if (kind is not ("before" or "after")) return Problem.Invalid("kind", "must be before or after.");
        if (http.Request.ContentLength > MaxBytes) return TooLarge();
        if (!caller.CanSeeCell(id[..15])) return Problem.Forbidden($"Issue {id} is outside your scope.");
        var grain = grains.GetGrain<IIssueGrain>(id);
        var issue = await grain.Get();
        if (issue is null) return Problem.NotFound($"No issue {id}.");
        var mayAttach = caller.Username == issue.ReportedBy || caller.CanEditDirectoryOf(issue.CommunityCode) ||
                        (issue.Assignee is { Kind: AssigneeKind.GridWorker } a && a.Id == caller.Username) ||
                        (issue.Assignee is { Kind: AssigneeKind.Member } m && m.Id == caller.MemberId);
        if (!mayAttach) return Problem.Forbidden("Only the reporter, the assignee or the committee may attach photos.");

        var bytes = await ReadLimited(http);
        if (bytes is null) return TooLarge();
        var contentType = ImageFormat.Sniff(bytes);
        if (contentType is null) return Problem.Invalid("body", "The body is not a JPEG, PNG or WebP image (checked by its content, not its name or header).");

        var photoId = Convert.ToHexString(SHA256.HashData(bytes))[..16].ToLowerInvariant();
        var now = clock.GetUtcNow();
        await store.Save(new StoredPhoto(photoId, id, kind, contentType, bytes), Convert.ToHexString(SHA256.HashData(bytes)), now, caller.Username);
        var result = await grain.AddPhoto(new IssuePhoto { Id = photoId, Kind = kind, ContentType = contentType, SizeBytes = bytes.Length, AtUtc = now, By = caller.Username });
        if (result.Outcome != IssueOutcome.Done) return IssueEndpoints.Answer(result, caller, now);
        var photo = result.Issue!.Photos.First(p => p.Id == photoId);
        // The upload moves the issue's version: give the new ETag so the next step needs no reload.
        http.Response.Headers.ETag = $"\"{result.Issue.Version}\"";
        return TypedResults.Created($"/api/issues/{id}/photos/{photoId}", photo);
    }

    private static async Task<IResult> Download(string id, string photoId, IPhotoStore store, Caller caller)
    {
        if (IssueEndpoints.IdError(id) is { } idError) return Problem.Invalid("id", idError);
        if (!caller.CanSeeCell(id[..15])) return Problem.Forbidden($"Issue {id} is outside your scope.");
        if (photoId.Length != 16 || !photoId.All(char.IsAsciiHexDigitLower)) return Problem.Invalid("photoId", "must be 16 lower-case hex digits.");
        var photo = await store.Find(id, photoId);
        return photo is null ? Problem.NotFound($"No photo {photoId} on issue {id}.") : TypedResults.File(photo.Bytes, photo.ContentType);
    }

    private static IResult TooLarge() => TypedResults.Problem(title: "Photo too large", detail: $"A photo may be at most {MaxBytes / 1024 / 1024} MiB.",
        statusCode: StatusCodes.Status413PayloadTooLarge);

    private static async Task<byte[]?> ReadLimited(HttpContext http)
    {
        using var buffer = new MemoryStream();
        var chunk = new byte[81920];
        int read;
        while ((read = await http.Request.Body.ReadAsync(chunk)) > 0)
        {
            if (buffer.Length + read > MaxBytes) return null;
            buffer.Write(chunk, 0, read);
        }
        return buffer.ToArray();
    }
}
