using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Marten;
using Microsoft.Extensions.Options;

namespace GoCoffee.Orders.Webhooks;

public sealed class WebhookOptions
{
    public const string Section = "Webhooks";

    /// <summary>How often due deliveries are looked for when nothing signals a new one.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>The first retry's delay; each next one doubles, up to <see cref="MaxDelay"/>.</summary>
    public TimeSpan BaseDelay { get; set; } = TimeSpan.FromSeconds(5);

    public TimeSpan MaxDelay { get; set; } = TimeSpan.FromHours(1);

    /// <summary>Attempts before a delivery is Failed (a redelivery on request starts another round).</summary>
    public int MaxAttempts { get; set; } = 8;

    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// False (the default) refuses endpoints on loopback, private and link-local addresses: a tenant cannot make the
    /// service call into the platform's own network. Development and tests set it true to receive on 127.0.0.1.
    /// </summary>
    public bool AllowPrivateNetworks { get; set; }

    /// <summary>
    /// The secret (at least 32 random characters) tenants' signing secrets are sealed under in the database
    /// (<see cref="WebhookSecrets"/>). The default is a development key, refused at startup outside Development and Testing.
    /// </summary>
    public string SecretKey { get; set; } = DevelopmentSecretKey;

    public const string DevelopmentSecretKey = "gocoffee-development-webhook-key";
}

/// <summary>
/// Sends due webhook deliveries: POST with the signed body (<c>GoCoffee-Signature: t=&lt;unix&gt;,v1=&lt;hex
/// HMAC-SHA256 of "t.deliveryId.body"&gt;</c>), the delivery id and the event; a 2xx delivers it, anything else is retried
/// with exponential back-off until <see cref="WebhookOptions.MaxAttempts"/>. Every attempt is in the delivery's log.
/// </summary>
public sealed class WebhookDispatcher(
    IDocumentStore store,
    IHttpClientFactory http,
    WebhookSignal signal,
    IOptions<WebhookOptions> options,
    WebhookSecrets secrets,
    TimeProvider clock,
    ILogger<WebhookDispatcher> logger) : BackgroundService
{
    public const string SignatureHeader = "GoCoffee-Signature";
    public const string DeliveryHeader = "GoCoffee-Delivery";
    public const string EventHeader = "GoCoffee-Event";

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var sent = await DispatchDue(stoppingToken);
                if (sent == 0)
                {
                    await signal.WaitAsync(options.Value.PollInterval, stoppingToken);
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                logger.LogError(ex, "Webhook dispatch failed; retrying");
                await Task.Delay(options.Value.PollInterval, stoppingToken);
            }
        }
    }

    private async Task<int> DispatchDue(CancellationToken cancellationToken)
    {
        using var poll = ServiceDefaults.BackgroundPolls.Start("webhook-dispatcher");
        await using var session = store.LightweightSession();
        var now = clock.GetUtcNow();
        var due = await session.Query<WebhookDelivery>()
            .Where(d => d.Status == DeliveryStatus.Pending && d.NextAttemptAt <= now)
            .OrderBy(d => d.NextAttemptAt)
            .Take(200)
            .ToListAsync(cancellationToken);
        if (due.Count == 0)
        {
            return 0;
        }

        poll.Found();
        var endpoints = (await session.LoadManyAsync<WebhookEndpoint>(cancellationToken, due.Select(d => d.TenantId).Distinct().ToArray()))
            .ToDictionary(e => e.Id, StringComparer.Ordinal);
        await Parallel.ForEachAsync(due, new ParallelOptions { MaxDegreeOfParallelism = 32, CancellationToken = cancellationToken }, async (delivery, token) =>
        {
            var attempt = await Attempt(delivery, endpoints.GetValueOrDefault(delivery.TenantId), token);
            lock (session)
            {
                delivery.Attempts++;
                delivery.Log.Add(attempt);
                if (attempt.StatusCode is >= 200 and < 300)
                {
                    delivery.Status = DeliveryStatus.Delivered;
                    delivery.DeliveredAt = attempt.At;
                }
                else if (delivery.Attempts >= options.Value.MaxAttempts || endpoints.GetValueOrDefault(delivery.TenantId) is null)
                {
                    delivery.Status = DeliveryStatus.Failed;
                }
                else
                {
                    delivery.NextAttemptAt = clock.GetUtcNow() + BackOff(delivery.Attempts);
                }

                session.Update(delivery);
            }
        });
        await session.SaveChangesAsync(cancellationToken);
        return due.Count;
    }

    /// <summary>Doubling from <see cref="WebhookOptions.BaseDelay"/>, capped, with up to 10% jitter so retries do not arrive in step.</summary>
    internal TimeSpan BackOff(int attempts)
    {
        var delay = options.Value.BaseDelay * Math.Pow(2, Math.Min(attempts - 1, 20));
        var capped = delay > options.Value.MaxDelay ? options.Value.MaxDelay : delay;
        return capped + (capped * (Random.Shared.NextDouble() * 0.1));
    }

    private async Task<DeliveryAttempt> Attempt(WebhookDelivery delivery, WebhookEndpoint? endpoint, CancellationToken cancellationToken)
    {
        var at = clock.GetUtcNow();
        if (endpoint is null)
        {
            return new DeliveryAttempt(delivery.Attempts + 1, at, string.Empty, null, "the tenant has no webhook endpoint any more", 0);
        }

        string secret;
        try
        {
            secret = secrets.Open(endpoint.Id, endpoint.SealedSecret);
        }
        catch (CryptographicException)
        {
            return new DeliveryAttempt(delivery.Attempts + 1, at, endpoint.Url, null, "the endpoint's signing secret does not open with Webhooks:SecretKey (the key changed): set the webhook again with rotateSecret", 0);
        }

        var started = Stopwatch.GetTimestamp();
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, endpoint.Url) { Content = new StringContent(delivery.Payload, Encoding.UTF8, "application/json") };
            var timestamp = at.ToUnixTimeSeconds();
            request.Headers.Add(SignatureHeader, $"t={timestamp.ToString(CultureInfo.InvariantCulture)},v1={Sign(secret, timestamp, delivery.Id, delivery.Payload)}");
            request.Headers.Add(DeliveryHeader, delivery.Id.ToString());
            request.Headers.Add(EventHeader, delivery.Event);
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(options.Value.RequestTimeout);
            using var response = await http.CreateClient(nameof(WebhookDispatcher)).SendAsync(request, timeout.Token);
            return new DeliveryAttempt(delivery.Attempts + 1, at, endpoint.Url, (int)response.StatusCode, response.IsSuccessStatusCode ? null : $"answered {(int)response.StatusCode}", Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        }
        catch (Exception ex) when (ex is HttpRequestException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            return new DeliveryAttempt(delivery.Attempts + 1, at, endpoint.Url, null, ex is OperationCanceledException ? "timed out" : ex.Message, Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        }
    }

    /// <summary>The signature a tenant recomputes: HMAC-SHA256 with its secret over "timestamp.deliveryId.body", lowercase hex.</summary>
    public static string Sign(string secret, long timestamp, Guid deliveryId, string body) =>
        Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes($"{timestamp.ToString(CultureInfo.InvariantCulture)}.{deliveryId}.{body}")));
}
