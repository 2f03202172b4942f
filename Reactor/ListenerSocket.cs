using System.Net;
using System.Net.Sockets;

namespace Chat.Reactor;

/// <summary>
/// The listening socket of either transport, set up one way: bound with the runtime's default socket options (no
/// SO_REUSEPORT: one process owns the port), listening with <see cref="ReactorOptions.Backlog"/>, and non-blocking
/// when the transport polls it itself. With it go what its accept path needs when descriptors run out: the spare
/// descriptor and the back-off. One accept loop uses it.
/// </summary>
internal sealed class ListenerSocket : IDisposable
{
    private ListenerSocket(Socket socket)
    {
        Socket = socket;
        LocalEndPoint = (IPEndPoint)socket.LocalEndPoint!;
    }

    public Socket Socket { get; }

    /// <summary>The bound address; the port the OS chose when asked for port 0.</summary>
    public IPEndPoint LocalEndPoint { get; }

    /// <summary>The descriptor, for a transport that accepts with its own system calls.</summary>
    public int Descriptor => (int)Socket.Handle;

    /// <summary>Freed to shed the backlog's head when accept fails with EMFILE.</summary>
    public SpareDescriptor Spare { get; } = new();

    /// <summary>The pause after an accept that failed for want of resources.</summary>
    public AcceptBackoff Backoff { get; } = new();

    /// <param name="endPoint">Where to listen; port 0 lets the OS choose.</param>
    /// <param name="backlog">The accept queue's length (<see cref="ReactorOptions.Backlog"/>).</param>
    /// <param name="blocking">False for a transport that waits for readiness itself (epoll) and accepts until EAGAIN.</param>
    public static ListenerSocket Open(IPEndPoint endPoint, int backlog, bool blocking)
    {
        var socket = new Socket(endPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            socket.Bind(endPoint);
            socket.Listen(backlog);
            if (!blocking)
            {
                socket.Blocking = false;
            }

            return new ListenerSocket(socket);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>Closes the listening socket: the port is free and pending peers are reset. The spare stays held.</summary>
    public void StopListening() => Socket.Dispose();

    /// <summary>Closes the socket and gives the spare descriptor back, once no accept can run any more.</summary>
    public void Dispose()
    {
        Socket.Dispose();
        Spare.Dispose();
    }
}
