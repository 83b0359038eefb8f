using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Grid.Api.Problems;

/// <summary>RFC 7807 answers that say what was wrong. Every 4xx Grid gives goes through here.</summary>
public static class Problem
{
    public static ProblemHttpResult NotFound(string what) =>
        TypedResults.Problem(title: "Not found", detail: what, statusCode: StatusCodes.Status404NotFound);

    public static ProblemHttpResult Forbidden(string why) =>
        TypedResults.Problem(title: "Forbidden", detail: why, statusCode: StatusCodes.Status403Forbidden);

    public static ProblemHttpResult Conflict(string what, IDictionary<string, object?>? extensions = null) =>
        TypedResults.Problem(title: "Conflict", detail: what, statusCode: StatusCodes.Status409Conflict, extensions: extensions);

    public static ValidationProblem Invalid(IDictionary<string, string[]> errors) =>
        TypedResults.ValidationProblem(errors, title: "The request is invalid", detail: string.Join(" ", errors.Select(e => $"{e.Key}: {string.Join(" ", e.Value)}")));

    public static ValidationProblem Invalid(string field, string error) =>
        Invalid(new Dictionary<string, string[]> { [field] = [error] });
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

    /// <summary>A required, trimmed, bounded text field; line breaks and tabs only where <paramref name="multiline"/>.</summary>
    public void Text(string field, string? value, int maxLength, bool required = true, bool multiline = false)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            if (required) Add(field, "is required.");
            return;
        }
        if (value.Length > maxLength) Add(field, $"must be at most {maxLength} characters, got {value.Length}.");
        if (value.Any(c => char.IsControl(c) && !(multiline && c is '\n' or '\r' or '\t')))
            Add(field, multiline ? "must not contain control characters other than line breaks and tabs." : "must not contain control characters or line breaks.");
    }

    public IDictionary<string, string[]> ToDictionary() => errors.ToDictionary(e => e.Key, e => e.Value.ToArray());

    public ValidationProblem ToProblem() => Problem.Invalid(ToDictionary());
}
