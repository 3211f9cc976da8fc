using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Options;

namespace GoCoffee.Orders.Payments;

public sealed class SandboxOptions
{
    /// <summary>The key callbacks are signed with (HMAC-SHA256). Outside Development and Testing it must be set.</summary>
    public string CallbackSecret { get; set; } = "sandbox-development-callback-secret";

    /// <summary>Where the sandbox POSTs its callbacks; by default this service's own callback endpoint.</summary>
    public string? CallbackUrl { get; set; }

    /// <summary>How long after the second step the sandbox confirms, as a provider's asynchronous confirmation does.</summary>
    public TimeSpan CallbackDelay { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>How old a callback's timestamp may be before it is refused as a replay.</summary>
    public TimeSpan CallbackTolerance { get; set; } = TimeSpan.FromMinutes(5);
}

/// <summary>
/// A provider's test mode, in process. Test card tokens: <c>tok_approve</c> (approved at once),
/// <c>tok_decline</c> (declined: card_declined), <c>tok_insufficient_funds</c> (declined: insufficient_funds),
/// <c>tok_3ds</c> (a second step is required: the code <c>000000</c> fails it, any other six digits pass it, and the
/// approval arrives later by signed callback), <c>tok_timeout</c> (the provider never answers). The provider's side
/// of each charge (captured, refunded) is kept in memory, as a provider keeps it on its side.
/// </summary>
public sealed class SandboxCardProvider(
    IOptions<SandboxOptions> options,
    IHttpClientFactory http,
    IServer server,
    TimeProvider clock,
    ILogger<SandboxCardProvider> logger) : ICardPaymentProvider
{
    public const string SignatureHeader = "Sandbox-Signature";

    public static readonly IReadOnlyList<string> TestTokens = ["tok_approve", "tok_decline", "tok_insufficient_funds", "tok_3ds", "tok_timeout"];

    private readonly ConcurrentDictionary<string, SandboxCharge> _charges = new(StringComparer.Ordinal);

    public string Name => "sandbox";

    public async Task<CardOutcome> Charge(CardCharge charge, CancellationToken cancellationToken)
    {
        var reference = $"sb_ch_{Guid.NewGuid():N}";
        switch (charge.Token)
        {
            case "tok_approve":
                _charges[reference] = new SandboxCharge(charge.PaymentId, charge.Amount, charge.Currency, Captured: true);
                return new CardOutcome(CardOutcomeKind.Approved, reference);
            case "tok_decline":
                return new CardOutcome(CardOutcomeKind.Declined, reference, "card_declined");
            case "tok_insufficient_funds":
                return new CardOutcome(CardOutcomeKind.Declined, reference, "insufficient_funds");
            case "tok_3ds":
                _charges[reference] = new SandboxCharge(charge.PaymentId, charge.Amount, charge.Currency, Captured: false);
                return new CardOutcome(CardOutcomeKind.RequiresAction, reference);
            case "tok_timeout":
                await Task.Delay(Timeout.InfiniteTimeSpan, cancellationToken);
                throw new OperationCanceledException(cancellationToken);
            default:
                throw new UnknownCardTokenException($"is not a sandbox test card token; use one of {string.Join(", ", TestTokens)}");
        }
    }

    public Task<CardOutcome> CompleteSecondStep(string reference, string code, CancellationToken cancellationToken)
    {
        if (!_charges.TryGetValue(reference, out var charge) || charge.Captured)
        {
            return Task.FromResult(new CardOutcome(CardOutcomeKind.Declined, reference, "no_pending_authentication"));
        }

        if (code == "000000")
        {
            _charges.TryRemove(reference, out _);
            return Task.FromResult(new CardOutcome(CardOutcomeKind.Declined, reference, "authentication_failed"));
        }

        _charges[reference] = charge with { Captured = true };
        _ = Task.Run(() => SendCallback(new CardCallback(charge.PaymentId, reference, Succeeded: true, FailureCode: null)), CancellationToken.None);
        return Task.FromResult(new CardOutcome(CardOutcomeKind.Processing, reference));
    }

    public Task<CardRefundOutcome> Refund(string reference, decimal amount, string currency, CancellationToken cancellationToken)
    {
        while (_charges.TryGetValue(reference, out var charge))
        {
            if (!charge.Captured || charge.Currency != currency || charge.Refunded + amount > charge.Amount)
            {
                return Task.FromResult(new CardRefundOutcome(false, reference, "amount_too_large"));
            }

            if (_charges.TryUpdate(reference, charge with { Refunded = charge.Refunded + amount }, charge))
            {
                return Task.FromResult(new CardRefundOutcome(true, $"sb_re_{Guid.NewGuid():N}"));
            }
        }

        return Task.FromResult(new CardRefundOutcome(false, reference, "charge_unknown"));
    }

    public CallbackVerification VerifyCallback(string body, string? signature)
    {
        // t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">: the timestamp is signed, so a replay is detectable.
        var parts = (signature ?? string.Empty).Split(',', StringSplitOptions.TrimEntries)
            .Select(p => p.Split('=', 2))
            .Where(p => p.Length == 2)
            .GroupBy(p => p[0], StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.First()[1], StringComparer.Ordinal);
        if (!parts.TryGetValue("t", out var t) || !long.TryParse(t, NumberStyles.None, CultureInfo.InvariantCulture, out var unix) || !parts.TryGetValue("v1", out var v1))
        {
            return new CallbackVerification(null, $"{SignatureHeader} must be t=<unix seconds>,v1=<hex HMAC-SHA256>");
        }

        var expected = Sign(unix, body);
        if (!CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(expected), Encoding.ASCII.GetBytes(v1)))
        {
            return new CallbackVerification(null, $"{SignatureHeader}: the signature does not match the body");
        }

        var age = clock.GetUtcNow() - DateTimeOffset.FromUnixTimeSeconds(Math.Clamp(unix, 0, 253402300799));
        if (age.Duration() > options.Value.CallbackTolerance)
        {
            return new CallbackVerification(null, $"{SignatureHeader}: the timestamp is outside the {options.Value.CallbackTolerance} tolerance (a replay?)");
        }

        try
        {
            var callback = JsonSerializer.Deserialize<SandboxCallbackBody>(body, Json);
            return callback is { PaymentId: var id, Reference.Length: > 0 } && id != Guid.Empty
                ? new CallbackVerification(new CardCallback(id, callback.Reference, callback.Status == "succeeded", callback.FailureCode), null)
                : new CallbackVerification(null, "body: must name paymentId, reference and status");
        }
        catch (JsonException)
        {
            return new CallbackVerification(null, "body: is not JSON");
        }
    }

