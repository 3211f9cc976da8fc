using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace GoCoffee.Testing;

/// <summary>A tenant's webhook endpoint on loopback: records every request; answers 500 to the first N of each delivery when told.</summary>
public sealed class WebhookReceiver : IAsyncDisposable
{
    private readonly WebApplication _app;

    private WebhookReceiver(WebApplication app, Uri address)
    {
        _app = app;
        Address = address;
    }

    public Uri Address { get; }

    public ConcurrentQueue<ReceivedWebhook> Received { get; } = new();

    /// <summary>Paths whose requests fail (500) this many more times.</summary>
    public ConcurrentDictionary<string, int> FailuresLeft { get; } = new();

    public Uri Url(string path) => new(Address, path);

    public static async Task<WebhookReceiver> Start()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        WebhookReceiver? receiver = null;
        app.MapPost("/{**path}", async (HttpContext context) =>
        {
            using var reader = new StreamReader(context.Request.Body);
            var body = await reader.ReadToEndAsync();
            var path = context.Request.Path.Value ?? "/";
            receiver!.Received.Enqueue(new ReceivedWebhook(
                path,
                context.Request.Headers["GoCoffee-Signature"].ToString(),
                context.Request.Headers["GoCoffee-Delivery"].ToString(),
                context.Request.Headers["GoCoffee-Event"].ToString(),
                body));
            if (receiver.FailuresLeft.TryGetValue(path, out var left) && left > 0)
            {
                receiver.FailuresLeft[path] = left - 1;
                return Results.StatusCode(500);
            }

            return Results.Ok();
        });
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();
        receiver = new WebhookReceiver(app, new Uri(address));
        return receiver;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}

public sealed record ReceivedWebhook(string Path, string Signature, string DeliveryId, string Event, string Body);
