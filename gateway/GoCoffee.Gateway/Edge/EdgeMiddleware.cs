using GoCoffee.ServiceDefaults;
using Microsoft.Extensions.Options;

namespace GoCoffee.Gateway.Edge;

/// <summary>
/// Request ids and header hygiene, then CORS, around everything else (exception handler and status-code pages
/// included), so even an error response carries the request id and the CORS headers a browser needs to read it.
/// </summary>
internal sealed class EdgeStartupFilter(IOptions<CorsOptions> cors, ForwardedHeadersSettings forwarded) : IStartupFilter
{
    public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
    {
        if (forwarded.Any)
        {
            // First of all: the client address every per-address limit and log line sees.
            app.UseForwardedHeaders();
        }

        app.UseMiddleware<RequestIds>();
        if (cors.Value.AllowedOrigins.Count > 0)
        {
            app.UseCors(CorsOptions.Policy);
        }

        next(app);
    };
}

public static class Edge
{
    public static IHostApplicationBuilder AddEdge(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<RequestLimitOptions>().Bind(builder.Configuration.GetSection(RequestLimitOptions.Section));
        builder.Services.AddOptions<CorsOptions>().Bind(builder.Configuration.GetSection(CorsOptions.Section));
        var cors = builder.Configuration.GetSection(CorsOptions.Section).Get<CorsOptions>() ?? new CorsOptions();
        builder.Services.AddCors(options => options.AddPolicy(CorsOptions.Policy, policy => policy
            .WithOrigins([.. cors.AllowedOrigins])
            .WithMethods("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE")
            .WithHeaders("Authorization", "X-Api-Key", "Content-Type", "Idempotency-Key", "If-Match", "If-None-Match", ServiceDefaultsExtensions.RequestIdHeader, "traceparent", "tracestate")
            .WithExposedHeaders(ServiceDefaultsExtensions.RequestIdHeader, "Retry-After", "Location", "ETag")
            .SetPreflightMaxAge(cors.PreflightMaxAge)));
        builder.AddClientAddresses();
        builder.Services.AddTransient<IStartupFilter, EdgeStartupFilter>();
        return builder;
    }
}
