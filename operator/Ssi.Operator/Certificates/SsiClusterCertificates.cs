namespace Ssi.Operator.Certificates;

/// <summary>The PEM material of one cluster: its CA (kept by the operator) and the certificate every agent presents.</summary>
internal sealed record SsiClusterCertificates(string CaCertificatePem, string CaPrivateKeyPem, string AgentCertificatePem, string AgentPrivateKeyPem);
