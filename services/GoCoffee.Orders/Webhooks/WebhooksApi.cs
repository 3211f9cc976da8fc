using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using GoCoffee.Orders.Api;
using GoCoffee.Orders.Ordering;
using GoCoffee.ServiceDefaults.Security;
using Marten;
using Microsoft.Extensions.Options;

namespace GoCoffee.Orders.Webhooks;

/// <summary><c>/api/orders/{tenantId}/webhook</c>: the tenant's endpoint, its delivery log, and redelivery on request.</summary>
internal static class WebhooksApi
{
    public static RouteGroupBuilder MapWebhooksApi(this RouteGroupBuilder api)
    {
        var webhook = api.MapGroup("/{tenantId}/webhook").RequireTenantAccess();
        webhook.MapPut(string.Empty, Set).WithName("SetWebhook").WithSummary("Sets the tenant's webhook URL; the answer shows the signing secret (on creation and with rotateSecret).");
        webhook.MapGet(string.Empty, Get).WithName("GetWebhook").WithSummary("The tenant's webhook URL (the signing secret is not shown again).");
        webhook.MapDelete(string.Empty, Remove).WithName("RemoveWebhook").WithSummary("Removes the tenant's webhook; nothing more is delivered.");
        webhook.MapGet("/deliveries", Deliveries).WithName("ListWebhookDeliveries").WithSummary("The tenant's delivery log, newest first, every attempt included.");
        webhook.MapGet("/deliveries/{deliveryId}", Delivery).WithName("GetWebhookDelivery").WithSummary("One delivery with every attempt.");
        webhook.MapPost("/deliveries/{deliveryId}/redeliver", Redeliver).WithName("RedeliverWebhook").WithSummary("Sends a delivery again (same id and body, newly signed).");
        return api;
    }

    private static async Task<IResult> Set(string tenantId, HttpContext http, IDocumentSession session, IOptions<WebhookOptions> options, WebhookSecrets secrets, TimeProvider clock, CancellationToken cancellationToken)
    {
        var (body, error) = await OrdersApi.ReadJson<WebhookRequest>(http.Request, null, cancellationToken);
        if (error is not null)
        {
            return error;
        }

        if (await ValidateUrl(body!.Url, options.Value) is { } refusal)
        {
            return ApiProblems.Invalid("url", refusal);
        }

        var now = clock.GetUtcNow();
        var existing = await session.LoadAsync<WebhookEndpoint>(tenantId, cancellationToken);
        var showSecret = existing is null || body.RotateSecret;
        var endpoint = existing ?? new WebhookEndpoint { Id = tenantId, CreatedAt = now };
        endpoint.Url = body.Url!;
        endpoint.UpdatedAt = now;
        var secret = showSecret ? "whsec_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(24)) : null;
        if (secret is not null)
        {
            endpoint.SealedSecret = secrets.Seal(tenantId, secret);
        }

        session.Store(endpoint);
        await session.SaveChangesAsync(cancellationToken);
        return TypedResults.Ok(new WebhookView(endpoint.Url, endpoint.CreatedAt, endpoint.UpdatedAt, secret));
    }

    private static async Task<IResult> Get(string tenantId, IQuerySession session, CancellationToken cancellationToken) =>
        await session.LoadAsync<WebhookEndpoint>(tenantId, cancellationToken) is { } endpoint
            ? TypedResults.Ok(new WebhookView(endpoint.Url, endpoint.CreatedAt, endpoint.UpdatedAt, null))
            : ApiProblems.NotFound("webhook", tenantId);

    private static async Task<IResult> Remove(string tenantId, IDocumentSession session, CancellationToken cancellationToken)
    {
        session.Delete<WebhookEndpoint>(tenantId);
        await session.SaveChangesAsync(cancellationToken);
        return TypedResults.NoContent();
    }

    private static async Task<IResult> Deliveries(string tenantId, string? status, int? page, int? pageSize, IQuerySession session, CancellationToken cancellationToken)
    {
        if (status is not null and not (DeliveryStatus.Pending or DeliveryStatus.Delivered or DeliveryStatus.Failed))
        {
            return ApiProblems.Invalid("status", $"must be {DeliveryStatus.Pending}, {DeliveryStatus.Delivered} or {DeliveryStatus.Failed}");
        }

        if (page is < 1 || pageSize is < 1 or > 100)
        {
            return ApiProblems.Invalid(page is < 1 ? "page" : "pageSize", page is < 1 ? "must be 1 or more" : "must be between 1 and 100");
        }

        IQueryable<WebhookDelivery> query = session.Query<WebhookDelivery>().Where(d => d.TenantId == tenantId);
        if (status is not null)
        {
            query = query.Where(d => d.Status == status);
        }

        var number = page ?? 1;
        var size = pageSize ?? 20;
        var total = await query.CountAsync(cancellationToken);
        var items = await query.OrderByDescending(d => d.CreatedAt).Skip((number - 1) * size).Take(size).ToListAsync(cancellationToken);
        return TypedResults.Ok(new DeliveryPage([.. items.Select(DeliveryView.Of)], number, size, total));
    }

