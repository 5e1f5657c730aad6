namespace Ssi.Controller.Runtime.Informers;

/// <summary>An informer whatever its type: what the manager starts and waits on.</summary>
public interface IInformer
{
    string Name { get; }

    /// <summary>Completes after the first full list has been cached.</summary>
    Task Synced { get; }

    Task RunAsync(CancellationToken cancellationToken);
}
