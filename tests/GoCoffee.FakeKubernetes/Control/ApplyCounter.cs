using System.Collections.Concurrent;

namespace GoCoffee.FakeKubernetes;

/// <summary>One object (or one of its subresources) as server-side applies address it.</summary>
public sealed record AppliedObject(string Group, string Resource, string? Namespace, string Name, string? Subresource)
{
    public override string ToString() =>
        $"{FakeFailure.Qualified(Resource, Group)} {(Namespace is null ? "" : Namespace + "/")}{Name}{(Subresource is null ? "" : "/" + Subresource)}";
}

/// <summary>Counts the server-side applies the server carried out (not dry runs, not refused ones), per object.</summary>
internal sealed class ApplyCounter
{
    private readonly ConcurrentDictionary<AppliedObject, int> _counts = new();

    public void Count(AppliedObject target) => _counts.AddOrUpdate(target, 1, (_, count) => count + 1);

    public IReadOnlyDictionary<AppliedObject, int> Snapshot => new Dictionary<AppliedObject, int>(_counts);

    public void Clear() => _counts.Clear();
}
