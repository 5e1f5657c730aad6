using System.Net;

namespace Ssi.Testing.FakeApiServer;

/// <summary>An API error the fake server turns into a v1 Status response.</summary>
internal sealed class FakeApiException(HttpStatusCode code, string reason, string message) : Exception(message)
{
    public HttpStatusCode Code { get; } = code;

    public string Reason { get; } = reason;
}
