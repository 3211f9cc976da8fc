using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using GoCoffee.Orders.Api;
using GoCoffee.Orders.Menu;
using GoCoffee.Orders.Tenants;
using GoCoffee.ServiceDefaults.Messaging;
using GoCoffee.ServiceDefaults.Security;
using Marten;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace GoCoffee.Orders.Ordering;

/// <summary>
/// <c>/api/orders/{tenantId}/orders</c>: place (Idempotency-Key required), read, list, cancel, and the barista app's
/// steps (brewing, ready, picked-up). Every change goes to the order saga as a message; a step the order's state does
/// not allow is refused here with that state.
/// </summary>
internal static class OrdersApi
{
    public const string IdempotencyReplayedHeader = "Idempotency-Replayed";
    public const int MaxBodyBytes = 64 * 1024;
    public const int MaxIdempotencyKeyLength = 200;

    public static RouteGroupBuilder MapOrderEndpoints(this RouteGroupBuilder api)
    {
        var orders = api.MapGroup("/{tenantId}/orders").RequireTenantAccess();
        orders.MapPost(string.Empty, Place).WithName("PlaceOrder").WithSummary("Places an order (Idempotency-Key required); prices come from the tenant's menu.");
        orders.MapGet(string.Empty, List).WithName("ListOrders").WithSummary("The tenant's orders, newest first, by status and placement time, paged.");
        orders.MapGet("/{orderId}", Get).WithName("GetOrder").WithSummary("One of the tenant's orders: items, total, status and its history.");
        orders.MapPost("/{orderId}/cancel", Cancel).WithName("CancelOrder").WithSummary("Cancels an order that is not paid yet.");
        orders.MapPost("/{orderId}/{step:regex(^(brewing|ready|picked-up)$)}", ShopStep).WithName("ReportShopStep").WithSummary("The barista app: brewing, ready, picked-up.");
        return api;
    }

    private static async Task<IResult> Place(
        string tenantId,
        HttpContext http,
        IDocumentSession session,
        IOutbox outbox,
        IOptions<OrderOptions> options,
        IOptions<MenuOptions> menuOptions,
        IOptions<Microsoft.AspNetCore.Http.Json.JsonOptions> json,
        TimeProvider clock,
        CancellationToken cancellationToken)
    {
        var key = http.Request.Headers["Idempotency-Key"].ToString().Trim();
        if (key.Length == 0)
        {
            return ApiProblems.Invalid("Idempotency-Key", "is required: a unique key per order, repeated when the request is retried");
        }

        if (key.Length > MaxIdempotencyKeyLength || key.Any(c => c < 0x21 || c > 0x7e))
        {
            return ApiProblems.Invalid("Idempotency-Key", $"must be 1-{MaxIdempotencyKeyLength} visible ASCII characters");
        }

        var (request, error) = await ReadJson<PlaceOrderRequest>(http.Request, null, cancellationToken);
        if (error is not null)
        {
            return error;
        }

        var hash = Hash(request!, json.Value.SerializerOptions);
        var orderId = OrderIdFor(tenantId, key);
        // The order (a retry finds it), the tenant's access and its menu, read in one round trip.
        var batch = session.CreateBatchQuery();
        var existingRead = batch.Load<OrderState>(orderId);
        var coffeeRead = batch.Load<TenantCoffee>(tenantId);
        var menuRead = batch.Load<TenantMenu>(tenantId);
        await batch.Execute(cancellationToken);
        if (await existingRead is { } existing)
        {
            return Replay(http, existing, hash);
        }

        var coffee = await coffeeRead;
        if (coffee is null || !coffee.Enabled || coffee.Deleted)
        {
            return ApiProblems.FeatureRequired(tenantId, "coffee", "tenantId");
        }

        var menu = await menuRead ?? await MenuApi.LoadOrSeed(session, tenantId, menuOptions.Value, clock, cancellationToken);
        var (priced, errors, missing) = OrderPricing.Price(request!, menu, coffee, options.Value);
        if (missing is { } feature)
        {
            return ApiProblems.FeatureRequired(tenantId, feature.Feature, feature.Field);
        }

        if (errors.Count > 0)
        {
            return ApiProblems.Invalid(errors, "The order is invalid.");
        }

        var now = clock.GetUtcNow();
        var order = new OrderState
        {
            CorrelationId = orderId,
            CurrentState = OrderStatus.Placed,
            TenantId = tenantId,
            IdempotencyKey = key,
            RequestHash = hash,
            Lines = priced!.Lines,
            Total = priced.Total,
            Currency = priced.Currency,
            PickupName = request!.PickupName?.Trim(),
            PlacedAt = now,
            UpdatedAt = now,
            History = [new OrderTransition(string.Empty, OrderStatus.Placed, http.User.Identity?.Name ?? "anonymous", now)],
        };
        session.Insert(order);
        outbox.Publish(new OrderPlaced(orderId, tenantId, now), tenantId, orderId);
        try
        {
            await session.SaveChangesAsync(cancellationToken);
        }
        catch (Exception ex) when (IsDuplicate(ex))
        {
            // The same key raced itself: the first request's order is the answer.
            await using var query = session.DocumentStore.QuerySession();
            var winner = await query.LoadAsync<OrderState>(orderId, cancellationToken);
            return winner is null
                ? ApiProblems.Problem(StatusCodes.Status409Conflict, "The order is being placed by another request.", "Idempotency-Key", "a request with this key is in progress; retry it")
                : Replay(http, winner, hash);
        }

        return TypedResults.Created(Location(tenantId, orderId), OrderView.Of(order));
    }

