using GoCoffee.Contracts;

namespace GoCoffee.ClusterAgent.Deletion;

public static class DeletionOrder
{
    /// <summary>
    /// Objects inside namespaces first, then cluster-scoped ones, namespaces last: removing a namespace removes its
    /// contents without the label check, so everything in it gets its own check first. Otherwise the order is kept.
    /// </summary>
    public static IReadOnlyList<ClusterObjectRef> Sort(IEnumerable<ClusterObjectRef> objects) =>
        objects.Distinct()
            .Select((reference, index) => (reference, index))
            .OrderBy(entry => entry.reference.Namespace is not null ? 0 : entry.reference.Kind == "Namespace" ? 2 : 1)
            .ThenBy(entry => entry.index)
            .Select(entry => entry.reference)
            .ToList();
}
