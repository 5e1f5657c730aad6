using Ssi.Controller.Runtime.Client;

namespace Ssi.Controller.Runtime.Reconciling;

/// <summary>Brings one object's world to its desired state. Gets a key, never an event; reads from the cache.</summary>
public interface IReconciler<T>
{
    Task<ReconcileResult> ReconcileAsync(ObjectKey key, CancellationToken cancellationToken);
}
