using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace GoCoffee.Gateway.Tests;

/// <summary>
/// A downstream that shows what the gateway forwards: the request as it arrived (headers included), a slow answer (for
/// timeouts) and a connection that breaks on a request's first attempt (for retries). The one stand-in these tests use:
/// no platform service echoes its request headers.
/// </summary>
public sealed class EchoService : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentDictionary<string, int> _attempts = new();

    private EchoService(WebApplication app) => _app = app;

    public Uri Address { get; private set; } = null!;

    private int _readinessProbes;

    /// <summary>How often <c>/health/ready</c> was asked (the gateway's readiness asks every routed service's).</summary>
    public int ReadinessProbes => Volatile.Read(ref _readinessProbes);

    /// <summary>How often a request (by its X-Request-Id) reached <c>/api/echo/flaky</c>.</summary>
    public int AttemptsOf(string requestId) => _attempts.GetValueOrDefault(requestId);

    public static async Task<EchoService> Start()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var echo = new EchoService(app);
        app.MapGet("/health/{state}", (string state) =>
        {
            if (state == "ready")
            {
                Interlocked.Increment(ref echo._readinessProbes);
            }

            return Results.Ok();
        });
        app.Map("/api/echo/headers", async (HttpContext context) =>
        {
            using var reader = new StreamReader(context.Request.Body);
            var body = await reader.ReadToEndAsync();
            return Results.Json(new
            {
                method = context.Request.Method,
                path = context.Request.Path.Value,
                bodyLength = body.Length,
                headers = context.Request.Headers.ToDictionary(h => h.Key.ToLowerInvariant(), h => h.Value.ToString()),
            });
        });
        app.MapGet("/api/echo/slow", async (CancellationToken cancellationToken) =>
        {
            await Task.Delay(TimeSpan.FromSeconds(20), cancellationToken);
            return Results.Ok();
        });
        app.Map("/api/echo/flaky", (HttpContext context) =>
        {
            var attempts = echo._attempts.AddOrUpdate(context.Request.Headers["X-Request-Id"].ToString(), 1, (_, n) => n + 1);
            if (attempts == 1)
            {
                context.Abort();
                return Results.Empty;
            }

            return Results.Json(new { attempts });
        });
        await app.StartAsync();
        echo.Address = new Uri(app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First());
        return echo;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
