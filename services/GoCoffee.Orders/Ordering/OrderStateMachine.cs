using GoCoffee.Contracts.Orders;
using GoCoffee.Contracts.Payments;
using GoCoffee.ServiceDefaults.Messaging;
using MassTransit;
using Microsoft.Extensions.Options;

namespace GoCoffee.Orders.Ordering;

/// <summary>
/// An order from placement to pick-up: Placed → AwaitingPayment → Paid → Brewing → Ready → Completed, or Cancelled
/// (by the customer, or when payment does not arrive in time: a durable timeout) and Refunded. A payment is taken once:
/// a second one, or one after cancellation, is recorded as unapplied (a refund is due). Messages that do not fit the
/// current state are ignored here; the API and the shop-event consumer refuse them earlier with the current state.
/// </summary>
public sealed class OrderStateMachine : MassTransitStateMachine<OrderState>
{
    public OrderStateMachine()
    {
        InstanceState(x => x.CurrentState);
        Event(() => Placement, e => { e.CorrelateById(m => m.Message.OrderId); e.OnMissingInstance(m => m.Discard()); });
        Event(() => CardCaptured, e => { e.CorrelateById(m => m.Message.OrderId); e.OnMissingInstance(m => m.Discard()); });
        Event(() => PaymentConfirmed, e => { e.CorrelateById(m => m.Message.OrderId); e.OnMissingInstance(m => m.Discard()); });
        Event(() => CancellationRequested, e => { e.CorrelateById(m => m.Message.OrderId); e.OnMissingInstance(m => m.Discard()); });
        Event(() => PaymentTimedOut, e => { e.CorrelateById(m => m.Message.OrderId); e.OnMissingInstance(m => m.Discard()); });
        Event(() => BrewingStarted, e => { e.CorrelateById(m => m.Message.OrderId); e.OnMissingInstance(m => m.Discard()); });
        Event(() => MadeReady, e => { e.CorrelateById(m => m.Message.OrderId); e.OnMissingInstance(m => m.Discard()); });
        Event(() => PickedUp, e => { e.CorrelateById(m => m.Message.OrderId); e.OnMissingInstance(m => m.Discard()); });
        Event(() => RefundIssued, e => { e.CorrelateById(m => m.Message.OrderId); e.OnMissingInstance(m => m.Discard()); });

        OnUnhandledEvent(context => context.Ignore());

        During(
            Placed,
            When(Placement)
                .Then(context => context.Saga.PayBy = context.Now() + PaymentTimeout(context))
                .Moved(OrderStatus.AwaitingPayment, _ => "system:order-saga", "order.awaiting_payment")
                .ScheduleTimeout(
                    saga => saga.PaymentTimeoutToken,
                    (saga, token) => saga.PaymentTimeoutToken = token,
                    (context, token) => new OrderPaymentTimedOut(context.Saga.CorrelationId, context.Saga.TenantId, token),
                    PaymentTimeout)
                .PublishDurably(
                    context => new OrderAwaitingPayment(context.Saga.CorrelationId, context.Saga.TenantId, context.Saga.Total, context.Saga.Currency, context.Saga.PayBy!.Value, context.Now()),
                    context => context.Saga.TenantId)
                .TransitionTo(AwaitingPayment));

        // A card payment can succeed before the saga took the placement (the customer pays at once).
        During(
            new[] { Placed, AwaitingPayment },
            When(CardCaptured, context => context.Message.TenantId == context.Saga.TenantId && context.Message.Currency == context.Saga.Currency)
                .Then(context => TakePayment(context.Saga, context.Message.PaymentId, "card", context.Message.Amount, context.Message.Reference, context.Message.At))
                .PaymentTaken()
                .TransitionTo(Paid),
            When(PaymentConfirmed, context => context.Message.TenantId == context.Saga.TenantId && context.Message.Currency == context.Saga.Currency)
                .Then(context => TakePayment(context.Saga, context.Message.PaymentId, context.Message.Method, context.Message.Amount, context.Message.Reference, context.Message.At))
                .PaymentTaken()
                .TransitionTo(Paid),
            When(CancellationRequested)
                .Then(context => context.Saga.CancelReason = context.Message.Reason)
                .Cancelled(context => context.Message.By, "cancelled")
                .TransitionTo(Cancelled));

        During(
            AwaitingPayment,
            When(PaymentTimedOut, context => context.Message.Token == context.Saga.PaymentTimeoutToken)
                .Then(context =>
                {
                    context.Saga.PaymentTimeoutToken = null;
                    context.Saga.CancelReason = "Payment was not received in time.";
                })
                .Cancelled(_ => "system:payment-timeout", "payment-timeout")
                .TransitionTo(Cancelled));

        // Whatever state the order is in later, a payment that was not taken is kept in view: a refund is due.
        During(
            new[] { Paid, Brewing, Ready, Completed, Cancelled, Refunded },
            When(CardCaptured)
                .Then(context => Unapplied(context.Saga, context.Message.PaymentId, "card", context.Message.Amount, context.Message.Currency, context.Message.Reference, context.Message.At)),
            When(PaymentConfirmed)
                .Then(context => Unapplied(context.Saga, context.Message.PaymentId, context.Message.Method, context.Message.Amount, context.Message.Currency, context.Message.Reference, context.Message.At)));

        During(
            Paid,
            When(BrewingStarted).Moved(OrderStatus.Brewing, context => context.Message.By, "order.brewing").TransitionTo(Brewing));
        During(
            Brewing,
            When(MadeReady).Moved(OrderStatus.Ready, context => context.Message.By, "order.ready").TransitionTo(Ready));
        During(
            Ready,
            When(PickedUp)
                .Then(context => context.Saga.CompletedAt = context.Message.At)
                .Moved(OrderStatus.Completed, context => context.Message.By, "order.completed")
                .TransitionTo(Completed));

        During(
            new[] { Paid, Brewing, Ready, Completed },
            When(RefundIssued, context => context.Saga.RefundedAmount + context.Message.Amount >= context.Saga.PaidAmount)
                .Then(context => context.Saga.RefundedAmount += context.Message.Amount)
                .Moved(OrderStatus.Refunded, _ => "system:refund", "order.refunded")
                .TransitionTo(Refunded),
            When(RefundIssued, context => context.Saga.RefundedAmount + context.Message.Amount < context.Saga.PaidAmount)
                .Then(context => context.Saga.RefundedAmount += context.Message.Amount)
                .ThenAsync(context => context.Notify("payment.partially_refunded", context.Saga.CurrentState)));
    }

