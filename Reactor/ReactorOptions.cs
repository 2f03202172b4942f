namespace Chat.Reactor;

/// <summary>Limits and switches of the socket layer, validated once at start-up.</summary>
public sealed class ReactorOptions
{
    /// <summary>Which backend runs the sockets. Default <see cref="ReactorBackend.Auto"/>: epoll on Linux, sockets elsewhere.</summary>
    public ReactorBackend Backend { get; init; } = ReactorBackend.Auto;

    /// <summary>Number of event loops (epoll backend). Default: one per core.</summary>
    public int EventLoops { get; init; } = Environment.ProcessorCount;

    /// <summary>Bytes rented per read, returned as soon as the pipeline consumed them. Default 4 KiB.</summary>
    public int ReceiveBufferSize { get; init; } = 4096;

    /// <summary>
    /// Queued outbound bytes per connection past which a send is refused (<see cref="SendResult.Dropped"/>) so that one
    /// slow reader cannot grow memory without bound. Default 1 MiB.
    /// </summary>
    public long HighWaterMark { get; init; } = 1024 * 1024;

    /// <summary>
    /// Cork per receiver (uWebSockets' idea, bounded in time): a connection writes at most once per this interval, so
    /// the frames queued for it meanwhile leave together in one writev. A frame that finds the connection quiet for
    /// longer leaves at once; no frame waits longer than this. Epoll backend only. Default zero: a connection writes
    /// once per loop turn with whatever is queued, which at 150k-400k deliveries/s already carries 6-12 frames per
    /// writev, and a delay of 1-2 ms saved no CPU there but lengthened the tail (README, "Cork per receiver").
    /// </summary>
    public TimeSpan FlushDelay { get; init; } = TimeSpan.Zero;

    /// <summary>How long a closing connection may take to flush its last bytes and see the peer's FIN. Default 5 s.</summary>
    public TimeSpan CloseTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Listen backlog. Default 4096 (raised further by the kernel's somaxconn only).</summary>
    public int Backlog { get; init; } = 4096;

    /// <summary>
    /// Open connections at most; a connection accepted past it gets <see cref="RefusalResponse"/> and is closed at once,
    /// unread. 0: no cap. Default 0 (the host derives its default from <see cref="DescriptorBudget"/>).
    /// </summary>
    public int MaxConnections { get; init; }

    /// <summary>
    /// Bytes written to a connection refused at <see cref="MaxConnections"/> before it is closed (the host gives an
    /// HTTP 503; the reactor knows no protocol). Must fit a fresh socket's send buffer: at most 4096 bytes. Default: none.
    /// </summary>
    public ReadOnlyMemory<byte> RefusalResponse { get; init; }

    public void Validate()
    {
        if (EventLoops < 1 || EventLoops > 256) throw new ArgumentException($"EventLoops must be 1..256, got {EventLoops}");
        if (ReceiveBufferSize < 256 || ReceiveBufferSize > 1 << 20) throw new ArgumentException($"ReceiveBufferSize must be 256..1048576 bytes, got {ReceiveBufferSize}");
        if (HighWaterMark < 4096) throw new ArgumentException($"HighWaterMark must be at least 4096 bytes, got {HighWaterMark}");
        if (FlushDelay < TimeSpan.Zero || FlushDelay > TimeSpan.FromMilliseconds(100)) throw new ArgumentException($"FlushDelay must be 0..100000 µs, got {FlushDelay.TotalMicroseconds} µs");
        if (CloseTimeout <= TimeSpan.Zero) throw new ArgumentException("CloseTimeout must be positive");
        if (MaxConnections < 0) throw new ArgumentException($"MaxConnections must not be negative, got {MaxConnections}");
        if (RefusalResponse.Length > 4096) throw new ArgumentException($"RefusalResponse must be at most 4096 bytes, got {RefusalResponse.Length}");
        if (Backlog < 1) throw new ArgumentException($"Backlog must be positive, got {Backlog}");
    }
}
