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
        var errors = new FieldErrors();
        var issueId = errors.Id<IssueId>("id", id);
        errors.AddIf(kind is not ("before" or "after"), "kind", "应为 before（处置前）或 after（处置后）。");
        if (errors.Any) return errors.ToProblem();
        if (http.Request.ContentLength > MaxBytes) return TooLarge();
        if (!caller.CanSeeCell(issueId!.Value.Cell.Value)) return IssueEndpoints.OutOfScope(issueId.Value);
        var grain = grains.Issue(issueId.Value);
        var issue = await grain.Get();
        if (issue is null) return IssueEndpoints.NoIssue(issueId.Value);
        var mayAttach = caller.Username == issue.ReportedBy || caller.CanEditDirectoryOf(issue.CommunityCode) ||
                        (issue.Assignee is { Kind: AssigneeKind.GridWorker } a && a.Id == caller.Username) ||
                        (issue.Assignee is { Kind: AssigneeKind.Member } m && m.Id == caller.MemberId);
        if (!mayAttach) return Problem.Forbidden("只有上报人、处置人或社区党委可以上传照片。");

        var bytes = await ReadLimited(http);
        if (bytes is null) return TooLarge();
        var contentType = ImageFormat.Sniff(bytes);
        if (contentType is null) return Problem.Invalid("body", "上传的不是 JPEG、PNG 或 WebP 图片（按内容判断，不看文件名或标头）。");

        var photoId = Convert.ToHexString(SHA256.HashData(bytes))[..16].ToLowerInvariant();
        var now = clock.GetUtcNow();
        await store.Save(new StoredPhoto(photoId, id, kind!, contentType, bytes), Convert.ToHexString(SHA256.HashData(bytes)), now, caller.Username);
        var result = await grain.AddPhoto(new IssuePhoto { Id = photoId, Kind = kind!, ContentType = contentType, SizeBytes = bytes.Length, AtUtc = now, By = caller.Username });
        if (result is not { Succeeded: true, Value: { } updated }) return IssueEndpoints.Answer(result, caller, now);
        var photo = updated.Photos.First(p => p.Id == photoId);
        // The upload moves the issue's version: give the new ETag so the next step needs no reload.
        http.Response.Headers.ETag = $"\"{updated.Version}\"";
        return TypedResults.Created($"/api/issues/{id}/photos/{photoId}", photo);
    }

    private static async Task<IResult> Download(string id, string photoId, IPhotoStore store, Caller caller)
    {
        var errors = new FieldErrors();
        var issueId = errors.Id<IssueId>("id", id);
        errors.AddIf(photoId.Length != 16 || !photoId.All(char.IsAsciiHexDigitLower), "photoId", "应为 16 位小写十六进制数字。");
        if (errors.Any) return errors.ToProblem();
        if (!caller.CanSeeCell(issueId!.Value.Cell.Value)) return IssueEndpoints.OutOfScope(issueId.Value);
        var photo = await store.Find(id, photoId);
        return photo is null ? Problem.NotFound($"诉求「{id}」没有照片「{photoId}」。") : TypedResults.File(photo.Bytes, photo.ContentType);
    }

    private static IResult TooLarge() => TypedResults.Problem(title: "照片过大", detail: $"照片最大 {MaxBytes / 1024 / 1024} MiB。",
        statusCode: StatusCodes.Status413PayloadTooLarge, extensions: new Dictionary<string, object?> { ["code"] = "photo.too_large" });

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
