using System.Net;
using System.Text.Json;

namespace GoCoffee.Gateway.Tests;

/// <summary>Asserts an RFC 9457 problem response: status, media type, title, the request id, and (optionally) a phrase of its detail.</summary>
public static class Problem
{
    public static async Task<JsonElement> Assert(HttpResponseMessage response, HttpStatusCode status, string? detailContains = null)
    {
        var text = await response.Content.ReadAsStringAsync();
        Xunit.Assert.True(response.StatusCode == status, $"expected {(int)status}, got {(int)response.StatusCode}: {text}");
        Xunit.Assert.True(response.Content.Headers.ContentType?.MediaType == "application/problem+json", $"not a problem ({response.Content.Headers.ContentType}): {text}");
        using var document = JsonDocument.Parse(text);
        var problem = document.RootElement.Clone();
        Xunit.Assert.Equal((int)status, problem.GetProperty("status").GetInt32());
        Xunit.Assert.False(string.IsNullOrEmpty(problem.GetProperty("title").GetString()), text);
        Xunit.Assert.True(problem.TryGetProperty("requestId", out var requestId) && requestId.GetString() is { Length: > 0 }, $"no requestId: {text}");
        Xunit.Assert.True(response.Headers.TryGetValues("X-Request-Id", out var echoed) && echoed.Single() == requestId.GetString(), $"X-Request-Id header differs from the problem's: {text}");
        if (detailContains is not null)
        {
            Xunit.Assert.Contains(detailContains, problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        }

        return problem;
    }
}
