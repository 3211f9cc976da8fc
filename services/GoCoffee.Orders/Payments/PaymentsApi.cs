using GoCoffee.Orders.Api;
using GoCoffee.Orders.Metrics;
using GoCoffee.Orders.Ordering;
using GoCoffee.ServiceDefaults.Messaging;
using GoCoffee.ServiceDefaults.Security;
using Marten;
using Microsoft.Extensions.Options;

namespace GoCoffee.Orders.Payments;

public sealed class PaymentOptions
{
    /// <summary>How long the provider may take to answer a charge before the payment is left pending (its callback or the order's payment timeout settles it).</summary>
    public TimeSpan ProviderTimeout { get; set; } = TimeSpan.FromSeconds(10);
}

/// <summary>
/// Card payments for an order: charge a test/real card token through <see cref="ICardPaymentProvider"/>, the second
/// step, refunds (partial and full), and the provider's signed callback.
/// </summary>
internal static class PaymentsApi
{
    public const string SandboxCallbackPath = "/api/orders/payments/callbacks/sandbox";

    public static RouteGroupBuilder MapPaymentsApi(this RouteGroupBuilder api)
    {
        var payments = api.MapGroup("/{tenantId}/orders/{orderId}").RequireTenantAccess();
        payments.MapPost("/payments", Pay).WithName("PayOrderByCard").WithSummary("Charges a card token for the order's total (the server's price).");
        payments.MapGet("/payments", List).WithName("ListOrderPayments").WithSummary("The order's card payments and refunds.");
        payments.MapPost("/payments/{paymentId}/authenticate", Authenticate).WithName("AuthenticateCardPayment").WithSummary("The second step a card may require (3-D Secure).");
        payments.MapPost("/refunds", Refund).WithName("RefundOrder").WithSummary("Refunds all or part of the order's card payment.");
        api.MapPost("/payments/callbacks/sandbox", Callback).AllowAnonymous().WithName("SandboxPaymentCallback")
            .WithSummary("The sandbox provider's signed callback (Sandbox-Signature: t=<unix>,v1=<HMAC-SHA256 of \"t.body\">).");
        return api;
    }