    private static async Task<IResult> Delivery(string tenantId, string deliveryId, IQuerySession session, CancellationToken cancellationToken) =>
        await Find(session, tenantId, deliveryId, cancellationToken) is { } delivery ? TypedResults.Ok(DeliveryView.Of(delivery)) : ApiProblems.NotFound("delivery", deliveryId);

    private static async Task<IResult> Redeliver(string tenantId, string deliveryId, IDocumentSession session, WebhookSignal signal, TimeProvider clock, CancellationToken cancellationToken)
    {
        if (await Find(session, tenantId, deliveryId, cancellationToken) is not { } delivery)
        {
            return ApiProblems.NotFound("delivery", deliveryId);
        }

        if (delivery.Status == DeliveryStatus.Pending)
        {
            return ApiProblems.Problem(StatusCodes.Status409Conflict, "The delivery is still being attempted.", "deliveryId", $"delivery {delivery.Id} is Pending (next attempt {delivery.NextAttemptAt:O})");
        }

        delivery.Status = DeliveryStatus.Pending;
        delivery.NextAttemptAt = clock.GetUtcNow();
        delivery.Attempts = 0;
        session.Update(delivery);
        await session.SaveChangesAsync(cancellationToken);
        signal.Notify();
        return TypedResults.Accepted($"{OrdersService.Identity.RoutePrefix}/{tenantId}/webhook/deliveries/{delivery.Id}", DeliveryView.Of(delivery));
    }

    private static async Task<WebhookDelivery?> Find(IQuerySession session, string tenantId, string deliveryId, CancellationToken cancellationToken) =>
        Guid.TryParse(deliveryId, out var id) && await session.LoadAsync<WebhookDelivery>(id, cancellationToken) is { } delivery && delivery.TenantId == tenantId ? delivery : null;

    /// <summary>An absolute http(s) URL without credentials or fragment; not into private networks unless allowed.</summary>
    internal static async Task<string?> ValidateUrl(string? url, WebhookOptions options)
    {
        if (url is null || url.Length > 2000 || !Uri.TryCreate(url, UriKind.Absolute, out var uri))
        {
            return "must be an absolute URL of at most 2000 characters";
        }

        if (uri.Scheme is not ("https" or "http"))
        {
            return "must use https (or http)";
        }

        if (uri.UserInfo.Length > 0 || uri.Fragment.Length > 0)
        {
            return "must carry no credentials and no fragment";
        }

        if (options.AllowPrivateNetworks)
        {
            return null;
        }

        IPAddress[] addresses;
        try
        {
            addresses = IPAddress.TryParse(uri.Host.Trim('[', ']'), out var literal) ? [literal] : await Dns.GetHostAddressesAsync(uri.Host);
        }
        catch (SocketException)
        {
            return $"host '{uri.Host}' does not resolve";
        }

        return addresses.Any(IsPrivate) ? "must not point at a loopback, private or link-local address" : null;
    }

    private static bool IsPrivate(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        if (IPAddress.IsLoopback(address) || address.IsIPv6LinkLocal || address.IsIPv6SiteLocal || address.IsIPv6UniqueLocal || address.Equals(IPAddress.Any) || address.Equals(IPAddress.IPv6Any))
        {
            return true;
        }

        var b = address.GetAddressBytes();
        return b.Length == 4 && (b[0] == 10 || (b[0] == 172 && b[1] >= 16 && b[1] <= 31) || (b[0] == 192 && b[1] == 168) || (b[0] == 169 && b[1] == 254) || b[0] == 0 || (b[0] == 100 && b[1] >= 64 && b[1] <= 127));
    }
}

public sealed record WebhookRequest(string? Url, bool RotateSecret);

public sealed record WebhookView(string Url, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt, string? Secret);

public sealed record DeliveryView(Guid Id, Guid? OrderId, string Event, string Status, int Attempts, DateTimeOffset CreatedAt, DateTimeOffset? NextAttemptAt, DateTimeOffset? DeliveredAt, IReadOnlyList<DeliveryAttempt> Log)
{
    public static DeliveryView Of(WebhookDelivery d) =>
        new(d.Id, d.OrderId, d.Event, d.Status, d.Attempts, d.CreatedAt, d.Status == DeliveryStatus.Pending ? d.NextAttemptAt : null, d.DeliveredAt, d.Log);
}

public sealed record DeliveryPage(IReadOnlyList<DeliveryView> Items, int Page, int PageSize, int Total);
