using System.Text;
using GoCoffee.ServiceDefaults;
using Microsoft.AspNetCore.Http;

namespace GoCoffee.Resources;

/// <summary>
/// Request bodies carrying a resource document, as JSON or YAML by content type: read strictly
/// (<see cref="ResourceDocument.Read{T}"/>: unknown fields, duplicate keys, deep nesting refused) and bounded in size.
/// </summary>
public static class ResourceBodies
{
    public const int MaxDocumentBytes = 256 * 1024;

    /// <returns>The document, or the problem to answer with (400 naming the field, or 413).</returns>
    public static async Task<(T? Document, IResult? Problem)> Read<T>(HttpRequest request, CancellationToken cancellationToken)
        where T : class
    {
        if (request.ContentLength > MaxDocumentBytes)
        {
            return (null, TooLarge());
        }

        using var reader = new StreamReader(request.Body, Encoding.UTF8);
        var buffer = new char[MaxDocumentBytes + 1];
        var read = 0;
        int chunk;
        while (read < buffer.Length && (chunk = await reader.ReadAsync(buffer.AsMemory(read), cancellationToken)) > 0)
        {
            read += chunk;
        }

        if (read > MaxDocumentBytes)
        {
            return (null, TooLarge());
        }

        var (document, error) = ResourceDocument.Read<T>(new string(buffer, 0, read), ResourceDocument.IsYaml(request.ContentType));
        return error is not null ? (null, FieldProblems.Invalid(error.Field, error.Message)) : (document, null);
    }

    private static IResult TooLarge() =>
        TypedResults.Problem(statusCode: StatusCodes.Status413PayloadTooLarge, title: "The document is too large.", detail: $"A document may be at most {MaxDocumentBytes} bytes.");
}
