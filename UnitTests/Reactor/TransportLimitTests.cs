using System.Net;
using System.Net.Sockets;
using System.Threading.Channels;
using Chat.Reactor;
using Microsoft.Extensions.Logging.Abstractions;

namespace Chat.UnitTests.Reactor;

/// <summary>The connection cap at the door, on both backends over real loopback sockets.</summary>
public sealed class TransportLimitTests
{
    public static TheoryData<ReactorBackend> Backends => new() { ReactorBackend.Epoll, ReactorBackend.Sockets };

    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);
    private static readonly byte[] Refusal = "go away\n"u8.ToArray();

    [Theory, MemberData(nameof(Backends))]
    public async Task A_connection_past_the_cap_gets_the_refusal_and_is_closed_without_ever_being_reported(ReactorBackend backend)
    {
        var events = Channel.CreateUnbounded<TransportEvent>();
        var options = new ReactorOptions { Backend = backend, MaxConnections = 2, RefusalResponse = Refusal };
        await using var transport = TransportFactory.Bind(new IPEndPoint(IPAddress.Loopback, 0), options, events.Writer, NullLoggerFactory.Instance);
        transport.Start();
        using var first = await TransportTests.ConnectAsync(transport);
        using var second = await TransportTests.ConnectAsync(transport);
        var opened = new[] { await TransportTests.NextAsync(events), await TransportTests.NextAsync(events) };
        Assert.All(opened, ev => Assert.Equal(TransportEventKind.Opened, ev.Kind));

        using (var third = await TransportTests.ConnectAsync(transport))
        {
            Assert.Equal("go away\n", await TransportTests.ReadToEndAsync(third));
        }
        Assert.Equal(1, transport.RefusedCount);
        Assert.Equal(2, transport.ConnectionCount);
        Assert.False(events.Reader.TryRead(out _), "a refused connection is never reported to the pipeline");

        // A closed connection frees its slot.
        first.Shutdown(SocketShutdown.Send);
        Assert.Equal(TransportEventKind.Closed, (await TransportTests.NextAsync(events)).Kind);
        // The transport forgets a connection just after reporting it closed.
        var deadline = DateTime.UtcNow + Timeout;
        while (transport.ConnectionCount > 1 && DateTime.UtcNow < deadline) await Task.Delay(10);
        Assert.Equal(1, transport.ConnectionCount);
        using var fourth = await TransportTests.ConnectAsync(transport);
        Assert.Equal(TransportEventKind.Opened, (await TransportTests.NextAsync(events)).Kind);
        Assert.Equal(1, transport.RefusedCount);
    }

    [Fact]
    public void A_refusal_larger_than_a_fresh_send_buffer_surely_takes_is_rejected_at_start()
    {
        var options = new ReactorOptions { RefusalResponse = new byte[4097] };
        Assert.Throws<ArgumentException>(options.Validate);
    }
}
