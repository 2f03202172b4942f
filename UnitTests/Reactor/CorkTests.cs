using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Threading.Channels;
using Chat.Reactor;
using Microsoft.Extensions.Logging.Abstractions;

namespace Chat.UnitTests.Reactor;

/// <summary>
/// The epoll backend's cork (<see cref="ReactorOptions.FlushDelay"/>) over real loopback sockets: frames queued while a
/// connection wrote less than the delay ago wait for it and then leave together in one write.
/// </summary>
public sealed class CorkTests
{
    private static readonly TimeSpan Delay = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task Frames_queued_within_the_delay_of_the_last_write_wait_for_it_and_leave_in_one_write()
    {
        var events = Channel.CreateBounded<TransportEvent>(64);
        await using var transport = TransportFactory.Bind(new IPEndPoint(IPAddress.Loopback, 0),
            new ReactorOptions { Backend = ReactorBackend.Epoll, EventLoops = 1, FlushDelay = Delay }, events.Writer, NullLoggerFactory.Instance);
        transport.Start();
        using var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await client.ConnectAsync(transport.LocalEndPoint);
        using var timeout = new CancellationTokenSource(Timeout);
        var connection = (await events.Reader.ReadAsync(timeout.Token)).Connection;

        var clock = Stopwatch.StartNew();
        Send(connection, "a");
        Assert.Equal("a", await ReceiveAsync(client, 1, timeout.Token));
        foreach (var frame in "bcdefghij") Send(connection, frame.ToString());
        var rest = await ReceiveOnceAsync(client, timeout.Token);
        var arrived = clock.Elapsed;

        // The first write happened after the clock started, and the next may not come before the delay after it.
        Assert.True(arrived >= Delay - TimeSpan.FromMilliseconds(1), $"corked frames arrived after {arrived.TotalMilliseconds} ms");
        Assert.Equal("bcdefghij", rest);
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(100_001)]
    public void A_flush_delay_outside_0_to_100_ms_is_refused(int microseconds)
    {
        var options = new ReactorOptions { FlushDelay = TimeSpan.FromMicroseconds(microseconds) };
        Assert.Contains("FlushDelay", Assert.Throws<ArgumentException>(options.Validate).Message, StringComparison.Ordinal);
    }

    private static void Send(Connection connection, string text)
    {
        var buffer = SharedBuffer.Rent(text.Length);
        Encoding.ASCII.GetBytes(text, buffer.Span);
        Assert.Equal(SendResult.Accepted, connection.Send(buffer, 0, text.Length));
        buffer.Release();
    }

    private static async Task<string> ReceiveAsync(Socket socket, int length, CancellationToken cancellation)
    {
        var text = new StringBuilder();
        while (text.Length < length) text.Append(await ReceiveOnceAsync(socket, cancellation));
        return text.ToString();
    }

    /// <summary>One receive call: what one write of the server put on the wire arrives in one piece on loopback.</summary>
    private static async Task<string> ReceiveOnceAsync(Socket socket, CancellationToken cancellation)
    {
        var chunk = new byte[4096];
        var n = await socket.ReceiveAsync(chunk, SocketFlags.None, cancellation);
        return Encoding.ASCII.GetString(chunk, 0, n);
    }
}
