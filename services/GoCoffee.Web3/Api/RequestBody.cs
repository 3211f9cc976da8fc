using System.Text.Json;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Options;

namespace GoCoffee.Web3.Api;

/// <summary>
/// Reads a JSON request body with the platform's serializer settings (a key given twice is refused) and turns an
/// unreadable one into a 400 problem naming the field, as every other client mistake is.
/// </summary>
internal static class RequestBody
{
    public static async Task<(T? Value, IResult? Problem)> Read<T>(HttpRequest request, CancellationToken cancellationToken)
        where T : class
    {
        var options = request.HttpContext.RequestServices.GetRequiredService<IOptions<JsonOptions>>().Value.SerializerOptions;
        try
        {
            var value = await JsonSerializer.DeserializeAsync<T>(request.Body, options, cancellationToken);
            return value is null ? (null, ApiProblems.Invalid("$", "a JSON object is required.")) : (value, null);
        }
        catch (JsonException ex)
        {
            var field = ex.Path is { Length: > 2 } path && path.StartsWith("$.", StringComparison.Ordinal) ? path[2..] : "$";
            return (null, ApiProblems.Invalid(field, $"is not valid here: {ex.Message}"));
        }
    }
}