    private static IResult Replay(HttpContext http, OrderState existing, string hash)
    {
        if (existing.RequestHash != hash)
        {
            return ApiProblems.Problem(
                StatusCodes.Status422UnprocessableEntity,
                "Idempotency-Key reused with a different request.",
                "Idempotency-Key",
                "was already used for another order request; use a new key for a new order");
        }

        http.Response.Headers[IdempotencyReplayedHeader] = "true";
        return TypedResults.Created(Location(existing.TenantId, existing.CorrelationId), OrderView.Of(existing));
    }

    private static async Task<Results<Ok<OrderView>, ProblemHttpResult>> Get(string tenantId, string orderId, IQuerySession session, CancellationToken cancellationToken) =>
        await Find(session, tenantId, orderId, cancellationToken) is { } order ? TypedResults.Ok(OrderView.Of(order)) : ApiProblems.NotFound("order", orderId);

    private static async Task<Results<Ok<OrderPage>, ValidationProblem>> List(
        string tenantId, string? status, string? placedFrom, string? placedTo, int? page, int? pageSize, IQuerySession session, CancellationToken cancellationToken)
    {
        var errors = new Dictionary<string, string[]>();
        if (status is not null && !OrderStatus.All.Contains(status, StringComparer.Ordinal))
        {
            errors["status"] = [$"must be one of {string.Join(", ", OrderStatus.All)}"];
        }

        DateTimeOffset? Time(string field, string? value)
        {
            if (value is null)
            {
                return null;
            }

            if (DateTimeOffset.TryParse(value, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AssumeUniversal, out var parsed))
            {
                return parsed;
            }

            errors[field] = ["must be an ISO 8601 date and time"];
            return null;
        }

        var from = Time("placedFrom", placedFrom);
        var to = Time("placedTo", placedTo);
        if (from > to)
        {
            errors["placedTo"] = ["must not be before placedFrom"];
        }

        if (page is < 1)
        {
            errors["page"] = ["must be 1 or more"];
        }

        if (pageSize is < 1 or > 100)
        {
            errors["pageSize"] = ["must be between 1 and 100"];
        }

        if (errors.Count > 0)
        {
            return ApiProblems.Invalid(errors);
        }

        IQueryable<OrderState> query = session.Query<OrderState>().Where(o => o.TenantId == tenantId);
        if (status is not null)
        {
            query = query.Where(o => o.CurrentState == status);
        }

        if (from is { } f)
        {
            query = query.Where(o => o.PlacedAt >= f);
        }

        if (to is { } t)
        {
            query = query.Where(o => o.PlacedAt < t);
        }

        var number = page ?? 1;
        var size = pageSize ?? 20;
        var total = await query.CountAsync(cancellationToken);
        var items = await query.OrderByDescending(o => o.PlacedAt).Skip((number - 1) * size).Take(size).ToListAsync(cancellationToken);
        return TypedResults.Ok(new OrderPage([.. items.Select(OrderView.Of)], number, size, total));
    }

