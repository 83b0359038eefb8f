using System.Text.Json;

namespace Grid.Tests.Testing;

/// <summary>Assertions on RFC 7807 answers.</summary>
public static class ProblemAssert
{
    public static async Task<JsonElement> Is(HttpResponseMessage response, int status)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True((int)response.StatusCode == status, $"expected {status}, got {(int)response.StatusCode}: {body}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonDocument.Parse(body).RootElement;
        Assert.Equal(status, problem.GetProperty("status").GetInt32());
        Assert.False(string.IsNullOrWhiteSpace(problem.GetProperty("title").GetString()));
        return problem;
    }

    public static async Task<JsonElement> NamesField(HttpResponseMessage response, string field)
    {
        var problem = await Is(response, 400);
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), $"no error for '{field}' in {problem}");
        return problem;
    }
}
