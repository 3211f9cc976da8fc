using System.Reflection;
using System.Text.Json;
using GoCoffee.ServiceDefaults;
using GoCoffee.ServiceDefaults.Security;
using Marten;
using MassTransit;
using Microsoft.AspNetCore.Http.HttpResults;

namespace GoCoffee.Observability.Console;

/// <summary>
/// The operator console: a static page at <c>/console</c> (anonymous: it holds no data; the browser signs in with a
/// credential the gateway checks) and the APIs behind it that only this service has: the live feed (server-sent events)
/// and orders per minute. Everything else the page reads from the services' own APIs through the gateway, so a tenant's
/// admin sees exactly what those APIs show that tenant.
/// </summary>
public static class ConsoleApi
{
    public const string PagePath = "/console";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private static readonly Dictionary<string, string> Assets = new(StringComparer.Ordinal)
    {
        ["console.js"] = "text/javascript; charset=utf-8",
        ["console.css"] = "text/css; charset=utf-8",
    };

    public static IHostApplicationBuilder AddConsole(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSingleton<PlatformFeed>();
        builder.Services.ConfigureMarten(store => store.Schema.For<OrderActivity>().Index(o => o.PlacedAt).Index(o => o.TenantId).UseOptimisticConcurrency(true));
        return builder;
    }

    /// <summary>The console's consumers: the live feed on a queue of this instance alone, order activity on the service's durable queue.</summary>
    public static IBusRegistrationConfigurator AddConsoleConsumers(this IBusRegistrationConfigurator bus, ServiceIdentity identity)
    {
        var queue = $"{identity.Name}-console-feed-{identity.Instance}-{Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(4))}".ToLowerInvariant();
        bus.AddConsumer<FeedConsumer>().Endpoint(endpoint =>
        {
            endpoint.Name = queue;
            endpoint.Temporary = true;
        });
        bus.AddConsumer<OrderActivityConsumer>();
        return bus;
    }

    public static IEndpointRouteBuilder MapConsole(this IEndpointRouteBuilder endpoints, RouteGroupBuilder api)
    {
        endpoints.MapGet(PagePath, () => Asset("console.html", "text/html; charset=utf-8")).AllowAnonymous().ExcludeFromDescription();
        endpoints.MapGet($"{PagePath}/{{asset}}", (string asset) => Assets.TryGetValue(asset, out var type) ? Asset(asset, type) : Results.NotFound()).AllowAnonymous().ExcludeFromDescription();

        var console = api.MapGroup("/console").WithTags("console");
        console.MapGet("/feed", Feed)
            .WithName("streamPlatformEvents")
            .WithSummary("Platform events as server-sent events (text/event-stream): the recent ones, then each as it happens; a tenant's caller gets its own tenant's only")
            .Produces(StatusCodes.Status200OK, contentType: "text/event-stream");
        console.MapGet("/me", (HttpContext http) => TypedResults.Ok(new ConsoleCaller(http.User.Identity?.Name ?? string.Empty, http.User.IsPlatformAdmin() ? CallerScope.PlatformAdmin : CallerScope.Tenant, http.User.CallerTenantId())))
            .WithName("getConsoleCaller")
            .WithSummary("Who the console's caller is: a platform admin, or one tenant's caller (and which tenant)");
        console.MapGet("/business", Business)
            .WithName("getBusinessSummary")
            .WithSummary("Orders placed and paid, and revenue, per minute over the last minutes (1 to 180, default 30); a tenant's caller gets its own tenant's only")
            .ProducesValidationProblem();
        return endpoints;
    }

