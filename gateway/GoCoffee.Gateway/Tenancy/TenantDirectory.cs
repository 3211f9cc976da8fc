using System.Collections.Concurrent;
using GoCoffee.Contracts.Tenants;

namespace GoCoffee.Gateway.Tenancy;

/// <summary>A live API key as the gateway knows it: by the SHA-256 of the key, never the key.</summary>
public sealed record KnownKey(string KeyId, string TenantId, DateTimeOffset? ExpiresAt)
{
    /// <summary>Who a request with this key is made by: the same for every request, so made once.</summary>
    public GoCoffee.ServiceDefaults.Security.InternalCaller Caller { get; } =
        GoCoffee.ServiceDefaults.Security.InternalCaller.ForTenant($"apikey:{KeyId}", TenantId);
}

/// <summary>A tenant the gateway admits callers of: suspended ones are refused with the reason.</summary>
public sealed record KnownTenant(string TenantId, string Tier, int RateLimitPerMinute, IReadOnlySet<string> Features, bool Suspended, string? SuspensionReason);

/// <summary>
/// The gateway's picture of the tenants and their keys, in memory: loaded from the tenant service's directory at startup
/// (and again after every reconnection to the bus, and periodically), kept current by the tenant and API-key events.
/// Events that arrive while a snapshot is loading are replayed on top of it, so nothing seen is lost to the snapshot.
/// A revoked key id is remembered, so a late or redelivered <see cref="ApiKeyIssued"/> can never bring it back.
/// </summary>
public sealed class TenantDirectory(TimeProvider clock)
{
    private readonly Lock _writes = new();
    private readonly ConcurrentDictionary<string, byte> _revokedKeyIds = new(StringComparer.Ordinal);
    private volatile State _state = new();
    private List<object>? _pendingReplay;
    private int _refreshes;

    public DateTimeOffset? LoadedAt { get; private set; }

    public int TenantCount => _state.Tenants.Count;

    public int KeyCount => _state.KeysByHash.Count;

    public KnownKey? FindKey(string keyHash) => _state.KeysByHash.GetValueOrDefault(keyHash);

    public KnownTenant? FindTenant(string tenantId) => _state.Tenants.GetValueOrDefault(tenantId);

    /// <summary>Starts recording events for replay; call <see cref="CompleteRefresh"/> (or <see cref="AbandonRefresh"/>) once the snapshot is read.</summary>
    public void BeginRefresh()
    {
        lock (_writes)
        {
            _refreshes++;
            _pendingReplay ??= [];
        }
    }

    public void CompleteRefresh(Contracts.Tenants.TenantDirectory snapshot)
    {
        lock (_writes)
        {
            var state = new State();
            foreach (var tenant in snapshot.Tenants)
            {
                state.Tenants[tenant.TenantId] = new KnownTenant(
                    tenant.TenantId,
                    tenant.Tier,
                    tenant.RateLimitPerMinute,
                    tenant.Features.ToHashSet(StringComparer.Ordinal),
                    tenant.Phase == "Suspended",
                    tenant.SuspensionReason);
            }

            foreach (var key in snapshot.ApiKeys)
            {
                AddKey(state, key);
            }

            foreach (var message in _pendingReplay ?? [])
            {
                Apply(state, message);
            }

            _state = state;
            LoadedAt = clock.GetUtcNow();
            EndRefresh();
        }
    }

    public void AbandonRefresh()
    {
        lock (_writes)
        {
            EndRefresh();
        }
    }

    /// <summary>Applies a tenant or API-key event (idempotent: applying one twice changes nothing).</summary>
    public void Apply(object message)
    {
        lock (_writes)
        {
            _pendingReplay?.Add(message);
            Apply(_state, message);
        }
    }

    private void EndRefresh()
    {
        if (--_refreshes <= 0)
        {
            _refreshes = 0;
            _pendingReplay = null;
        }
    }

    private void Apply(State state, object message)
    {
        switch (message)
        {
            case ApiKeyIssued issued:
                AddKey(state, issued);
                break;
            case ApiKeyRevoked revoked:
                _revokedKeyIds[revoked.KeyId] = 0;
                if (state.HashesByKeyId.TryRemove(revoked.KeyId, out var hash))
                {
                    state.KeysByHash.TryRemove(hash, out _);
                }

                break;
            case TenantActivated activated:
                state.Tenants[activated.TenantId] = new KnownTenant(
                    activated.TenantId,
                    activated.Tier,
                    activated.RateLimitPerMinute,
                    (activated.Features ?? []).ToHashSet(StringComparer.Ordinal),
                    Suspended: false,
                    SuspensionReason: null);
                break;
            case TenantTierChanged changed:
                state.Tenants.AddOrUpdate(
                    changed.TenantId,
                    id => new KnownTenant(id, changed.ToTier, changed.RateLimitPerMinute, changed.Features.ToHashSet(StringComparer.Ordinal), false, null),
                    (_, known) => known with { Tier = changed.ToTier, RateLimitPerMinute = changed.RateLimitPerMinute, Features = changed.Features.ToHashSet(StringComparer.Ordinal) });
                break;
            case TenantSuspended suspended when state.Tenants.TryGetValue(suspended.TenantId, out var known):
                state.Tenants[suspended.TenantId] = known with { Suspended = true, SuspensionReason = suspended.Reason };
                break;
            case TenantResumed resumed when state.Tenants.TryGetValue(resumed.TenantId, out var known):
                state.Tenants[resumed.TenantId] = known with { Suspended = false, SuspensionReason = null };
                break;
            case TenantDeleted deleted:
                state.Tenants.TryRemove(deleted.TenantId, out _);
                foreach (var (keyHash, key) in state.KeysByHash)
                {
                    if (key.TenantId == deleted.TenantId)
                    {
                        state.KeysByHash.TryRemove(keyHash, out _);
                        state.HashesByKeyId.TryRemove(key.KeyId, out _);
                    }
                }

                break;
        }
    }

    private void AddKey(State state, ApiKeyIssued issued)
    {
        if (_revokedKeyIds.ContainsKey(issued.KeyId))
        {
            return;
        }

        state.KeysByHash[issued.KeyHash] = new KnownKey(issued.KeyId, issued.TenantId, issued.ExpiresAt);
        state.HashesByKeyId[issued.KeyId] = issued.KeyHash;
    }

    private sealed class State
    {
        public ConcurrentDictionary<string, KnownKey> KeysByHash { get; } = new(StringComparer.Ordinal);

        public ConcurrentDictionary<string, string> HashesByKeyId { get; } = new(StringComparer.Ordinal);

        public ConcurrentDictionary<string, KnownTenant> Tenants { get; } = new(StringComparer.Ordinal);
    }
}
