namespace Grid.Contracts;

/// <summary>
/// How a use case ended. One set for every use case, so that one mapping turns any of them into
/// HTTP (api/Problems/Outcomes.cs), Open311 or a CSV row error.
/// </summary>
[GenerateSerializer, Alias("grid.OutcomeKind")]
public enum OutcomeKind
{
    /// <summary>Done: the value is the result (an existing record on a retry that changed nothing).</summary>
    Done = 0,
    /// <summary>Done, and a new record was made (HTTP 201).</summary>
    Created = 1,
    /// <summary>The request itself is wrong (HTTP 400 on <see cref="Outcome{T}.Field"/>).</summary>
    Invalid = 2,
    NotFound = 3,
    /// <summary>The caller may not do this to this record (HTTP 403).</summary>
    Forbidden = 4,
    /// <summary>Not in the record's current state, or a different record already holds the key (HTTP 409).</summary>
    Conflict = 5,
    /// <summary>The caller's version is stale (HTTP 412).</summary>
    VersionMismatch = 6,
    /// <summary>An idempotency key already used for a different request (HTTP 422).</summary>
    KeyReused = 7,
}

/// <summary>
/// A use case's single answer: its kind, the record (on success, and on a conflict the record as it
/// stands, so the caller can show what changed), and a Chinese message naming what was wrong.
/// </summary>
[GenerateSerializer, Immutable, Alias("grid.Outcome`1")]
public sealed record Outcome<T>
{
    [Id(0)] public required OutcomeKind Kind { get; init; }
    [Id(1)] public T? Value { get; init; }
    /// <summary>Why it failed, in Chinese; empty on success.</summary>
    [Id(2)] public string Message { get; init; } = "";
    /// <summary>For <see cref="OutcomeKind.Invalid"/>: the request field that was wrong, by its JSON name.</summary>
    [Id(3)] public string? Field { get; init; }
    /// <summary>A stable machine-readable reason (e.g. "issue.status"), for clients that map their own texts.</summary>
    [Id(4)] public string? Code { get; init; }

    public bool Succeeded => Kind is OutcomeKind.Done or OutcomeKind.Created;
}

/// <summary>Short ways to say each outcome.</summary>
public static class Outcome
{
    public static Outcome<T> Done<T>(T value) => new() { Kind = OutcomeKind.Done, Value = value };
    public static Outcome<T> Created<T>(T value) => new() { Kind = OutcomeKind.Created, Value = value };
    public static Outcome<T> Invalid<T>(string field, string message, string? code = null) => new() { Kind = OutcomeKind.Invalid, Field = field, Message = message, Code = code };
    public static Outcome<T> NotFound<T>(string message) => new() { Kind = OutcomeKind.NotFound, Message = message, Code = "not_found" };
    public static Outcome<T> Forbidden<T>(string message) => new() { Kind = OutcomeKind.Forbidden, Message = message, Code = "forbidden" };
    public static Outcome<T> Conflict<T>(string message, T? current = default, string? code = null) => new() { Kind = OutcomeKind.Conflict, Message = message, Value = current, Code = code ?? "conflict" };
    public static Outcome<T> VersionMismatch<T>(string message, T? current = default) => new() { Kind = OutcomeKind.VersionMismatch, Message = message, Value = current, Code = "version" };
    public static Outcome<T> KeyReused<T>(string message) => new() { Kind = OutcomeKind.KeyReused, Message = message, Code = "idempotency_key_reused" };
}