    private static async Task Feed(HttpContext http, PlatformFeed feed, CancellationToken cancellationToken)
    {
        var tenant = http.User.IsPlatformAdmin() ? null : http.User.CallerTenantId() ?? string.Empty;
        http.Response.ContentType = "text/event-stream";
        http.Response.Headers.CacheControl = "no-cache";
        http.Response.Headers["X-Accel-Buffering"] = "no";
        using var subscription = feed.Subscribe();
        foreach (var entry in subscription.Recent.Where(Visible))
        {
            await Write(entry);
        }

        await http.Response.WriteAsync(": live\n\n", cancellationToken);
        await http.Response.Body.FlushAsync(cancellationToken);
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                // A comment every 15 s keeps proxies from closing an idle stream.
                using var wait = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                wait.CancelAfter(TimeSpan.FromSeconds(15));
                try
                {
                    if (await subscription.Live.WaitToReadAsync(wait.Token))
                    {
                        while (subscription.Live.TryRead(out var entry))
                        {
                            if (Visible(entry))
                            {
                                await Write(entry);
                            }
                        }
                    }
                    else
                    {
                        return;
                    }
                }
                catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                {
                    await http.Response.WriteAsync(": keep-alive\n\n", cancellationToken);
                    await http.Response.Body.FlushAsync(cancellationToken);
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The browser went away.
        }

        bool Visible(FeedEntry entry) => tenant is null || entry.TenantId == tenant;

        async Task Write(FeedEntry entry)
        {
            await http.Response.WriteAsync($"id: {entry.Id}\nevent: platform\ndata: {JsonSerializer.Serialize(entry, Json)}\n\n", cancellationToken);
            await http.Response.Body.FlushAsync(cancellationToken);
        }
    }

    private static async Task<Results<Ok<BusinessSummary>, ValidationProblem>> Business(HttpContext http, IQuerySession session, TimeProvider clock, int? minutes, CancellationToken cancellationToken)
    {
        var span = minutes ?? 30;
        if (span is < 1 or > 180)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["minutes"] = ["must be between 1 and 180"] }, detail: "minutes: must be between 1 and 180");
        }

        var now = clock.GetUtcNow();
        var first = new DateTimeOffset(now.Year, now.Month, now.Day, now.Hour, now.Minute, 0, TimeSpan.Zero).AddMinutes(-(span - 1));
        IQueryable<OrderActivity> query = session.Query<OrderActivity>().Where(o => o.PlacedAt >= first || (o.PaidAt != null && o.PaidAt >= first));
        if (!http.User.IsPlatformAdmin())
        {
            var own = http.User.CallerTenantId() ?? string.Empty;
            query = query.Where(o => o.TenantId == own);
        }

        var orders = await query.Take(100_000).ToListAsync(cancellationToken);
        var buckets = Enumerable.Range(0, span).Select(i => first.AddMinutes(i)).ToList();
        var perMinute = buckets.Select(minute =>
        {
            var end = minute.AddMinutes(1);
            var placed = orders.Count(o => o.PlacedAt >= minute && o.PlacedAt < end);
            var paid = orders.Where(o => o.PaidAt >= minute && o.PaidAt < end && o.Currency.Length > 0).ToList();
            return new MinuteBucket(minute, placed, paid.Count, paid.GroupBy(o => o.Currency).ToDictionary(g => g.Key, g => g.Sum(o => o.Amount)));
        }).ToList();
        var revenue = perMinute.SelectMany(b => b.Revenue).GroupBy(r => r.Key).ToDictionary(g => g.Key, g => g.Sum(r => r.Value));
        return TypedResults.Ok(new BusinessSummary(span, perMinute.Sum(b => b.Orders), perMinute.Sum(b => b.Paid), revenue, perMinute));
    }

    public sealed record ConsoleCaller(string Actor, string Scope, string? TenantId);

    private static IResult Asset(string name, string contentType)
    {
        var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream($"console/{name}");
        if (stream is null)
        {
            return Results.NotFound();
        }

        return new AssetResult(stream, contentType);
    }

    /// <summary>A console asset with a policy that lets the page run only its own script and call only its own origin.</summary>
    private sealed class AssetResult(Stream stream, string contentType) : IResult
    {
        public async Task ExecuteAsync(HttpContext http)
        {
            http.Response.Headers.ContentSecurityPolicy = "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";
            http.Response.Headers.XContentTypeOptions = "nosniff";
            http.Response.Headers["Referrer-Policy"] = "no-referrer";
            http.Response.Headers.CacheControl = "no-cache";
            http.Response.ContentType = contentType;
            await using (stream)
            {
                await stream.CopyToAsync(http.Response.Body, http.RequestAborted);
            }
        }
    }
}
