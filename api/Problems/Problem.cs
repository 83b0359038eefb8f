using Grid.Contracts;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Grid.Api.Problems;

/// <summary>
/// RFC 7807 answers that say what was wrong, in Chinese. Every 4xx Grid gives goes through here;
/// each carries a stable <c>code</c> beside the text, so a client can tell kinds apart without reading it.
/// </summary>
public static class Problem
{
    public static ProblemHttpResult NotFound(string what, string code = "not_found") => Make(StatusCodes.Status404NotFound, "未找到", what, code);

    public static ProblemHttpResult Forbidden(string why, string code = "forbidden") => Make(StatusCodes.Status403Forbidden, "无权操作", why, code);

    public static ProblemHttpResult Conflict(string what, IDictionary<string, object?>? extensions = null, string code = "conflict") =>
        Make(StatusCodes.Status409Conflict, "与当前状态冲突", what, code, extensions);

    public static ProblemHttpResult VersionMismatch(string what, IDictionary<string, object?>? extensions = null) =>
        Make(StatusCodes.Status412PreconditionFailed, "内容已被他人更新", what, "version", extensions);

    public static ProblemHttpResult KeyReused(string what) => Make(StatusCodes.Status422UnprocessableEntity, "幂等键已用于另一请求", what, "idempotency_key_reused");

    public static ValidationProblem Invalid(IDictionary<string, string[]> errors, string code = "invalid") =>
        TypedResults.ValidationProblem(errors, title: "请求有误", detail: string.Join("；", errors.Select(e => $"{e.Key}：{string.Join(" ", e.Value)}")),
            extensions: new Dictionary<string, object?> { ["code"] = code });

    public static ValidationProblem Invalid(string field, string error, string code = "invalid") =>
        Invalid(new Dictionary<string, string[]> { [field] = [error] }, code);

    /// <summary>
    /// The one mapping of a use case's failure to HTTP. <paramref name="extensions"/> adds what the
    /// caller needs to recover (the current status, the version) from the record that stands.
    /// </summary>
    public static IResult For<T>(Outcome<T> outcome, Func<T, IDictionary<string, object?>>? extensions = null)
    {
        var extra = outcome.Value is { } current && extensions is not null ? extensions(current) : null;
        return outcome.Kind switch
        {
            OutcomeKind.Invalid => Invalid(outcome.Field ?? "body", outcome.Message, outcome.Code ?? "invalid"),
            OutcomeKind.NotFound => NotFound(outcome.Message, outcome.Code ?? "not_found"),
            OutcomeKind.Forbidden => Forbidden(outcome.Message, outcome.Code ?? "forbidden"),
            OutcomeKind.Conflict => Conflict(outcome.Message, extra, outcome.Code ?? "conflict"),
            OutcomeKind.VersionMismatch => VersionMismatch(outcome.Message, extra),
            OutcomeKind.KeyReused => KeyReused(outcome.Message),
            _ => throw new ArgumentException($"Outcome {outcome.Kind} is a success, not a problem.", nameof(outcome)),
        };
    }

    private static ProblemHttpResult Make(int status, string title, string detail, string code, IDictionary<string, object?>? extensions = null)
    {
        var all = extensions is null ? new Dictionary<string, object?>() : new Dictionary<string, object?>(extensions);
        all["code"] = code;
        return TypedResults.Problem(title: title, detail: detail, statusCode: status, extensions: all);
    }
}

/// <summary>Collects field errors; the field names are the JSON names the client sent.</summary>
public sealed class FieldErrors
{
    private readonly Dictionary<string, List<string>> errors = new(StringComparer.Ordinal);

    public bool Any => errors.Count > 0;

    public FieldErrors Add(string field, string error)
    {
        if (!errors.TryGetValue(field, out var list)) errors[field] = list = [];
        list.Add(error);
        return this;
    }

    public void AddIf(bool condition, string field, string error)
    {
        if (condition) Add(field, error);
    }

    public void AddIfNotNull(string field, string? error)
    {
        if (error is not null) Add(field, error);
    }

    /// <summary>Parses a typed id once, at the edge; a wrong one is a field error with the id kind's own reason.</summary>
    public T? Id<T>(string field, string? text) where T : struct, IGridId<T>
    {
        if (GridId.TryParse<T>(text, out var id)) return id;
        Add(field, T.Error(text)!);
        return null;
    }

    /// <summary>A required, trimmed, bounded text field; line breaks and tabs only where <paramref name="multiline"/>.</summary>
    public void Text(string field, string? value, int maxLength, bool required = true, bool multiline = false)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            if (required) Add(field, "必填。");
            return;
        }
        if (value.Length > maxLength) Add(field, $"最多 {maxLength} 个字符，现为 {value.Length} 个。");
        if (value.Any(c => char.IsControl(c) && !(multiline && c is '\n' or '\r' or '\t')))
            Add(field, multiline ? "除换行和制表符外不能含控制字符。" : "不能含控制字符或换行。");
    }

    public IDictionary<string, string[]> ToDictionary() => errors.ToDictionary(e => e.Key, e => e.Value.ToArray());

    public ValidationProblem ToProblem() => Problem.Invalid(ToDictionary());
}
