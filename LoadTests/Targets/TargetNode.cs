using System.Net;

namespace Chat.LoadTests.Targets;

/// <summary>One server the clients talk to; <see cref="ProcessId"/> is set when the runner started it (so its CPU can be read).</summary>
internal sealed record TargetNode(string Name, IPEndPoint EndPoint, int? ProcessId)
{
    /// <summary>The node speaks TLS: clients use https and wss.</summary>
    public bool Tls { get; init; }

    /// <summary>Clients offer permessage-deflate to this node.</summary>
    public bool Deflate { get; init; }

    public Uri BaseUri => new($"{(Tls ? "https" : "http")}://{EndPoint}/");
}
