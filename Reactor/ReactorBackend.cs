namespace Chat.Reactor;

public enum ReactorBackend
{
    /// <summary>epoll where the OS has it, sockets elsewhere.</summary>
    Auto,
    /// <summary>Our own epoll event loops (Linux only).</summary>
    Epoll,
    /// <summary>Portable backend on <see cref="System.Net.Sockets.Socket"/> async operations.</summary>
    Sockets,
}