    private static TimeSpan PaymentTimeout<TMessage>(BehaviorContext<OrderState, TMessage> context)
        where TMessage : class =>
        context.GetServiceOrCreateInstance<IOptions<OrderOptions>>().Value.PaymentTimeout;

    private static void TakePayment(OrderState saga, Guid paymentId, string method, decimal amount, string reference, DateTimeOffset at)
    {
        saga.PaymentId = paymentId;
        saga.PaymentMethod = method;
        saga.PaidAmount = amount;
        saga.PaymentReference = reference;
        saga.PaidAt = at;
    }

    private static void Unapplied(OrderState saga, Guid paymentId, string method, decimal amount, string currency, string reference, DateTimeOffset at)
    {
        if (saga.PaymentId == paymentId || saga.UnappliedPayments.Any(p => p.PaymentId == paymentId))
        {
            return;
        }

        saga.UnappliedPayments.Add(new UnappliedPayment(paymentId, method, amount, currency, reference, $"the order was {saga.CurrentState} when the payment arrived; refund due", at));
    }

    public State Placed { get; private set; } = null!;

    public State AwaitingPayment { get; private set; } = null!;

    public State Paid { get; private set; } = null!;

    public State Brewing { get; private set; } = null!;

    public State Ready { get; private set; } = null!;

    public State Completed { get; private set; } = null!;

    public State Cancelled { get; private set; } = null!;

    public State Refunded { get; private set; } = null!;

    public Event<OrderPlaced> Placement { get; private set; } = null!;

    public Event<CardPaymentCaptured> CardCaptured { get; private set; } = null!;

    public Event<PaymentConfirmed> PaymentConfirmed { get; private set; } = null!;

    public Event<OrderCancellationRequested> CancellationRequested { get; private set; } = null!;

    public Event<OrderPaymentTimedOut> PaymentTimedOut { get; private set; } = null!;

    public Event<OrderBrewingStarted> BrewingStarted { get; private set; } = null!;

    public Event<OrderMadeReady> MadeReady { get; private set; } = null!;

    public Event<OrderPickedUp> PickedUp { get; private set; } = null!;

    public Event<OrderRefundIssued> RefundIssued { get; private set; } = null!;
}

internal static class OrderSagaSteps
{
    public static EventActivityBinder<OrderState, TMessage> PaymentTaken<TMessage>(this EventActivityBinder<OrderState, TMessage> binder)
        where TMessage : class =>
        binder
            .CancelTimeout(saga => saga.PaymentTimeoutToken, (saga, token) => saga.PaymentTimeoutToken = token)
            .Moved(OrderStatus.Paid, _ => "system:payment", "order.paid")
            .PublishDurably(context => new OrderPaymentClosed(context.Saga.CorrelationId, context.Saga.TenantId, "paid", context.Now()), context => context.Saga.TenantId);

    public static EventActivityBinder<OrderState, TMessage> Cancelled<TMessage>(
        this EventActivityBinder<OrderState, TMessage> binder,
        Func<BehaviorContext<OrderState, TMessage>, string> by,
        string reason)
        where TMessage : class =>
        binder
            .CancelTimeout(saga => saga.PaymentTimeoutToken, (saga, token) => saga.PaymentTimeoutToken = token)
            .Moved(OrderStatus.Cancelled, by, "order.cancelled")
            .PublishDurably(context => new OrderPaymentClosed(context.Saga.CorrelationId, context.Saga.TenantId, reason, context.Now()), context => context.Saga.TenantId);
}