    private static async Task<IResult> Cancel(string tenantId, string orderId, HttpContext http, IDocumentSession session, IOutbox outbox, TimeProvider clock, CancellationToken cancellationToken)
    {
        if (await Find(session, tenantId, orderId, cancellationToken) is not { } order)
        {
            return ApiProblems.NotFound("order", orderId);
        }

        var reason = "Cancelled by the customer.";
        if (http.Request.ContentLength is > 0)
        {
            var (body, error) = await ReadJson<CancelOrderRequest>(http.Request, null, cancellationToken);
            if (error is not null)
            {
                return error;
            }

            if (body?.Reason is { } given)
            {
                if (given.Trim().Length is 0 or > 200 || given.Any(char.IsControl))
                {
                    return ApiProblems.Invalid("reason", "must be 1-200 characters without control characters");
                }

                reason = given.Trim();
            }
        }

        if (!OrderStatus.Cancellable.Contains(order.CurrentState))
        {
            return ApiProblems.IllegalTransition(order.CurrentState, "cancelling", OrderStatus.Cancellable);
        }

        outbox.Publish(new OrderCancellationRequested(order.CorrelationId, tenantId, reason, http.User.Identity?.Name ?? "anonymous", clock.GetUtcNow()), tenantId, order.CorrelationId);
        await session.SaveChangesAsync(cancellationToken);
        return TypedResults.Accepted(Location(tenantId, order.CorrelationId), OrderView.Of(order));
    }

    private static async Task<IResult> ShopStep(string tenantId, string orderId, string step, HttpContext http, IDocumentSession session, IOutbox outbox, TimeProvider clock, CancellationToken cancellationToken)
    {
        if (await Find(session, tenantId, orderId, cancellationToken) is not { } order)
        {
            return ApiProblems.NotFound("order", orderId);
        }

        var required = OrderStatus.ShopStepFrom[step];
        if (order.CurrentState != required)
        {
            return ApiProblems.IllegalTransition(order.CurrentState, $"'{step}'", [required]);
        }

        ShopSteps.Publish(outbox, step, order.CorrelationId, tenantId, $"barista:{http.User.Identity?.Name ?? "anonymous"}", clock.GetUtcNow());
        await session.SaveChangesAsync(cancellationToken);
        return TypedResults.Accepted(Location(tenantId, order.CorrelationId), OrderView.Of(order));
    }

    internal static async Task<OrderState?> Find(IQuerySession session, string tenantId, string orderId, CancellationToken cancellationToken) =>
        Guid.TryParse(orderId, out var id) && await session.LoadAsync<OrderState>(id, cancellationToken) is { } order && order.TenantId == tenantId ? order : null;

    internal static string Location(string tenantId, Guid orderId) => $"{OrdersService.Identity.RoutePrefix}/{tenantId}/orders/{orderId}";

    /// <summary>The same tenant and key always name the same order: a retried placement finds it instead of creating another.</summary>
    internal static Guid OrderIdFor(string tenantId, string key)
    {
        var bytes = SHA256.HashData(Encoding.UTF8.GetBytes($"gocoffee-order\n{tenantId}\n{key}"))[..16];
        bytes[7] = (byte)((bytes[7] & 0x0F) | 0x80);
        bytes[8] = (byte)((bytes[8] & 0x3F) | 0x80);
        return new Guid(bytes);
    }