    internal string Sign(long unixSeconds, string body) =>
        Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(options.Value.CallbackSecret), Encoding.UTF8.GetBytes($"{unixSeconds}.{body}")));

    private async Task SendCallback(CardCallback callback)
    {
        await Task.Delay(options.Value.CallbackDelay, clock);
        var body = JsonSerializer.Serialize(new SandboxCallbackBody(callback.PaymentId, callback.Reference, callback.Succeeded ? "succeeded" : "failed", callback.FailureCode), Json);
        var url = options.Value.CallbackUrl ?? OwnCallbackUrl();
        for (var attempt = 1; attempt <= 5; attempt++)
        {
            try
            {
                using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
                request.Headers.Add(SignatureHeader, $"t={clock.GetUtcNow().ToUnixTimeSeconds()},v1={Sign(clock.GetUtcNow().ToUnixTimeSeconds(), body)}");
                using var response = await http.CreateClient(nameof(SandboxCardProvider)).SendAsync(request);
                if (response.IsSuccessStatusCode)
                {
                    return;
                }

                logger.LogWarning("Sandbox callback for payment {PaymentId} answered {Status}", callback.PaymentId, (int)response.StatusCode);
            }
            catch (HttpRequestException ex)
            {
                logger.LogWarning(ex, "Sandbox callback for payment {PaymentId} failed", callback.PaymentId);
            }

            await Task.Delay(TimeSpan.FromMilliseconds(200 * attempt), clock);
        }
    }

    private string OwnCallbackUrl()
    {
        var address = server.Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault() ?? "http://127.0.0.1:5104";
        return $"{address.TrimEnd('/').Replace("0.0.0.0", "127.0.0.1").Replace("[::]", "127.0.0.1")}{PaymentsApi.SandboxCallbackPath}";
    }

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private sealed record SandboxCharge(Guid PaymentId, decimal Amount, string Currency, bool Captured, decimal Refunded = 0);

    private sealed record SandboxCallbackBody(Guid PaymentId, string Reference, string Status, string? FailureCode);
}
