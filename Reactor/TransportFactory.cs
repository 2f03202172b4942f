using System.Net;
using System.Threading.Channels;
using Chat.Reactor.Epoll;
using Chat.Reactor.Sockets;
using Microsoft.Extensions.Logging;

namespace Chat.Reactor;

public static class TransportFactory
{
    /// <summary>
    /// Binds <paramref name="endPoint"/> with the backend the options ask for. Throws <see cref="System.Net.Sockets.SocketException"/>
    /// when the address cannot be bound (for example, the port is taken).
    /// </summary>
    public static ITransport Bind(IPEndPoint endPoint, ReactorOptions options, ChannelWriter<TransportEvent> events, ILoggerFactory loggerFactory)
    {
        options.Validate();
        var epoll = options.Backend switch
        {
            ReactorBackend.Epoll when !OperatingSystem.IsLinux() => throw new PlatformNotSupportedException("the epoll backend needs Linux"),
            ReactorBackend.Epoll => true,
            ReactorBackend.Sockets => false,
            _ => OperatingSystem.IsLinux(),
        };
        return epoll
            ? new EpollTransport(endPoint, options, events, loggerFactory.CreateLogger<EpollTransport>())
            : new SocketTransport(endPoint, options, events, loggerFactory.CreateLogger<SocketTransport>());
    }
}
