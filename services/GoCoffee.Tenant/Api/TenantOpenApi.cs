using System.Reflection;
using System.Text.Json;
using System.Text.Json.Nodes;
using GoCoffee.Contracts;
using GoCoffee.Contracts.Tenants;
using GoCoffee.ServiceDefaults;
using GoCoffee.Tenant.ApiKeys;
using GoCoffee.Resources;
using GoCoffee.Tenant.Lifecycle;
using GoCoffee.Tenant.Quotas;
using GoCoffee.Tenant.Tiers;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace GoCoffee.Tenant.Api;

/// <summary>What a pending deletion will remove, and when (<c>GET /{tenantId}/deletion-plan</c>).</summary>
public sealed record DeletionPlanView(string TenantId, bool Planned, DateTimeOffset? DeleteAfter, IReadOnlyList<ClusterObjectRef> Objects);

/// <summary>
/// The tenant service's part of its OpenAPI document: the closed value sets the API enforces as enums (tier, phase,
/// isolation level, key status, reservation state, features, networks, GPU types), the headers its operations read and
/// write (<c>Idempotency-Key</c>, <c>If-Match</c>, <c>ETag</c>, <c>Location</c>), and examples built from the seed's
/// <c>enterprise-customer-1</c> tenant (<c>examples/tenant-enterprise-customer-1.yaml</c>, embedded at build time).
/// </summary>
public static class TenantOpenApi
{
    public const string ExampleResourceName = "GoCoffee.Tenant.Examples.tenant-enterprise-customer-1.yaml";

    /// <summary>The isolation levels <see cref="Validation.TenantValidator"/> accepts.</summary>
    public static readonly IReadOnlyList<string> IsolationLevels = ["soft", "hard", "strict"];

    public static readonly IReadOnlyList<string> Phases =
        [TenantPhase.Pending, TenantPhase.Provisioning, TenantPhase.Active, TenantPhase.Suspended, TenantPhase.Terminating, TenantPhase.Deleted, TenantPhase.Failed];

    /// <summary>The seed's enterprise tenant, as sent: YAML, verbatim.</summary>
    public static string ExampleTenantYaml { get; } = ReadExample();

    /// <summary>The same tenant as the JSON the API reads and writes.</summary>
    public static JsonNode ExampleTenantJson() =>
        JsonSerializer.SerializeToNode(ResourceDocument.Read<TenantResource>(ExampleTenantYaml, yaml: true).Document, ResourceDocument.Json)
        ?? throw new InvalidOperationException("The example tenant is empty.");

    public static IHostApplicationBuilder AddTenantOpenApi(this IHostApplicationBuilder builder)
    {
        builder.Services.ConfigureOpenApi(options =>
        {
            options.AddSchemaTransformer(Enums);
            options.AddOperationTransformer(HeadersAndExamples);
        });
        return builder;
    }

    private static Task Enums(OpenApiSchema schema, OpenApiSchemaTransformerContext context, CancellationToken cancellationToken)
    {
        var type = context.JsonTypeInfo.Type;
        if (type == typeof(TenantSpec))
        {
            Restrict(schema, "tier", TierCatalog.All.Select(tier => tier.Name));
        }
        else if (type == typeof(TenantStatus))
        {
            Restrict(schema, "phase", Phases);
        }
        else if (type == typeof(TenantSummary))
        {
            Restrict(schema, "tier", TierCatalog.All.Select(tier => tier.Name));
            Restrict(schema, "phase", Phases);
        }
        else if (type == typeof(TenantIsolation))
        {
            Restrict(schema, "level", IsolationLevels);
        }
        else if (type == typeof(ApiKeyView))
        {
            Restrict(schema, "status", Enum.GetNames<ApiKeyStatus>());
        }
        else if (type == typeof(ReservationView))
        {
            Restrict(schema, "state", Enum.GetNames<ReservationState>());
        }
        else if (type == typeof(CoffeeServiceSpec))
        {
            RestrictItems(schema, "features", TierCatalog.KnownCoffeeFeatures);
        }
        else if (type == typeof(Web3ServiceSpec))
        {
            RestrictItems(schema, "networks", TierCatalog.KnownWeb3Networks);
        }
        else if (type == typeof(AiServiceSpec))
        {
            RestrictItems(schema, "gpuTypes", TierCatalog.KnownGpuTypes);
        }

        return Task.CompletedTask;
    }

    private static void Restrict(OpenApiSchema schema, string property, IEnumerable<string> values)
    {
        if (schema.Properties?.TryGetValue(property, out var found) == true && found is OpenApiSchema target)
        {
            target.Enum = [.. values.Select(value => (JsonNode)JsonValue.Create(value))];
            if (target.Type is { } type && type.HasFlag(JsonSchemaType.Null))
            {
                // A value a client may leave out is absent, never null: the API writes no nulls.
                target.Type = type & ~JsonSchemaType.Null;
            }
        }
    }

