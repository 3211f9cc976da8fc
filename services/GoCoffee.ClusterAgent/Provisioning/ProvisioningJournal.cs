using System.Text.Json.Nodes;
using GoCoffee.ClusterAgent.Objects;
using GoCoffee.ClusterAgent.Targets;
using GoCoffee.Contracts;

namespace GoCoffee.ClusterAgent.Provisioning;

/// <summary>
/// One provisioning run: applies objects in order and remembers which ones the run created, so a failed run removes
/// exactly those and never an object that existed before it (a redelivered command, or an earlier plan's namespace).
/// Every object is marked with the command's message id (<see cref="PlatformLabels.AppliedByCommand"/>), so a command
/// delivered again skips what it already applied instead of applying it a second time.
/// </summary>
internal sealed class ProvisioningJournal(IClusterTarget target, string tenantId, Guid? commandId, ILogger logger)
{
    private readonly List<ClusterObjectRef> _created = [];
    private readonly List<ClusterObjectRef> _applied = [];

    public IReadOnlyList<ClusterObjectRef> Applied => _applied;

    public async Task Apply(JsonObject manifest, CancellationToken cancellationToken)
    {
        var reference = manifest.Reference();
        if (commandId is { } id)
        {
            manifest.ForCommand(id);
        }

        var outcome = await target.ApplyAsync(manifest, cancellationToken);
        if (outcome == ApplyOutcome.Created)
        {
            _created.Add(reference);
        }

        _applied.Add(reference);
        logger.LogDebug("{ClusterObject} {Outcome}", reference, outcome);
    }

    /// <summary>
    /// Removes what this run created, newest first. Best effort: an object that cannot be removed is logged and left
    /// out of the answer, so the failure report says exactly what is gone.
    /// </summary>
    public async Task<IReadOnlyList<ClusterObjectRef>> Undo(CancellationToken cancellationToken)
    {
        var removed = new List<ClusterObjectRef>();
        for (var i = _created.Count - 1; i >= 0; i--)
        {
            var reference = _created[i];
            try
            {
                if (await target.DeleteAsync(reference, tenantId, cancellationToken) == DeleteOutcome.Deleted)
                {
                    removed.Add(reference);
                }
            }
            catch (ClusterRequestFailedException ex)
            {
                logger.LogError("Could not remove {ClusterObject} after a failed provisioning: {StatusCode} {Reason}", reference, ex.StatusCode, ex.Reason);
            }
        }

        return removed;
    }
}