    private static async Task<IResult> Pay(
        string tenantId, string orderId, HttpContext http, IDocumentSession session, IOutbox outbox, ICardPaymentProvider provider,
        IOptions<PaymentOptions> options, TimeProvider clock, CancellationToken cancellationToken)
    {
        // The order and its open payment, if any, read in one round trip.
        if (!Guid.TryParse(orderId, out var id))
        {
            return ApiProblems.NotFound("order", orderId);
        }

        var batch = session.CreateBatchQuery();
        var orderRead = batch.Load<OrderState>(id);
        var openRead = batch.Query<CardPayment>()
            .Where(p => p.OrderId == id && (p.Status == CardPaymentStatus.Succeeded || p.Status == CardPaymentStatus.Pending || p.Status == CardPaymentStatus.RequiresAction || p.Status == CardPaymentStatus.Processing))
            .FirstOrDefault();
        await batch.Execute(cancellationToken);
        if (await orderRead is not { } order || order.TenantId != tenantId)
        {
            return ApiProblems.NotFound("order", orderId);
        }

        var (body, error) = await OrdersApi.ReadJson<PayRequest>(http.Request, null, cancellationToken);
        if (error is not null)
        {
            return error;
        }

        if (body!.Token is not { Length: > 0 and <= 100 } token)
        {
            return ApiProblems.Invalid("token", "is required: a card token (at most 100 characters)");
        }

        if (!OrderStatus.Payable.Contains(order.CurrentState))
        {
            return ApiProblems.IllegalTransition(order.CurrentState, "paying", OrderStatus.Payable);
        }

        if (await openRead is { } open)
        {
            return ApiProblems.Problem(StatusCodes.Status409Conflict, "The order has a payment already.", "orderId", $"payment {open.Id} is {open.Status}; an order takes one payment");
        }

        var now = clock.GetUtcNow();
        var payment = new CardPayment
        {
            Id = Guid.CreateVersion7(),
            OrderId = order.CorrelationId,
            TenantId = tenantId,
            Provider = provider.Name,
            Amount = order.Total,
            Currency = order.Currency,
            CreatedAt = now,
            UpdatedAt = now,
        };

        OrderMetrics.PaymentAttempted(tenantId, provider.Name);
        CardOutcome outcome;
        using (var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
        {
            timeout.CancelAfter(options.Value.ProviderTimeout);
            try
            {
                outcome = await provider.Charge(new CardCharge(payment.Id, order.CorrelationId, tenantId, token, order.Total, order.Currency), timeout.Token);
            }
            catch (UnknownCardTokenException ex)
            {
                return ApiProblems.Problem(StatusCodes.Status422UnprocessableEntity, "The card token is not accepted.", "token", ex.Message);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                // No answer in time: the charge may or may not have happened. The payment stays pending; the provider's
                // callback settles it, or the order's payment timeout cancels the order.
                payment.FailureCode = "provider_timeout";
                OrderMetrics.PaymentFailed(tenantId, provider.Name, "provider_timeout");
                session.Insert(payment);
                await session.SaveChangesAsync(cancellationToken);
                return TypedResults.Accepted(PaymentLocation(tenantId, payment), CardPaymentView.Of(payment, tenantId));
            }
        }

        payment.Reference = outcome.Reference;
        switch (outcome.Kind)
        {
            case CardOutcomeKind.Approved:
                payment.Status = CardPaymentStatus.Succeeded;
                session.Insert(payment);
                outbox.Publish(new CardPaymentCaptured(order.CorrelationId, tenantId, payment.Id, payment.Amount, payment.Currency, outcome.Reference, now), tenantId, order.CorrelationId);
                await session.SaveChangesAsync(cancellationToken);
                return TypedResults.Created(PaymentLocation(tenantId, payment), CardPaymentView.Of(payment, tenantId));
            case CardOutcomeKind.RequiresAction:
                payment.Status = CardPaymentStatus.RequiresAction;
                session.Insert(payment);
                await session.SaveChangesAsync(cancellationToken);
                return TypedResults.Accepted(PaymentLocation(tenantId, payment), CardPaymentView.Of(payment, tenantId));
            default:
                payment.Status = CardPaymentStatus.Failed;
                payment.FailureCode = outcome.DeclineCode;
                session.Insert(payment);
                await session.SaveChangesAsync(cancellationToken);
                OrderMetrics.PaymentFailed(tenantId, provider.Name, outcome.DeclineCode ?? "declined");
                return Declined(payment);
        }
    }

    private static async Task<IResult> List(string tenantId, string orderId, IQuerySession session, CancellationToken cancellationToken)
    {
        if (await OrdersApi.Find(session, tenantId, orderId, cancellationToken) is not { } order)
        {
            return ApiProblems.NotFound("order", orderId);
        }

        var payments = await session.Query<CardPayment>().Where(p => p.OrderId == order.CorrelationId).OrderBy(p => p.CreatedAt).ToListAsync(cancellationToken);
        return TypedResults.Ok(payments.Select(p => CardPaymentView.Of(p, tenantId)).ToList());
    }

    private static async Task<IResult> Authenticate(
        string tenantId, string orderId, string paymentId, HttpContext http, IDocumentSession session, ICardPaymentProvider provider, TimeProvider clock, CancellationToken cancellationToken)
    {
        if (await OrdersApi.Find(session, tenantId, orderId, cancellationToken) is not { } order)
        {
            return ApiProblems.NotFound("order", orderId);
        }

        if (!Guid.TryParse(paymentId, out var id) || await session.LoadAsync<CardPayment>(id, cancellationToken) is not { } payment || payment.OrderId != order.CorrelationId)
        {
            return ApiProblems.NotFound("payment", paymentId);
        }

        var (body, error) = await OrdersApi.ReadJson<AuthenticateRequest>(http.Request, null, cancellationToken);
        if (error is not null)
        {
            return error;
        }

        if (body!.Code is not { Length: 6 } code || !code.All(char.IsAsciiDigit))
        {
            return ApiProblems.Invalid("code", "must be the six-digit code of the second step");
        }

        if (payment.Status != CardPaymentStatus.RequiresAction)
        {
            return ApiProblems.Problem(StatusCodes.Status409Conflict, "The payment needs no second step.", "paymentId", $"payment {payment.Id} is {payment.Status}");
        }

        var outcome = await provider.CompleteSecondStep(payment.Reference!, code, cancellationToken);
        payment.UpdatedAt = clock.GetUtcNow();
        if (outcome.Kind is CardOutcomeKind.Declined)
        {
            payment.Status = CardPaymentStatus.Failed;
            payment.FailureCode = outcome.DeclineCode;
            session.Update(payment);
            await session.SaveChangesAsync(cancellationToken);
            OrderMetrics.PaymentFailed(tenantId, provider.Name, outcome.DeclineCode ?? "declined");
            return Declined(payment);
        }

        payment.Status = CardPaymentStatus.Processing;
        session.Update(payment);
        await session.SaveChangesAsync(cancellationToken);
        return TypedResults.Accepted(PaymentLocation(tenantId, payment), CardPaymentView.Of(payment, tenantId));
    }

    private static async Task<IResult> Refund(
        string tenantId, string orderId, HttpContext http, IDocumentSession session, IOutbox outbox, ICardPaymentProvider provider, TimeProvider clock, CancellationToken cancellationToken)
    {
        if (await OrdersApi.Find(session, tenantId, orderId, cancellationToken) is not { } order)
        {
            return ApiProblems.NotFound("order", orderId);
        }

        RefundRequest? body = new(null, null);
        if (http.Request.ContentLength is > 0 || http.Request.Headers.TransferEncoding.Count > 0)
        {
            var (read, error) = await OrdersApi.ReadJson<RefundRequest>(http.Request, null, cancellationToken);
            if (error is not null)
            {
                return error;
            }

            body = read;
        }

        if (body!.Reason is { } reason && (reason.Length > 200 || reason.Any(char.IsControl)))
        {
            return ApiProblems.Invalid("reason", "must be at most 200 characters without control characters");
        }

        if (!OrderStatus.Refundable.Contains(order.CurrentState))
        {
            return ApiProblems.IllegalTransition(order.CurrentState, "refunding", OrderStatus.Refundable);
        }

        if (order.PaymentMethod != "card" || order.PaymentId is not { } paymentId || await session.LoadAsync<CardPayment>(paymentId, cancellationToken) is not { } payment)
        {
            return ApiProblems.Problem(StatusCodes.Status409Conflict, "The order was not paid by card.", "orderId", $"the order was paid by {order.PaymentMethod}; only card payments are refunded here");
        }

        var remaining = payment.Amount - payment.Refunded;
        var amount = body.Amount ?? remaining;
        if (amount <= 0 || amount > remaining)
        {
            return ApiProblems.Invalid("amount", $"must be above 0 and at most the {remaining} {payment.Currency} not yet refunded");
        }

        if (!Menu.Currencies.IsExact(amount, payment.Currency))
        {
            return ApiProblems.Invalid("amount", $"must have at most {Menu.Currencies.MinorUnitsOf(payment.Currency)} decimals in {payment.Currency}");
        }

        var outcome = await provider.Refund(payment.Reference!, amount, payment.Currency, cancellationToken);
        if (!outcome.Succeeded)
        {
            return ApiProblems.Problem(StatusCodes.Status409Conflict, "The provider refused the refund.", "amount", $"the provider answered {outcome.FailureCode}");
        }

        var now = clock.GetUtcNow();
        var refund = new CardRefund(Guid.CreateVersion7(), amount, outcome.Reference, body.Reason, now);
        payment.Refunded += amount;
        payment.Refunds.Add(refund);
        payment.UpdatedAt = now;
        session.Update(payment);
        outbox.Publish(new OrderRefundIssued(order.CorrelationId, tenantId, refund.Id, amount, payment.Currency, now), tenantId, order.CorrelationId);
        await session.SaveChangesAsync(cancellationToken);
        return TypedResults.Created($"{OrdersApi.Location(tenantId, order.CorrelationId)}/refunds/{refund.Id}", new RefundView(refund.Id, amount, payment.Currency, payment.Amount - payment.Refunded, refund.Reference));
    }

    /// <summary>The provider tells how a payment ended: authenticated by its signature and timestamp; applied once.</summary>
    private static async Task<IResult> Callback(HttpContext http, IDocumentSession session, IOutbox outbox, ICardPaymentProvider provider, TimeProvider clock, CancellationToken cancellationToken)
    {
        using var reader = new StreamReader(http.Request.Body);
        var body = await reader.ReadToEndAsync(cancellationToken);
        if (body.Length > OrdersApi.MaxBodyBytes)
        {
            return ApiProblems.Problem(StatusCodes.Status413PayloadTooLarge, "The body is too large.", "body", $"must be at most {OrdersApi.MaxBodyBytes} bytes");
        }

        var verified = provider.VerifyCallback(body, http.Request.Headers[SandboxCardProvider.SignatureHeader].ToString());
        if (verified.Callback is not { } callback)
        {
            return ApiProblems.Problem(StatusCodes.Status401Unauthorized, "The callback is not authenticated.", SandboxCardProvider.SignatureHeader, verified.Refusal ?? "invalid");
        }

        if (await session.LoadAsync<CardPayment>(callback.PaymentId, cancellationToken) is not { } payment || payment.Reference != callback.Reference)
        {
            return ApiProblems.NotFound("payment", callback.PaymentId.ToString());
        }

        if (!CardPaymentStatus.Open.Contains(payment.Status))
        {
            // Already settled: a provider repeats callbacks until it is answered 2xx.
            return TypedResults.Ok(CardPaymentView.Of(payment, payment.TenantId));
        }

        var now = clock.GetUtcNow();
        payment.UpdatedAt = now;
        if (callback.Succeeded)
        {
            payment.Status = CardPaymentStatus.Succeeded;
            outbox.Publish(new CardPaymentCaptured(payment.OrderId, payment.TenantId, payment.Id, payment.Amount, payment.Currency, payment.Reference!, now), payment.TenantId, payment.OrderId);
        }
        else
        {
            payment.Status = CardPaymentStatus.Failed;
            payment.FailureCode = callback.FailureCode ?? "declined";
            OrderMetrics.PaymentFailed(payment.TenantId, provider.Name, payment.FailureCode);
        }

        session.Update(payment);
        await session.SaveChangesAsync(cancellationToken);
        return TypedResults.Ok(CardPaymentView.Of(payment, payment.TenantId));
    }

    private static IResult Declined(CardPayment payment) =>
        ApiProblems.Problem(
            StatusCodes.Status402PaymentRequired,
            "The card payment was declined.",
            "token",
            $"the provider declined the payment: {payment.FailureCode}",
            new Dictionary<string, object?> { ["paymentId"] = payment.Id, ["declineCode"] = payment.FailureCode });

    private static string PaymentLocation(string tenantId, CardPayment payment) => $"{OrdersApi.Location(tenantId, payment.OrderId)}/payments/{payment.Id}";
}

public sealed record PayRequest(string? Token);

public sealed record AuthenticateRequest(string? Code);

public sealed record RefundRequest(decimal? Amount, string? Reason);

public sealed record RefundView(Guid Id, decimal Amount, string Currency, decimal Remaining, string Reference);
