using GoCoffee.Contracts.Ai;
using GoCoffee.Contracts.Cluster;
using GoCoffee.Contracts.Observability;
using GoCoffee.Contracts.Orders;
using GoCoffee.Contracts.Payments;
using GoCoffee.Contracts.Quotas;
using GoCoffee.Contracts.Tenants;

namespace GoCoffee.ServiceDefaults.Messaging;

/// <summary>
/// The messages that grant access, change tenancy or drive the cluster-agent, each with the one service that may send
/// it. A consumer acts on such a message only when the broker vouches that this service published it: RabbitMQ checks
/// the AMQP <c>user_id</c> property against the login of the publishing connection (a mismatch closes the channel),
/// and every process of the platform logs in as its own broker user (<see cref="BrokerUsers"/>). Messages not listed
/// here (platform probes) are trusted from any platform process whose broker permissions let it publish them.
/// </summary>
public static class TrustedSenders
{
    public const string Tenant = "tenant";

    public const string ClusterAgent = "cluster-agent";

    public const string Orders = "orders";

    public const string Web3 = "web3";

    public const string AiWorkload = "ai-workload";

    public const string Observability = "observability";

    private static readonly Dictionary<Type, string> Owners = new()
    {
        // The tenant service: requests about a tenant (its own saga takes them), the lifecycle it decides, API keys.
        [typeof(TenantRegistered)] = Tenant,
        [typeof(TenantChangeRequested)] = Tenant,
        [typeof(TenantSuspensionRequested)] = Tenant,
        [typeof(TenantResumptionRequested)] = Tenant,
        [typeof(TenantDeletionRequested)] = Tenant,
        [typeof(TenantDeletionCancellationRequested)] = Tenant,
        [typeof(TenantActivated)] = Tenant,
        [typeof(TenantTierChanged)] = Tenant,
        [typeof(TenantSuspended)] = Tenant,
        [typeof(TenantResumed)] = Tenant,
        [typeof(TenantFailed)] = Tenant,
        [typeof(TenantDeleted)] = Tenant,
        [typeof(TenantStepTimedOut)] = Tenant,
        [typeof(TenantDeletionGraceElapsed)] = Tenant,
        [typeof(ApiKeyIssued)] = Tenant,
        [typeof(ApiKeyRevoked)] = Tenant,
        [typeof(TenantServicesChanged)] = Tenant,
        [typeof(RemoveTenantAiWorkloads)] = Tenant,
        [typeof(TenantAiWorkloadsRemoved)] = AiWorkload,
        [typeof(TenantAiRemovalCheck)] = AiWorkload,

        // The tenant service's commands to the cluster-agent, and the status it has the agent write.
        [typeof(ProvisionTenantNamespaces)] = Tenant,
        [typeof(ScaleTenantWorkloads)] = Tenant,
        [typeof(PlanTenantDeletion)] = Tenant,
        [typeof(DeleteTenantObjects)] = Tenant,
        [typeof(TenantStatusChanged)] = Tenant,
        [typeof(ProvisionTenantMonitoring)] = Tenant,

        // The cluster-agent's answers, and the Tenant custom resources it hands to the tenant service.
        [typeof(TenantNamespacesProvisioned)] = ClusterAgent,
        [typeof(TenantMonitoringProvisioned)] = ClusterAgent,
        [typeof(TenantClusterStepFailed)] = ClusterAgent,
        [typeof(TenantWorkloadsScaled)] = ClusterAgent,
        [typeof(TenantDeletionPlanned)] = ClusterAgent,
        [typeof(TenantObjectsDeleted)] = ClusterAgent,
        [typeof(TenantResourceApplied)] = ClusterAgent,
        [typeof(TenantResourceDeleted)] = ClusterAgent,

        // Orders and payments: the order saga asks for payment; a payment service confirms it.
        [typeof(OrderAwaitingPayment)] = Orders,
        [typeof(OrderPaymentClosed)] = Orders,
        [typeof(PaymentConfirmed)] = Web3,

        // The tenant's quota ledger over the bus: the ai-workload service reserves and releases, the tenant service answers.
        [typeof(ReserveTenantQuota)] = AiWorkload,
        [typeof(ReleaseTenantQuota)] = AiWorkload,
        [typeof(TenantQuotaReserved)] = Tenant,
        [typeof(TenantQuotaRefused)] = Tenant,
        [typeof(TenantQuotaReleased)] = Tenant,

        // AI workloads: the ai-workload service's own saga messages, its commands to the cluster-agent, and the answers.
        [typeof(AiWorkloadDeploymentRequested)] = AiWorkload,
        [typeof(AiWorkloadDeletionRequested)] = AiWorkload,
        [typeof(AiWorkloadStepTimedOut)] = AiWorkload,
        [typeof(ModelAliasMoved)] = AiWorkload,
        [typeof(ModelVersionArchived)] = AiWorkload,
        [typeof(ApplyAiWorkload)] = AiWorkload,
        [typeof(DeleteAiWorkloadObjects)] = AiWorkload,
        [typeof(ScaleAiWorkload)] = AiWorkload,
        [typeof(AiWorkloadApplied)] = ClusterAgent,
        [typeof(AiWorkloadReplicasObserved)] = ClusterAgent,
        [typeof(AiWorkloadClusterStepFailed)] = ClusterAgent,
        [typeof(AiWorkloadObjectsDeleted)] = ClusterAgent,

        // The ai.gocoffee.dev custom resources: the agent hands them on, the ai-workload service has their status written.
        [typeof(AiWorkloadResourceApplied)] = ClusterAgent,
        [typeof(AiWorkloadResourceDeleted)] = ClusterAgent,
        [typeof(AiWorkloadStatusChanged)] = AiWorkload,
        [typeof(ModelRegistryResourceApplied)] = ClusterAgent,
        [typeof(ModelRegistryResourceDeleted)] = ClusterAgent,
        [typeof(ModelRegistryStatusChanged)] = AiWorkload,

        // Observability stacks: the observability service's own saga messages, its commands to the cluster-agent, the answers.
        [typeof(ObservabilityStackRequested)] = Observability,
        [typeof(ObservabilityStackDeletionRequested)] = Observability,
        [typeof(ObservabilityStackStepTimedOut)] = Observability,
        [typeof(ApplyObservabilityStack)] = Observability,
        [typeof(DeleteObservabilityStackObjects)] = Observability,
        [typeof(ObservabilityStackApplied)] = ClusterAgent,
        [typeof(ObservabilityStackStepFailed)] = ClusterAgent,
        [typeof(ObservabilityStackObjectsDeleted)] = ClusterAgent,
        [typeof(ObservabilityStackResourceApplied)] = ClusterAgent,
        [typeof(ObservabilityStackResourceDeleted)] = ClusterAgent,
        [typeof(ObservabilityStackStatusChanged)] = Observability,

        // Alerts from Alertmanager's webhook: they reach tenants' webhooks, so only the observability service's word counts.
        [typeof(AlertFired)] = Observability,
        [typeof(AlertResolved)] = Observability,
    };

    /// <summary>Every guarded message type with the service that owns it.</summary>
    public static IReadOnlyDictionary<Type, string> All => Owners;

    /// <returns>The service that alone may send <paramref name="messageType"/>, or null when any platform process may.</returns>
    public static string? OwnerOf(Type messageType) => Owners.GetValueOrDefault(messageType);
}
