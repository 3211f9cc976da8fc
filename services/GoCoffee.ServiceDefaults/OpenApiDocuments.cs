using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.ModelBinding;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.OpenApi;

namespace GoCoffee.ServiceDefaults;

/// <summary>
/// Every service's OpenAPI document (<c>{prefix}/openapi/v1.json</c>), complete enough to generate a client from: what
/// every service shares is added here, so a new service inherits it. Requests go where the document was read from (the
/// relative server <c>/</c>: the gateway, for clients); the service accepts only the gateway's internal token (the
/// <see cref="InternalScheme"/> scheme), which the gateway replaces with its own schemes (<see cref="ApiKeyScheme"/>,
/// <see cref="BearerScheme"/>) in the documents it serves. Every operation lists the problems the platform answers
/// for it (401 and 403 from authentication, 400/415 for unreadable bodies, 429 and 502–504 from the gateway, 500)
/// as <c>application/problem+json</c>; an error status without a body schema gets the problem schema, since
/// status-code pages answer with a problem. A service describes its own operations on the <c>Map…</c> calls
/// (<c>WithName</c> for the operation id, <c>Produces</c>, <c>ProducesProblem</c>) and adds its own transformers with
/// <see cref="ConfigureOpenApi"/>.
/// </summary>
public static class OpenApiDocuments
{
    public const string DocumentName = "v1";
    public const string InternalScheme = "InternalToken";
    public const string ApiKeyScheme = "ApiKey";
    public const string BearerScheme = "Bearer";
    public const string ProblemJson = "application/problem+json";
    public const string ProblemSchema = nameof(ProblemDetails);
    public const string ValidationProblemSchema = nameof(HttpValidationProblemDetails);

    public static IServiceCollection AddPlatformOpenApi(this IServiceCollection services, ServiceIdentity identity) =>
        services.AddOpenApi(DocumentName, options =>
        {
            options.AddSchemaTransformer(NumbersAsNumbers);
            options.AddOperationTransformer(AddPlatformResponses);
            options.AddDocumentTransformer((document, _, _) =>
            {
                Describe(document, identity);
                return Task.CompletedTask;
            });
        });

    /// <summary>A service's own transformers (enums, examples) for its document.</summary>
    public static IServiceCollection ConfigureOpenApi(this IServiceCollection services, Action<OpenApiOptions> configure) =>
        services.Configure(DocumentName, configure);

    /// <summary>The gateway's schemes, as the gateway's copy of a service's document names them.</summary>
    public static Dictionary<string, IOpenApiSecurityScheme> GatewaySchemes() => new()
    {
        [ApiKeyScheme] = new OpenApiSecurityScheme
        {
            Type = SecuritySchemeType.ApiKey,
            In = ParameterLocation.Header,
            Name = "X-Api-Key",
            Description = "A tenant API key (gck_…): acts for that tenant only.",
        },
        [BearerScheme] = new OpenApiSecurityScheme
        {
            Type = SecuritySchemeType.Http,
            Scheme = "bearer",
            BearerFormat = "JWT",
            Description = "A platform operator's or partner app's JWT (scope platform-admin, or tenant with tenant_id).",
        },
    };