    private static void RestrictItems(OpenApiSchema schema, string property, IEnumerable<string> values)
    {
        if (schema.Properties?.TryGetValue(property, out var found) == true && found is OpenApiSchema { Items: OpenApiSchema items })
        {
            items.Enum = [.. values.Select(value => (JsonNode)JsonValue.Create(value))];
        }
    }

    private static Task HeadersAndExamples(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        foreach (var parameter in operation.Parameters?.OfType<OpenApiParameter>() ?? [])
        {
            if (parameter is { In: ParameterLocation.Path, Name: "tenantId" })
            {
                parameter.Description ??= "The tenant's id (spec.tenantId).";
                parameter.Example = JsonValue.Create("ent-customer-1");
            }
        }

        switch (operation.OperationId)
        {
            case "createTenant":
                AddHeader(operation, "Idempotency-Key", "Repeating a create with the same key (at most 200 characters) answers what the first one answered instead of a conflict.", maxLength: 200);
                SetRequestExample(operation, "application/json", ExampleTenantJson());
                SetRequestExample(operation, "application/yaml", ExampleTenantJson());
                AddLocation(operation, "202", "The tenant's URL.");
                Describe(operation, "202", "Accepted: the tenant is being provisioned; the answer holds its API key, shown this once. A repeat with the same Idempotency-Key and body answers the same status, Location and body, without the key, and with the header Idempotency-Replayed: true.");
                if (operation.Responses?.TryGetValue("202", out var accepted) == true && accepted is OpenApiResponse replayable)
                {
                    replayable.Headers ??= new Dictionary<string, IOpenApiHeader>();
                    replayable.Headers["Idempotency-Replayed"] = new OpenApiHeader
                    {
                        Description = "true when this answer replays an earlier create with the same Idempotency-Key.",
                        Schema = new OpenApiSchema { Type = JsonSchemaType.Boolean },
                    };
                }
                break;
            case "changeTenant":
                AddHeader(operation, "If-Match", "The tenant's ETag (its metadata.resourceVersion) as read: the change is refused with 412 if the tenant changed since.");
                var change = new JsonObject { ["resources"] = ExampleTenantJson()["spec"]!["resources"]!.DeepClone() };
                SetRequestExample(operation, "application/json", change);
                SetRequestExample(operation, "application/merge-patch+json", change.DeepClone());
                break;
            case "getTenant":
                if (operation.Responses?.TryGetValue("200", out var ok) == true && ok is OpenApiResponse response)
                {
                    response.Headers ??= new Dictionary<string, IOpenApiHeader>();
                    response.Headers["ETag"] = new OpenApiHeader
                    {
                        Description = "The tenant's version (its metadata.resourceVersion), for If-Match.",
                        Schema = new OpenApiSchema { Type = JsonSchemaType.String },
                    };
                }

                break;
            case "reserveTenantQuota" or "issueTenantApiKey" or "rotateTenantApiKey":
                AddLocation(operation, "201", "The new resource's URL.");
                break;
        }

        return Task.CompletedTask;
    }

    private static void AddHeader(OpenApiOperation operation, string name, string description, int? maxLength = null)
    {
        operation.Parameters ??= [];
        operation.Parameters.Add(new OpenApiParameter
        {
            Name = name,
            In = ParameterLocation.Header,
            Required = false,
            Description = description,
            Schema = new OpenApiSchema { Type = JsonSchemaType.String, MaxLength = maxLength },
        });
    }

    private static void Describe(OpenApiOperation operation, string status, string description)
    {
        if (operation.Responses?.TryGetValue(status, out var found) == true && found is OpenApiResponse response)
        {
            response.Description = description;
        }
    }

    private static void AddLocation(OpenApiOperation operation, string status, string description)
    {
        if (operation.Responses?.TryGetValue(status, out var found) == true && found is OpenApiResponse response)
        {
            response.Headers ??= new Dictionary<string, IOpenApiHeader>();
            response.Headers["Location"] = new OpenApiHeader { Description = description, Schema = new OpenApiSchema { Type = JsonSchemaType.String } };
        }
    }

    private static void SetRequestExample(OpenApiOperation operation, string mediaType, JsonNode example)
    {
        if (operation.RequestBody?.Content?.TryGetValue(mediaType, out var media) == true && media is OpenApiMediaType concrete)
        {
            concrete.Example = example;
        }
    }

    private static string ReadExample()
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream(ExampleResourceName)
            ?? throw new InvalidOperationException($"The embedded example {ExampleResourceName} is missing.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
