using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace GoCoffee.FakeKubernetes;

/// <summary>The single request handler: routes, logs, applies test controls, runs the verb, writes JSON or a Status.</summary>
internal sealed class KubeApiHandler(
    ResourceRegistry registry,
    ResourceOperations operations,
    RequestControls controls,
    WatchStream watches,
    FakeKubernetesOptions options,
    CancellationToken stopping)
{
    public async Task HandleAsync(HttpContext context)
    {
        var request = context.Request;
        var route = Route.Parse(request.Path.Value ?? "/", registry);
        var body = HasBody(request.Method) ? await ReadBodyAsync(request) : null;
        var fake = Describe(context, route, body);
        controls.Log(fake);

        try
        {
            var delay = controls.DelayFor(fake);
            if (delay > TimeSpan.Zero) await DelayAsync(delay, context.RequestAborted);
            if (controls.FailureFor(fake) is { } injected)
            {
                await WriteAsync(context, ApiResponse.Of(Enrich(injected, fake)), injected.RetryAfterSeconds);
                return;
            }
            await DispatchAsync(context, route, fake);
        }
        catch (ApiException e)
        {
            await WriteAsync(context, ApiResponse.Of(e.Failure), e.Failure.RetryAfterSeconds);
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            // The client gave up (timeouts in tests); nothing to answer.
        }
        catch (Exception e) when (!context.Response.HasStarted)
        {
            // A bug in the fake (or in a test's Mutate callback): say what it was rather than an empty 500.
            await WriteAsync(context, ApiResponse.Of(FakeFailure.InternalError($"fake API server: {e}")));
        }
    }

    /// <summary>An injected delay; cut short when the client gives up or the server stops (so disposal never waits on it).</summary>
    private async Task DelayAsync(TimeSpan delay, CancellationToken aborted)
    {
        using var either = CancellationTokenSource.CreateLinkedTokenSource(aborted, stopping);
        try
        {
            await Task.Delay(delay, either.Token);
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested && !aborted.IsCancellationRequested)
        {
            throw new ApiException(FakeFailure.ServiceUnavailable("the fake API server is shutting down"));
        }
    }

    private async Task DispatchAsync(HttpContext context, Route route, FakeRequest fake)
    {
        switch (route)
        {
            case Route.Resource resource:
                await ResourceAsync(context, resource, fake);
                break;
            case Route.Version:
                await WriteAsync(context, ApiResponse.Of(200, Discovery.Version(options.KubernetesVersion)));
                break;
            case Route.CoreVersions:
                await WriteAsync(context, ApiResponse.Of(200, Discovery.CoreVersions(context.Request.Host.Value ?? "127.0.0.1")));
                break;
            case Route.CoreResources:
                await WriteAsync(context, ApiResponse.Of(200, Discovery.Resources(registry, "", "v1")!));
                break;
            case Route.Groups:
                await WriteAsync(context, ApiResponse.Of(200, Discovery.Groups(registry)));
                break;
            case Route.Group group:
                await WriteAsync(context, Discovery.Group(registry, group.Name) is { } g ? ApiResponse.Of(200, g) : NotFound());
                break;
            case Route.GroupResources list:
                await WriteAsync(context, Discovery.Resources(registry, list.Name, list.ApiVersion) is { } r ? ApiResponse.Of(200, r) : NotFound());
                break;
            case Route.OpenApiIndex:
                await WriteAsync(context, ApiResponse.Of(200, OpenApi.Index(registry)));
                break;
            case Route.OpenApiGroupVersion openApi:
                await WriteAsync(context, OpenApi.GroupVersion(registry, openApi.Path) is { } doc ? ApiResponse.Of(200, doc) : NotFound());
                break;
            case Route.Health:
                await TextAsync(context, 200, "ok");
                break;
            case Route.NotFound { ApiPath: true }:
                await WriteAsync(context, NotFound());
                break;
            default:
                // Includes /openapi/v2, which is not served (see OpenApi).
                await TextAsync(context, 404, "404 page not found\n");
                break;
        }
    }

    private async Task ResourceAsync(HttpContext context, Route.Resource route, FakeRequest fake)
    {
        var query = context.Request.Query;
        var write = WriteOptionsOf(context);
        ApiResponse response;
        switch (fake.Verb)
        {
            case "get":
                response = operations.Get(route);
                if (TableView.Wanted(context.Request.Headers.Accept) && route.Subresource is null)
                {
                    response = AsTable(route, response, obj => TableView.FromObject(route.Definition, obj, query["includeObject"], Now));
                }
                break;
            case "list":
                response = operations.List(route, ListOptionsOf(query, route));
                if (TableView.Wanted(context.Request.Headers.Accept))
                {
                    response = AsTable(route, response, list => TableView.FromList(route.Definition, list, query["includeObject"], Now));
                }
                break;
            case "watch":
                var table = TableView.Wanted(context.Request.Headers.Accept) ? query["includeObject"].ToString() : null;
                await watches.RunAsync(context, route, WatchRequestOf(query, route) with { Table = table });
                return;
            case "create":
                response = operations.Create(route, ParseObject(fake), write);
                break;
            case "update":
                response = operations.Update(route, ParseObject(fake), write);
                break;
            case "patch":
                response = operations.Patch(route, fake.Body ?? "", fake.ContentType, write);
                break;
            case "delete":
                response = operations.Delete(route, string.IsNullOrWhiteSpace(fake.Body) ? null : ParseObject(fake), write);
                break;
            case "deletecollection":
                response = operations.DeleteCollection(route, ListOptionsOf(query, route), write);
                break;
            default:
                response = ApiResponse.Of(new FakeFailure(405, "MethodNotAllowed", "the server does not allow this method on the requested resource"));
                break;
        }
        await WriteAsync(context, response);
    }

    private DateTimeOffset Now => options.TimeProvider.GetUtcNow();

    private static ApiResponse AsTable(Route.Resource route, ApiResponse response, Func<JsonObject, JsonObject> render) =>
        response.StatusCode is 200 && JsonNode.Parse(response.Body) is JsonObject obj ? ApiResponse.Of(200, render(obj)) : response;

    private static ApiResponse NotFound() =>
        ApiResponse.Of(new FakeFailure(404, "NotFound", "the server could not find the requested resource"));

    /// <summary>Injected failures carry the request's name and resource as <c>details</c> unless the test set them.</summary>
    private static FakeFailure Enrich(FakeFailure failure, FakeRequest request) => failure with
    {
        Name = failure.Name ?? request.Name,
        Group = failure.Group ?? (string.IsNullOrEmpty(request.Group) ? null : request.Group),
        Kind = failure.Kind ?? (failure.Code == 422 ? request.Kind : request.Resource),
    };

    private static FakeRequest Describe(HttpContext context, Route route, string? body)
    {
        var request = context.Request;
        var resource = route as Route.Resource;
        return new FakeRequest(
            request.Method,
            request.Path.Value ?? "/",
            request.QueryString.Value ?? "",
            request.ContentType,
            resource is null ? "get" : VerbOf(request.Method, resource, request.Query),
            DateTimeOffset.UtcNow)
        {
            Definition = resource?.Definition,
            Group = resource?.Definition.Group,
            Version = resource?.Definition.Version,
            Resource = resource?.Definition.Plural,
            Kind = resource?.Definition.Kind,
            Namespace = resource?.Namespace,
            Name = resource?.Name,
            Subresource = resource?.Subresource,
            Body = body,
            UserAgent = request.Headers.UserAgent,
            Query = request.Query.ToDictionary(q => q.Key, q => q.Value.ToString()),
        };
    }

    private static string VerbOf(string method, Route.Resource route, IQueryCollection query)
    {
        var watch = route.LegacyWatch || IsTrue(query["watch"]);
        var collection = route.Name is null;
        var allNamespaces = route.Definition.Namespaced && route.Namespace is null;
        return method switch
        {
            "GET" when watch => "watch",
            "GET" => collection ? "list" : "get",
            "POST" when collection && !allNamespaces => "create",
            "PUT" when !collection => "update",
            "PATCH" when !collection => "patch",
            "DELETE" when !collection => "delete",
            "DELETE" when !allNamespaces => "deletecollection",
            _ => "unsupported",
        };
    }

    private static WriteOptions WriteOptionsOf(HttpContext context)
    {
        var query = context.Request.Query;
        var manager = query["fieldManager"].ToString();
        var given = manager.Length > 0;
        if (!given)
        {
            var agent = context.Request.Headers.UserAgent.ToString();
            manager = agent.Split('/')[0];
            if (manager.Length == 0) manager = "unknown";
        }
        if (manager.Length > 128)
        {
            if (given)
            {
                throw new ApiException(FakeFailure.Invalid("PatchOptions", "meta.k8s.io", "",
                    new FakeFailureCause("FieldValueTooLong", "Too long: may not be more than 128 bytes", "fieldManager")));
            }
            manager = manager[..128];
        }
        var dryRun = query["dryRun"].Any(v => v == "All");
        return new WriteOptions(manager, given, dryRun, IsTrue(query["force"]), ForceGiven: query.ContainsKey("force"));
    }

    private static ListOptions ListOptionsOf(IQueryCollection query, Route.Resource route)
    {
        var fields = query["fieldSelector"].ToString();
        if (route.Name is not null) fields = string.Join(",", new[] { fields, $"metadata.name={route.Name}" }.Where(f => f.Length > 0));
        int? limit = int.TryParse(query["limit"], NumberStyles.None, CultureInfo.InvariantCulture, out var l) ? l : null;
        var next = query["continue"].ToString();
        return new ListOptions(LabelSelector.Parse(query["labelSelector"]), FieldSelector.Parse(fields), limit, next.Length > 0 ? next : null);
    }

    private static WatchRequest WatchRequestOf(IQueryCollection query, Route.Resource route)
    {
        var version = query["resourceVersion"].ToString();
        long? from = version is "" or "0" ? null
            : long.TryParse(version, NumberStyles.None, CultureInfo.InvariantCulture, out var rv) ? rv
            : throw new ApiException(FakeFailure.BadRequest($"invalid resource version: \"{version}\""));
        TimeSpan? timeout = int.TryParse(query["timeoutSeconds"], NumberStyles.None, CultureInfo.InvariantCulture, out var seconds) && seconds > 0
            ? TimeSpan.FromSeconds(seconds)
            : null;
        return new WatchRequest(
            ListOptionsOf(query, route), from, timeout, IsTrue(query["allowWatchBookmarks"]), IsTrue(query["sendInitialEvents"]), Table: null);
    }

    private static JsonObject ParseObject(FakeRequest request)
    {
        var contentType = request.ContentType ?? "application/json";
        if (contentType.Contains("protobuf", StringComparison.OrdinalIgnoreCase) || contentType.Contains("cbor", StringComparison.OrdinalIgnoreCase))
        {
            throw new ApiException(new FakeFailure(415, "UnsupportedMediaType", $"the body of the request was in an unknown format - accepted media types include: application/json, application/yaml"));
        }
        return Yaml.ParseBody(request.Body ?? "") as JsonObject
            ?? throw new ApiException(FakeFailure.BadRequest("the request body must be a JSON object"));
    }

    private static bool IsTrue(string? value) => value is "true" or "1" or "True";

    private static bool HasBody(string method) => method is "POST" or "PUT" or "PATCH" or "DELETE";

    private static async Task<string> ReadBodyAsync(HttpRequest request)
    {
        using var reader = new StreamReader(request.Body, Encoding.UTF8);
        return await reader.ReadToEndAsync(request.HttpContext.RequestAborted);
    }

    private static async Task WriteAsync(HttpContext context, ApiResponse response, int? retryAfterSeconds = null)
    {
        var http = context.Response;
        http.StatusCode = response.StatusCode;
        http.ContentType = "application/json";
        http.ContentLength = response.Body.Length;
        if (retryAfterSeconds is { } retry) http.Headers.RetryAfter = retry.ToString(CultureInfo.InvariantCulture);
        await http.Body.WriteAsync(response.Body, context.RequestAborted);
    }

    private static async Task TextAsync(HttpContext context, int status, string text)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "text/plain; charset=utf-8";
        await context.Response.WriteAsync(text, context.RequestAborted);
    }
}
