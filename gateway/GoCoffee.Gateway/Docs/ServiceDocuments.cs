using System.Text.Json;
using System.Text.Json.Nodes;
using GoCoffee.ServiceDefaults;
using Microsoft.OpenApi;
using Yarp.ReverseProxy.Transforms;

namespace GoCoffee.Gateway.Docs;

/// <summary>
/// A service's OpenAPI document names the only credential the service accepts: the gateway's internal token. Clients
/// never hold one; they present a tenant API key or a JWT to the gateway. The copy the gateway serves (on the public
/// <c>…/openapi/…</c> routes, and the gateway's own document) names the gateway's schemes instead; nothing else of the
/// document changes. Only routes whose match names <c>openapi</c> get this transform, so no other request pays for it.
/// </summary>
public static class ServiceDocuments
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    /// <summary>The gateway's <c>components.securitySchemes</c> and <c>security</c>, as OpenAPI 3.1 JSON.</summary>
    private static readonly Lazy<(JsonNode Schemes, JsonNode Security)> Gateway = new(() =>
    {
        var document = new OpenApiDocument { Components = new OpenApiComponents() };
        AsServedByTheGateway(document);
        using var text = new StringWriter();
        document.SerializeAsV31(new OpenApiJsonWriter(text));
        var json = JsonNode.Parse(text.ToString())!;
        return (json["components"]!["securitySchemes"]!.DeepClone(), json["security"]!.DeepClone());
    });

    public static IReverseProxyBuilder AddServiceDocuments(this IReverseProxyBuilder proxy) =>
        proxy.AddTransforms(transforms =>
        {
            if (transforms.Route.Match.Path?.Contains("openapi", StringComparison.Ordinal) != true)
            {
                return;
            }

            transforms.AddResponseTransform(async context =>
            {
                var path = context.HttpContext.Request.Path.Value ?? string.Empty;
                if (context.ProxyResponse is not { IsSuccessStatusCode: true } response
                    || !path.Contains("/openapi/", StringComparison.Ordinal)
                    || !path.EndsWith(".json", StringComparison.Ordinal)
                    || HttpMethods.IsHead(context.HttpContext.Request.Method))
                {
                    return;
                }

                var cancellationToken = context.HttpContext.RequestAborted;
                var document = await JsonNode.ParseAsync(await response.Content.ReadAsStreamAsync(cancellationToken), cancellationToken: cancellationToken);
                if (document is not JsonObject root)
                {
                    return;
                }

                var components = root["components"] as JsonObject ?? [];
                root["components"] = components;
                components["securitySchemes"] = Gateway.Value.Schemes.DeepClone();
                root["security"] = Gateway.Value.Security.DeepClone();

                var body = JsonSerializer.SerializeToUtf8Bytes(root, Indented);
                context.SuppressResponseBody = true;
                context.HttpContext.Response.ContentLength = body.Length;
                await context.HttpContext.Response.Body.WriteAsync(body, cancellationToken);
            });
        });

    /// <summary>The gateway's own document: its credentials, not the services' internal token.</summary>
    public static IHostApplicationBuilder AddGatewayDocument(this IHostApplicationBuilder builder)
    {
        builder.Services.ConfigureOpenApi(options => options.AddDocumentTransformer((document, _, _) =>
        {
            AsServedByTheGateway(document);
            return Task.CompletedTask;
        }));
        return builder;
    }

    private static void AsServedByTheGateway(OpenApiDocument document)
    {
        document.Components ??= new OpenApiComponents();
        document.Components.SecuritySchemes = OpenApiDocuments.GatewaySchemes();
        document.Security =
        [
            new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(OpenApiDocuments.ApiKeyScheme, document)] = [] },
            new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(OpenApiDocuments.BearerScheme, document)] = [] },
        ];
    }
}
