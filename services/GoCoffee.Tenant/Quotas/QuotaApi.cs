using GoCoffee.Resources;
using GoCoffee.Tenant.Api;
using GoCoffee.ServiceDefaults.Security;
using GoCoffee.Tenant.Planning;
using Marten;

namespace GoCoffee.Tenant.Quotas;

public sealed record GpuRequest(string? Type, int Count);

public sealed record ReservationRequest(string? Id, string? Holder, string? Cpu, string? Memory, string? Storage, int? Namespaces, GpuRequest? Gpu);

public sealed record AmountsView(string Cpu, string Memory, string Storage, int Namespaces, int Gpus)
{
    public static AmountsView Of(ResourceAmounts amounts) =>
        new(Quantity.Cpu(amounts.CpuMillis), Quantity.Bytes(amounts.MemoryBytes), Quantity.Bytes(amounts.StorageBytes), amounts.Namespaces, amounts.Gpus);
}

public sealed record ReservationView(string Id, string Holder, string State, AmountsView Amounts, string? GpuType, DateTimeOffset At);

public sealed record QuotaView(string TenantId, AmountsView Total, AmountsView Reserved, AmountsView Committed, AmountsView Available, IReadOnlyList<string> GpuTypes, IReadOnlyList<ReservationView> Reservations);

public static class QuotaApi
{
    public static RouteGroupBuilder MapQuotaApi(this RouteGroupBuilder api)
    {
        api.MapGet("/{tenantId}/quota", Usage).WithName("getTenantQuota").WithSummary("The tenant's quota ledger: total, reserved, committed, available").RequireTenantAccess()
            .Produces<QuotaView>().ProducesProblem(StatusCodes.Status404NotFound);
        api.MapPost("/{tenantId}/quota/reservations", Reserve).WithName("reserveTenantQuota").WithSummary("Reserve resources before creating anything that uses them").RequirePlatformAdmin()
            .Produces<ReservationView>(StatusCodes.Status201Created).ProducesValidationProblem().ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);
        api.MapPost("/{tenantId}/quota/reservations/{reservationId}/commit", Commit).WithName("commitTenantQuotaReservation").WithSummary("The reserved thing exists now").RequirePlatformAdmin()
            .Produces<QuotaView>().ProducesProblem(StatusCodes.Status404NotFound);
        api.MapDelete("/{tenantId}/quota/reservations/{reservationId}", Release).WithName("releaseTenantQuotaReservation").WithSummary("Give reserved or committed resources back").RequirePlatformAdmin()
            .Produces<QuotaView>().ProducesProblem(StatusCodes.Status404NotFound);
        return api;
    }

    internal static async Task<IResult> Usage(string tenantId, IQuerySession session, CancellationToken cancellationToken)
    {
        var ledger = await session.LoadAsync<TenantLedger>(tenantId, cancellationToken);
        return ledger is null ? ApiProblems.NotFound(tenantId) : TypedResults.Ok(View(ledger));
    }

    internal static async Task<IResult> Reserve(string tenantId, ReservationRequest request, IDocumentSession session, TimeProvider clock, CancellationToken cancellationToken)
    {
        var errors = new Dictionary<string, string[]>();
        var id = request.Id ?? Guid.CreateVersion7().ToString("N");
        if (id.Length is 0 or > 100)
        {
            errors["id"] = ["must be 1 to 100 characters"];
        }

        if (string.IsNullOrWhiteSpace(request.Holder) || request.Holder.Length > 200)
        {
            errors["holder"] = ["is required: who will use the resources (at most 200 characters)"];
        }

        var cpu = Parse(request.Cpu, "cpu", errors, millis: true);
        var memory = Parse(request.Memory, "memory", errors, millis: false);
        var storage = Parse(request.Storage, "storage", errors, millis: false);
        if (request.Namespaces is < 0 or > 100)
        {
            errors["namespaces"] = ["must be between 0 and 100"];
        }

        if (request.Gpu is { Count: < 0 or > 64 })
        {
            errors["gpu.count"] = ["must be between 0 and 64"];
        }

        if (errors.Count > 0)
        {
            return ApiProblems.Invalid(errors, "The reservation is invalid.");
        }

        var ledger = await session.LoadAsync<TenantLedger>(tenantId, cancellationToken);
        if (ledger is null)
        {
            return ApiProblems.NotFound(tenantId);
        }

        var amounts = new ResourceAmounts(cpu, memory, storage, request.Namespaces ?? 0, request.Gpu?.Count ?? 0);
        var refused = ledger.Reserve(id, request.Holder!, amounts, request.Gpu?.Type, clock.GetUtcNow());
        if (refused.Count > 0)
        {
            return ApiProblems.Conflict(refused, "The tenant's quota does not cover this reservation.");
        }

        session.Store(ledger);
        await session.SaveChangesAsync(cancellationToken);
        return TypedResults.Created($"/api/tenants/{tenantId}/quota/reservations/{id}", View(ledger).Reservations.First(r => r.Id == id));
    }

    internal static Task<IResult> Commit(string tenantId, string reservationId, IDocumentSession session, CancellationToken cancellationToken) =>
        Change(tenantId, reservationId, session, ledger => ledger.Commit(reservationId), cancellationToken);

    internal static Task<IResult> Release(string tenantId, string reservationId, IDocumentSession session, CancellationToken cancellationToken) =>
        Change(tenantId, reservationId, session, ledger => ledger.Release(reservationId), cancellationToken);

    private static async Task<IResult> Change(string tenantId, string reservationId, IDocumentSession session, Func<TenantLedger, bool> change, CancellationToken cancellationToken)
    {
        var ledger = await session.LoadAsync<TenantLedger>(tenantId, cancellationToken);
        if (ledger is null)
        {
            return ApiProblems.NotFound(tenantId);
        }

        if (!change(ledger))
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "No such reservation.", detail: $"reservationId: '{reservationId}' is not in the tenant's ledger.");
        }

        session.Store(ledger);
        await session.SaveChangesAsync(cancellationToken);
        return TypedResults.Ok(View(ledger));
    }

    private static long Parse(string? text, string field, Dictionary<string, string[]> errors, bool millis)
    {
        if (text is null)
        {
            return 0;
        }

        if (!Quantity.TryParse(text, out var value))
        {
            errors[field] = [$"'{(text.Length > 32 ? text[..32] : text)}' is not a Kubernetes quantity"];
            return 0;
        }

        return (long)(millis ? value * 1000 : value);
    }

    private static QuotaView View(TenantLedger ledger)
    {
        var reserved = ledger.Reservations.Where(r => r.State == ReservationState.Reserved).Aggregate(ResourceAmounts.Zero, (sum, r) => sum.Plus(r.Amounts));
        var committed = ledger.Reservations.Where(r => r.State == ReservationState.Committed).Aggregate(ResourceAmounts.Zero, (sum, r) => sum.Plus(r.Amounts));
        return new QuotaView(
            ledger.Id,
            AmountsView.Of(ledger.Totals),
            AmountsView.Of(reserved),
            AmountsView.Of(committed),
            AmountsView.Of(ledger.Available),
            ledger.GpuTypes,
            ledger.Reservations.Select(r => new ReservationView(r.Id, r.Holder, r.State.ToString(), AmountsView.Of(r.Amounts), r.GpuType, r.At)).ToList());
    }
}
