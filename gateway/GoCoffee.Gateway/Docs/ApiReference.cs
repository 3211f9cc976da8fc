using GoCoffee.ServiceDefaults;
using Scalar.AspNetCore;

namespace GoCoffee.Gateway.Docs;

/// <summary>
/// One browsable API reference at <c>/docs</c> (Scalar, served from the package: no CDN) over every service's own OpenAPI
/// document, read through the gateway's public documentation routes. A route names its document with the metadata
/// <c>OpenApi</c> (path) and <c>Title</c>.
/// </summary>
public static class ApiReference
{
    public const string Path = "/docs";

    public static WebApplication MapApiReference(this WebApplication app)
    {
        var documents = app.Configuration.GetSection("ReverseProxy:Routes").GetChildren()
            .Select(route => (Name: route.Key, Document: route["Metadata:OpenApi"], Title: route["Metadata:Title"]))
            .Where(route => !string.IsNullOrEmpty(route.Document))
            .Select((route, index) => new ScalarDocument(route.Name, route.Title ?? route.Name, route.Document, IsDefault: index == 0))
            .ToList();

        app.MapScalarApiReference(Path, options => options
                .WithTitle("Go Coffee API")
                .AddPreferredSecuritySchemes(OpenApiDocuments.ApiKeyScheme)
                .AddDocuments(documents))
            .AllowAnonymous();
        return app;
    }
}
