using System.Text.Json.Nodes;

namespace GoCoffee.FakeKubernetes;

/// <summary>Namespace ("" for cluster-scoped objects) and name; ordered as lists are returned.</summary>
internal readonly record struct ObjectName(string Namespace, string Name) : IComparable<ObjectName>
{
    public int CompareTo(ObjectName other)
    {
        var byNamespace = string.CompareOrdinal(Namespace, other.Namespace);
        return byNamespace != 0 ? byNamespace : string.CompareOrdinal(Name, other.Name);
    }

    public override string ToString() => Namespace.Length == 0 ? Name : $"{Namespace}/{Name}";
}

/// <summary>
/// One stored revision of an object. <see cref="Node"/> is never changed after storing and is only read under the
/// store's lock; <see cref="Json"/> (serialised once, at write time) and <see cref="Labels"/> may be read anywhere.
/// </summary>
internal sealed record StoredObject(
    ResourceDefinition Resource,
    ObjectName Name,
    long ResourceVersion,
    JsonObject Node,
    byte[] Json,
    IReadOnlyDictionary<string, string> Labels);

internal enum ChangeType { Added, Modified, Deleted }

/// <summary>One entry of the watch history: the object as it became, and before (for selector transitions).</summary>
internal sealed record ChangeEvent(long ResourceVersion, ChangeType Type, StoredObject Object, StoredObject? Previous)
{
    public ResourceKey Key => Object.Resource.Key;
}
