using System.Text.Encodings.Web;
using System.Text.Json;
using Grid.Contracts;
using Microsoft.AspNetCore.Http;

namespace Grid.Api.Open311;

// The GeoReport v2 shapes. Property names become snake_case (service_request_id) through Open311Json.

/// <summary>A service: one Grid category subclass.</summary>
public sealed record Open311Service(
    string ServiceCode, string ServiceName, string Description, bool Metadata, string Type, string Keywords, string Group);

/// <summary>
/// A service request as Open311 clients see it. It has, by construction, no field for the
/// reporter's name, phone or e-mail: GeoReport GET output is meant to be shareable.
/// </summary>
public sealed record Open311Request(
    string ServiceRequestId,
    string Status,
    string? StatusNotes,
    string ServiceName,
    string ServiceCode,
    string? Description,
    string? AgencyResponsible,
    string? ServiceNotice,
    string RequestedDatetime,
    string? UpdatedDatetime,
    string? ExpectedDatetime,
    string? Address,
    string? AddressId,
    string? Zipcode,
    double? Lat,
    double? Long,
    string? MediaUrl);

/// <summary>The answer to a POST: the new request's id.</summary>
public sealed record Open311Created(string ServiceRequestId, string? ServiceNotice, string? AccountId);

public sealed record Open311Error(int Code, string Description);

public static class Open311Json
{
    /// <summary>
    /// snake_case names, nulls written (clients expect every field), and text as it is: Chinese and
    /// the '+' of "+08:00" unescaped. Relaxed escaping is meant for JSON that is not embedded in HTML,
    /// which these application/json answers are not.
    /// </summary>
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public static IResult Result<T>(T body, int status = StatusCodes.Status200OK) =>
        TypedResults.Json(body, Options, statusCode: status);
}

/// <summary>
/// Open311 errors: a JSON array of {code, description} with the same HTTP status. This is a
/// deliberate exception to Grid's "every 4xx is an RFC 7807 problem" rule: Open311 clients parse
/// this shape, and a problem object cannot also be the array they expect.
/// </summary>
public static class Open311Errors
{
    public static IResult Result(int status, string description) => Open311Json.Result(new[] { new Open311Error(status, description) }, status);

    public static IResult BadRequest(string description) => Result(StatusCodes.Status400BadRequest, description);

    public static IResult NotFound(string description) => Result(StatusCodes.Status404NotFound, description);

    public static IResult Forbidden(string description) => Result(StatusCodes.Status403Forbidden, description);

    public static IResult JsonOnly(string format) =>
        NotFound($"Grid 只以 JSON（.json）提供 GeoReport v2，不提供「.{format}」。");

    /// <summary>A refused report in Open311's own format, with the status a problem of that kind would have.</summary>
    public static IResult For<T>(Outcome<T> refused) => Result(refused.Kind switch
    {
        OutcomeKind.NotFound => StatusCodes.Status404NotFound,
        OutcomeKind.Forbidden => StatusCodes.Status403Forbidden,
        OutcomeKind.Conflict => StatusCodes.Status409Conflict,
        OutcomeKind.KeyReused => StatusCodes.Status422UnprocessableEntity,
        _ => StatusCodes.Status400BadRequest,
    }, refused.Message);
}