    private static string Hash(PlaceOrderRequest request, JsonSerializerOptions options) =>
        Convert.ToHexStringLower(SHA256.HashData(JsonSerializer.SerializeToUtf8Bytes(request, options)));

    /// <summary>Reads a JSON body of at most <see cref="MaxBodyBytes"/>; a malformed one is a 400 naming where it breaks.</summary>
    internal static async Task<(T? Value, IResult? Error)> ReadJson<T>(HttpRequest request, JsonSerializerOptions? options, CancellationToken cancellationToken)
        where T : class
    {
        if (request.ContentLength > MaxBodyBytes)
        {
            return (null, ApiProblems.Problem(StatusCodes.Status413PayloadTooLarge, "The body is too large.", "body", $"must be at most {MaxBodyBytes} bytes"));
        }

        if (!(request.ContentType ?? string.Empty).StartsWith("application/json", StringComparison.OrdinalIgnoreCase))
        {
            return (null, ApiProblems.Problem(StatusCodes.Status415UnsupportedMediaType, "The body must be JSON.", "Content-Type", "must be application/json"));
        }

        using var buffer = new MemoryStream();
        var chunk = new byte[8192];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, cancellationToken)) > 0)
        {
            buffer.Write(chunk, 0, read);
            if (buffer.Length > MaxBodyBytes)
            {
                return (null, ApiProblems.Problem(StatusCodes.Status413PayloadTooLarge, "The body is too large.", "body", $"must be at most {MaxBodyBytes} bytes"));
            }
        }

        try
        {
            var value = JsonSerializer.Deserialize<T>(buffer.ToArray(), options ?? Strict);
            return value is null ? (null, ApiProblems.Invalid("body", "must be a JSON object")) : (value, null);
        }
        catch (JsonException ex)
        {
            return (null, ApiProblems.Invalid(string.IsNullOrEmpty(ex.Path) || ex.Path == "$" ? "body" : ex.Path.TrimStart('$', '.'), $"is not valid JSON for this request: {FirstLine(ex.Message)}"));
        }
    }

    private static readonly JsonSerializerOptions Strict = new(JsonSerializerDefaults.Web) { AllowDuplicateProperties = false, MaxDepth = 16, NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.Strict };

    private static string FirstLine(string message) => message.Split('\n')[0].Split(" Path:")[0];

    /// <summary>Another request created the same document first (however Marten and Npgsql report it).</summary>
    internal static bool IsDuplicate(Exception? ex)
    {
        for (; ex is not null; ex = ex.InnerException)
        {
            if (ex is JasperFx.DocumentAlreadyExistsException or JasperFx.ConcurrencyException or Npgsql.PostgresException { SqlState: Npgsql.PostgresErrorCodes.UniqueViolation })
            {
                return true;
            }
        }

        return false;
    }
}

public sealed record CancelOrderRequest(string? Reason);

public sealed record OrderPage(IReadOnlyList<OrderView> Items, int Page, int PageSize, int Total);

/// <summary>The shop steps, the same from a shop event and from the barista app.</summary>
internal static class ShopSteps
{
    public static void Publish(IOutbox outbox, string step, Guid orderId, string tenantId, string by, DateTimeOffset at)
    {
        switch (step)
        {
            case "brewing":
                outbox.Publish(new OrderBrewingStarted(orderId, tenantId, by, at), tenantId, orderId);
                break;
            case "ready":
                outbox.Publish(new OrderMadeReady(orderId, tenantId, by, at), tenantId, orderId);
                break;
            case "picked-up":
                outbox.Publish(new OrderPickedUp(orderId, tenantId, by, at), tenantId, orderId);
                break;
            default:
                throw new ArgumentException($"Unknown shop step '{step}'.", nameof(step));
        }
    }
}
