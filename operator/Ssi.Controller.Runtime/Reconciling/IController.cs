namespace Ssi.Controller.Runtime.Reconciling;

/// <summary>A controller whatever its type: what the manager runs.</summary>
public interface IController
{
    string Name { get; }

    Task RunAsync(CancellationToken cancellationToken);
}
