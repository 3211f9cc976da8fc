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

/// <summary>
/// A tenant the gateway admits callers of: suspended ones are refused with the reason. <paramref name="Version"/> is the
/// tenant's event-stream version this picture is as of.
/// </summary>
public sealed record KnownTenant(string TenantId, string Tier, int RateLimitPerMinute, IReadOnlySet<string> Features, bool Suspended, string? SuspensionReason, long Version = 0);

/// <summary>
/// The gateway's picture of the tenants and their keys, in memory: loaded from the tenant service's directory at startup
/// (and again after every reconnection to the bus, and periodically), kept current by the tenant and API-key events.
/// Tenant events may arrive late, out of order or twice: each carries the tenant's stream version and is applied only if
/// it is newer than what the directory holds for that tenant (a redelivered <see cref="TenantActivated"/> cannot
/// un-suspend a tenant). Snapshot entries carry the version too, so a snapshot older than an event already applied does
/// not roll it back. Events that arrive while a snapshot is loading are replayed on top of it, so nothing seen is lost to
/// the snapshot. A revoked key id and a deleted tenant's last version are remembered, so a late or redelivered
/// <see cref="ApiKeyIssued"/> or <see cref="TenantActivated"/> can never bring them back.
/// </summary>
public sealed class TenantDirectory(TimeProvider clock)
{
    private readonly Lock _writes = new();
    private readonly ConcurrentDictionary<string, byte> _revokedKeyIds = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, long> _deletedTenants = new(StringComparer.Ordinal);
    private volatile State _state = new();
    private List<object>? _pendingReplay;
    private int _refreshes;

    /// <summary>When a snapshot was last loaded in full.</summary>
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

    /// <summary>Replaces the picture with a snapshot (every page of it), keeping what is newer than the snapshot's entries.</summary>
    public void CompleteRefresh(IEnumerable<TenantAccess> tenants, IEnumerable<ApiKeyIssued> keys)
    {
        lock (_writes)
        {
            var held = _state;
            var state = new State();
            foreach (var tenant in tenants)
            {
                if (_deletedTenants.TryGetValue(tenant.TenantId, out var deleted) && deleted >= tenant.Version)
                {
                    continue;
                }

                state.Tenants[tenant.TenantId] = held.Tenants.TryGetValue(tenant.TenantId, out var known) && known.Version > tenant.Version
                    ? known
                    : new KnownTenant(
                        tenant.TenantId,
                        tenant.Tier,
                        tenant.RateLimitPerMinute,
                        tenant.Features.ToHashSet(StringComparer.Ordinal),
                        tenant.Phase == "Suspended",
                        tenant.SuspensionReason,
                        tenant.Version);
            }

            foreach (var key in keys)
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

    /// <summary>Applies a tenant or API-key event if it is newer than what the directory holds (applying one twice changes nothing).</summary>
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
            case TenantActivated activated when IsNewer(state, activated.TenantId, activated.Version):
                state.Tenants[activated.TenantId] = new KnownTenant(
                    activated.TenantId,
                    activated.Tier,
                    activated.RateLimitPerMinute,
                    (activated.Features ?? []).ToHashSet(StringComparer.Ordinal),
                    Suspended: false,
                    SuspensionReason: null,
                    activated.Version);
                break;

            // The other tenant events change a tenant the directory knows; an unknown one comes with the next snapshot.
            case TenantTierChanged changed when IsNewer(state, changed.TenantId, changed.Version) && state.Tenants.TryGetValue(changed.TenantId, out var known):
                state.Tenants[changed.TenantId] = known with
                {
                    Tier = changed.ToTier,
                    RateLimitPerMinute = changed.RateLimitPerMinute,
                    Features = changed.Features.ToHashSet(StringComparer.Ordinal),
                    Version = changed.Version,
                };
                break;
            case TenantSuspended suspended when IsNewer(state, suspended.TenantId, suspended.Version) && state.Tenants.TryGetValue(suspended.TenantId, out var known):
                state.Tenants[suspended.TenantId] = known with { Suspended = true, SuspensionReason = suspended.Reason, Version = suspended.Version };
                break;
            case TenantResumed resumed when IsNewer(state, resumed.TenantId, resumed.Version) && state.Tenants.TryGetValue(resumed.TenantId, out var known):
                state.Tenants[resumed.TenantId] = known with { Suspended = false, SuspensionReason = null, Version = resumed.Version };
                break;
            case TenantDeleted deleted when IsNewer(state, deleted.TenantId, deleted.Version):
                _deletedTenants[deleted.TenantId] = deleted.Version;
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

    /// <summary>
    /// Whether an event at <paramref name="version"/> is newer than what is held for the tenant. An event without a version
    /// (0: published before events carried one) is never newer: the next snapshot brings what it says.
    /// </summary>
    private bool IsNewer(State state, string tenantId, long version) =>
        version > 0
        && !(_deletedTenants.TryGetValue(tenantId, out var deleted) && deleted >= version)
        && !(state.Tenants.TryGetValue(tenantId, out var known) && known.Version >= version);

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
