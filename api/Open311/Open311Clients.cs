using System.Collections.Immutable;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;

namespace Grid.Api.Open311;

/// <summary>An Open311 client whose api_key was accepted for this request.</summary>
public sealed record Open311Client(string Name, ImmutableArray<string> CommunityCodes)
{
    private static readonly object ItemKey = new();

    /// <summary>Who the issues it reports are reported by.</summary>
    public string ReportedBy => $"open311:{Name}";

    public bool Serves(string communityCode) => CommunityCodes.IsEmpty || CommunityCodes.Contains(communityCode);

    /// <summary>The client the api_key filter accepted; the endpoints run only behind that filter.</summary>
    public static Open311Client Of(HttpContext http) =>
        http.Items[ItemKey] as Open311Client ?? throw new InvalidOperationException("The Open311 api_key filter did not run for this endpoint.");

    internal void Attach(HttpContext http) => http.Items[ItemKey] = this;
}

/// <summary>The configured clients, found by api_key in constant time per client.</summary>
public sealed class Open311Clients
{
    private readonly ImmutableArray<(byte[] KeyHash, Open311Client Client)> clients;

    public Open311Clients(IOptions<Open311Options> options) =>
        clients = [.. options.Value.Clients.Select(c => (Hash(c.ApiKey), new Open311Client(c.Name, [.. c.CommunityCodes])))];

    public Open311Client? Find(string apiKey)
    {
        var hash = Hash(apiKey);
        Open311Client? found = null;
        // Compare against every client, so the time taken does not tell which key came close.
        foreach (var (keyHash, client) in clients)
        {
            if (CryptographicOperations.FixedTimeEquals(keyHash, hash)) found = client;
        }
        return found;
    }

    private static byte[] Hash(string key) => SHA256.HashData(Encoding.UTF8.GetBytes(key));
}

/// <summary>
/// The Open311 endpoints are anonymous to Grid's JWT authorization (Open311 apps have no Grid login);
/// this filter is their authentication instead: a configured api_key, from the form of a POST or
/// the query string, else 401 (none given) or 403 (not a key Grid knows), in Open311's error format.
/// </summary>
public sealed class Open311ApiKeyFilter(Open311Clients clients) : IEndpointFilter
{
    public const string Field = "api_key";

    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        var key = http.Request.Query[Field].ToString();
        if (HttpMethods.IsPost(http.Request.Method) && http.Request.HasFormContentType)
        {
            var (form, error) = await Open311Form.Read(http);
            if (error is not null) return error;
            if (form![Field].ToString() is { Length: > 0 } inForm) key = inForm;
        }
        if (key.Length == 0)
        {
            http.Response.Headers.WWWAuthenticate = "Open311ApiKey realm=\"grid\"";
            return Open311Errors.Result(StatusCodes.Status401Unauthorized,
                "api_key is required: send the key Grid's administrators gave your application (form field or query parameter api_key).");
        }
        if (clients.Find(key) is not { } client)
            return Open311Errors.Result(StatusCodes.Status403Forbidden, "api_key is not valid.");
        client.Attach(http);
        return await next(context);
    }
}

internal static class Open311Form
{
    /// <summary>The POST form (read once, then cached by ASP.NET Core), or an Open311 error when it cannot be read.</summary>
    public static async Task<(IFormCollection? Form, IResult? Error)> Read(HttpContext http)
    {
        try
        {
            return (await http.Request.ReadFormAsync(http.RequestAborted), null);
        }
        catch (BadHttpRequestException e)
        {
            return (null, Open311Errors.Result(e.StatusCode, $"The form could not be read: {e.Message}"));
        }
        catch (InvalidDataException e)
        {
            return (null, Open311Errors.Result(StatusCodes.Status400BadRequest, $"The form could not be read: {e.Message}"));
        }
    }
}
