using k8s;
using k8s.Models;
using Microsoft.Extensions.Logging;

namespace Ssi.Controller.Runtime.Events;

/// <summary>Kubernetes Events (core v1) about an object, best effort: a failure to record is logged, never thrown.</summary>
public sealed partial class EventRecorder(IKubernetes client, TimeProvider time, ILogger<EventRecorder> logger, string component = "ssi-operator")
{
    public const string Normal = "Normal";
    public const string Warning = "Warning";

    public async Task RecordAsync(IKubernetesObject<V1ObjectMeta> obj, string type, string reason, string message, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow().UtcDateTime;
        var ns = obj.Metadata.NamespaceProperty ?? "default";
        var e = new Corev1Event
        {
            Metadata = new V1ObjectMeta { Name = $"{obj.Metadata.Name}.{Convert.ToHexStringLower(BitConverter.GetBytes(now.Ticks ^ Random.Shared.NextInt64()))}", NamespaceProperty = ns },
            InvolvedObject = new V1ObjectReference
            {
                ApiVersion = obj.ApiVersion,
                Kind = obj.Kind,
                Name = obj.Metadata.Name,
                NamespaceProperty = obj.Metadata.NamespaceProperty,
                Uid = obj.Metadata.Uid,
                ResourceVersion = obj.Metadata.ResourceVersion,
            },
            Reason = reason,
            Message = message,
            Type = type,
            Source = new V1EventSource { Component = component },
            ReportingComponent = component,
            ReportingInstance = Environment.MachineName,
            FirstTimestamp = now,
            LastTimestamp = now,
            Count = 1,
        };
        try
        {
            await client.CoreV1.CreateNamespacedEventAsync(e, ns, cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogFailed(logger, reason, obj.Metadata.Name, ex);
        }
    }

    [LoggerMessage(EventId = 1030, Level = LogLevel.Debug, Message = "Could not record event {Reason} on {Name}")]
    private static partial void LogFailed(ILogger logger, string reason, string name, Exception exception);
}
