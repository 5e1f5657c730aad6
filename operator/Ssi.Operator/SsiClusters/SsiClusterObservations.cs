using k8s.Models;
using Ssi.Api.Validation;
using Ssi.Orchestration.Agents;

namespace Ssi.Operator.SsiClusters;

/// <summary>What the reconciler saw of a cluster's world, the input of the status.</summary>
internal sealed record SsiClusterObservations(IReadOnlyList<FieldError> SpecErrors, V1DaemonSet? DaemonSet, IReadOnlyList<NodeHealth> Nodes)
{
    public static SsiClusterObservations Invalid(IReadOnlyList<FieldError> errors) => new(errors, null, []);
}
