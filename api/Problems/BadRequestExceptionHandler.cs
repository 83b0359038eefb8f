using System.Text.Json;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;

namespace Grid.Api.Problems;

/// <summary>
/// Turns a request the framework could not bind (bad JSON, a wrong type, a body too large)
/// into a 400/413 problem that names what was wrong, instead of a bare status or a 500.
/// </summary>
internal sealed class BadRequestExceptionHandler(IProblemDetailsService problems) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext context, Exception exception, CancellationToken cancellationToken)
    {
        if (exception is not BadHttpRequestException bad) return false;

        var detail = bad.InnerException switch
        {
            JsonException json => $"JSON 请求体格式有误，或 {json.Path ?? "$"} 处的值类型不对。",
            _ => bad.Message,
        };
        context.Response.StatusCode = bad.StatusCode;
        return await problems.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = context,
            Exception = exception,
            ProblemDetails = new ProblemDetails
            {
                Status = bad.StatusCode,
                Title = bad.StatusCode == StatusCodes.Status413PayloadTooLarge ? "请求过大" : "请求有误",
                Detail = detail,
            },
        });
    }

}
