using System.Net;
using System.Net.Sockets;
using Chat.Reactor;
using Xunit;

namespace Chat.UnitTests.Reactor;

/// <summary>The one listener set-up of both transports, over real loopback sockets.</summary>
public sealed class ListenerSocketTests
{
    private static readonly IPEndPoint AnyPort = new(IPAddress.Loopback, 0);
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Port_zero_is_bound_to_a_free_port_that_accepts_connections()
    {
        using var listener = ListenerSocket.Open(AnyPort, backlog: 8, blocking: true);
        Assert.NotEqual(0, listener.LocalEndPoint.Port);
        Assert.Equal(IPAddress.Loopback, listener.LocalEndPoint.Address);

        using var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await client.ConnectAsync(listener.LocalEndPoint).WaitAsync(Timeout);
        using var accepted = await listener.Socket.AcceptAsync().WaitAsync(Timeout);

        Assert.Equal(client.LocalEndPoint, accepted.RemoteEndPoint);
    }

    [Fact]
    public void A_non_blocking_listener_says_would_block_when_no_peer_waits()
    {
        using var listener = ListenerSocket.Open(AnyPort, backlog: 8, blocking: false);

        Assert.False(listener.Socket.Blocking);
        Assert.Equal((int)listener.Socket.Handle, listener.Descriptor);
        var refused = Assert.Throws<SocketException>(() => listener.Socket.Accept());
        Assert.Equal(SocketError.WouldBlock, refused.SocketErrorCode);
    }

    [Fact]
    public void A_blocking_listener_stays_blocking()
    {
        using var listener = ListenerSocket.Open(AnyPort, backlog: 8, blocking: true);

        Assert.True(listener.Socket.Blocking);
    }

    [Fact]
    public void A_port_already_listened_on_is_refused_with_AddressAlreadyInUse()
    {
        using var first = ListenerSocket.Open(AnyPort, backlog: 8, blocking: true);

        var refused = Assert.Throws<SocketException>(() => ListenerSocket.Open(first.LocalEndPoint, backlog: 8, blocking: true));
        Assert.Equal(SocketError.AddressAlreadyInUse, refused.SocketErrorCode);
    }

    [Fact]
    public async Task Stop_listening_frees_the_port_and_keeps_the_spare_until_dispose()
    {
        var listener = ListenerSocket.Open(AnyPort, backlog: 8, blocking: true);
        var heldAtFirst = listener.Spare.Held;

        listener.StopListening();

        Assert.Equal(OperatingSystem.IsLinux(), heldAtFirst);
        Assert.Equal(heldAtFirst, listener.Spare.Held);
        using (var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp))
        {
            var refused = await Assert.ThrowsAsync<SocketException>(() => client.ConnectAsync(listener.LocalEndPoint).WaitAsync(Timeout));
            Assert.Equal(SocketError.ConnectionRefused, refused.SocketErrorCode);
        }

        using (var again = ListenerSocket.Open(listener.LocalEndPoint, backlog: 8, blocking: true))
        {
            Assert.Equal(listener.LocalEndPoint, again.LocalEndPoint);
        }

        listener.Dispose();
        Assert.False(listener.Spare.Held);
    }

    [Fact]
    public void A_fresh_back_off_starts_at_its_first_pause()
    {
        using var listener = ListenerSocket.Open(AnyPort, backlog: 8, blocking: true);

        Assert.Equal(AcceptBackoff.First, listener.Backoff.Failed());
    }
}