    private static void Describe(OpenApiDocument document, ServiceIdentity identity)
    {
        document.Info ??= new OpenApiInfo();
        document.Info.Description ??=
            $"The {identity.Name} API of Go Coffee. Clients call it through the gateway (API reference at /docs) with a tenant API key or a JWT; "
            + "the service itself accepts only the gateway's internal token. Errors are RFC 9457 problems (application/problem+json) that name the field and the rule.";
        document.Servers = [new OpenApiServer { Url = "/", Description = "Where this document was read from: the gateway, for clients." }];
        document.Components ??= new OpenApiComponents();
        document.Components.SecuritySchemes = new Dictionary<string, IOpenApiSecurityScheme>
        {
            [InternalScheme] = new OpenApiSecurityScheme
            {
                Type = SecuritySchemeType.Http,
                Scheme = "bearer",
                BearerFormat = "JWT",
                Description = "The gateway's short-lived internal token: the only credential a service accepts. Clients use the gateway's schemes instead.",
            },
        };
        document.Security = [new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(InternalScheme, document)] = [] }];

        var tags = document.Paths?.Values.SelectMany(path => path.Operations?.Values.AsEnumerable() ?? []).SelectMany(operation => operation.Tags?.AsEnumerable() ?? [])
            .Select(tag => tag.Name).OfType<string>().Distinct().ToList() ?? [];
        document.Tags = new HashSet<OpenApiTag>(tags.Select(tag => new OpenApiTag { Name = tag, Description = $"The {identity.Name} service's {tag} operations." }));
    }

    /// <summary>
    /// Services read numbers given as strings too (the web defaults); a client is told to send numbers, not the
    /// <c>["integer","string"]</c> with a pattern that would make generated clients take either.
    /// </summary>
    private static Task NumbersAsNumbers(OpenApiSchema schema, OpenApiSchemaTransformerContext context, CancellationToken cancellationToken)
    {
        if (schema.Type is { } type && type.HasFlag(JsonSchemaType.String) && (type.HasFlag(JsonSchemaType.Integer) || type.HasFlag(JsonSchemaType.Number)) && schema.Pattern is not null)
        {
            schema.Type = type & ~JsonSchemaType.String;
            schema.Pattern = null;
        }

        return Task.CompletedTask;
    }

    private static async Task AddPlatformResponses(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        var document = context.Document ?? throw new InvalidOperationException("The OpenAPI operation has no document.");
        var problem = await ProblemReference(document, context, typeof(ProblemDetails), ProblemSchema, cancellationToken);
        operation.Responses ??= [];
        var metadata = context.Description.ActionDescriptor.EndpointMetadata;

        void Add(int status, string description)
        {
            var key = status.ToString(System.Globalization.CultureInfo.InvariantCulture);
            if (!operation.Responses.ContainsKey(key))
            {
                operation.Responses[key] = new OpenApiResponse { Description = description, Content = ProblemContent(problem) };
            }
        }

        // Status-code pages answer every empty error response with a problem: say so where the endpoint named no body.
        foreach (var (status, response) in operation.Responses.ToList())
        {
            if (int.TryParse(status, out var code) && code >= 400 && response is OpenApiResponse concrete && (concrete.Content is null || concrete.Content.Count == 0))
            {
                concrete.Content = ProblemContent(problem);
            }
        }

        if (operation.RequestBody is not null)
        {
            Add(StatusCodes.Status413PayloadTooLarge, "The body is larger than the operation (or the gateway's route) accepts.");
        }

        if (context.Description.ParameterDescriptions.Any(parameter => parameter.Source == BindingSource.Body))
        {
            Add(StatusCodes.Status400BadRequest, "The body is not valid JSON for this operation (the problem names where).");
            Add(StatusCodes.Status415UnsupportedMediaType, "The body's content type is not one this operation reads.");
        }

        if (!metadata.OfType<IAllowAnonymous>().Any())
        {
            Add(StatusCodes.Status401Unauthorized, "No valid credential: the problem says what was wrong with it.");
            Add(StatusCodes.Status403Forbidden, "The caller may not do this (a tenant's caller acting on another tenant, or an operation for platform administrators).");
        }
        else
        {
            // "security: []": no credential, overriding the document's requirement.
            operation.Security = [];
        }

        Add(StatusCodes.Status429TooManyRequests, "The caller's rate limit (per tenant and tier, at the gateway) is used up; Retry-After says when to try again.");
        Add(StatusCodes.Status500InternalServerError, "A fault of the platform, never of the request.");
        Add(StatusCodes.Status502BadGateway, "The gateway: the service broke off the exchange.");
        Add(StatusCodes.Status503ServiceUnavailable, "The gateway: no instance of the service is available; Retry-After says when to try again.");
        Add(StatusCodes.Status504GatewayTimeout, "The gateway: the service did not answer within the route's timeout.");
    }

    private static Dictionary<string, OpenApiMediaType> ProblemContent(IOpenApiSchema schema) =>
        new() { [ProblemJson] = new OpenApiMediaType { Schema = schema } };

    private static async Task<IOpenApiSchema> ProblemReference(OpenApiDocument document, OpenApiOperationTransformerContext context, Type type, string id, CancellationToken cancellationToken)
    {
        if (document.Components?.Schemas?.ContainsKey(id) != true)
        {
            document.AddComponent(id, await context.GetOrCreateSchemaAsync(type, null, cancellationToken));
        }

        return new OpenApiSchemaReference(id, document);
    }
}
