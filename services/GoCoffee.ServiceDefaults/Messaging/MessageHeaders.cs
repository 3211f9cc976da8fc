namespace GoCoffee.ServiceDefaults.Messaging;

public static class MessageHeaders
{
    /// <summary>The tenant a message belongs to (also in the message body where the contract has a TenantId).</summary>
    public const string TenantId = "GoCoffee-Tenant-Id";
}
