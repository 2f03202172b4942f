using System.Net;

namespace Chat.Reactor;

/// <summary>
/// A listening socket and the connections it accepted. Received bytes and connection events go to the channel writer
/// given at creation; the transport completes that writer when it is disposed and every connection reported Closed.
/// </summary>
public interface ITransport : IAsyncDisposable
{
    /// <summary>The bound address (with the real port when 0 was asked for).</summary>
    IPEndPoint LocalEndPoint { get; }

    ReactorBackend Backend { get; }

    /// <summary>Connections currently open.</summary>
    int ConnectionCount { get; }

    /// <summary>Connections accepted and closed at once: past <see cref="ReactorOptions.MaxConnections"/>, or shed when out of descriptors.</summary>
    long RefusedCount { get; }

    /// <summary>Starts accepting and reading.</summary>
    void Start();

    /// <summary>Stops accepting new connections; open ones keep running.</summary>
    void StopAccepting();
}
