using System.Globalization;
using System.Text;

namespace Chat.LoadTests.KestrelBaseline;

/// <summary>A few Prometheus counters, named like our server's so the load runner reads both alike.</summary>
internal sealed class BaselineMetrics
{
    private long _connectionsOpen;
    private long _sessions;
    private long _received;
    private long _rejected;
    private long _stored;
    private long _delivered;
    private long _slowConsumers;

    public void Connected()
    {
        Interlocked.Increment(ref _connectionsOpen);
        Interlocked.Increment(ref _sessions);
    }

    public void Disconnected() => Interlocked.Decrement(ref _connectionsOpen);

    public void Received() => Interlocked.Increment(ref _received);

    public void Rejected() => Interlocked.Increment(ref _rejected);

    public void Stored() => Interlocked.Increment(ref _stored);

    public void Delivered() => Interlocked.Increment(ref _delivered);

    public void SlowConsumerDropped() => Interlocked.Increment(ref _slowConsumers);

    public string ToPrometheusText()
    {
        var text = new StringBuilder(1024);
        Write(text, "chat_connections_open", "Open WebSocket connections.", "gauge", Interlocked.Read(ref _connectionsOpen));
        Write(text, "chat_websocket_sessions_total", "Successful WebSocket handshakes.", "counter", Interlocked.Read(ref _sessions));
        Write(text, "chat_messages_received_total", "Valid chat messages received.", "counter", Interlocked.Read(ref _received));
        Write(text, "chat_messages_rejected_total", "Chat messages answered with an error frame.", "counter", Interlocked.Read(ref _rejected));
        Write(text, "chat_messages_stored_total", "Chat messages stored and broadcast.", "counter", Interlocked.Read(ref _stored));
        Write(text, "chat_frames_delivered_total", "Chat frames sent to clients (messages out).", "counter", Interlocked.Read(ref _delivered));
        Write(text, "chat_slow_consumers_dropped_total", "Clients aborted for a full send queue.", "counter", Interlocked.Read(ref _slowConsumers));
        Write(text, "process_managed_heap_bytes", "Managed heap size after the last GC.", "gauge", GC.GetGCMemoryInfo().HeapSizeBytes);
        Write(text, "process_working_set_bytes", "Resident set size.", "gauge", Environment.WorkingSet);
        return text.ToString();
    }

    private static void Write(StringBuilder text, string name, string help, string type, long value) => text
        .Append("# HELP ").Append(name).Append(' ').Append(help).Append('\n')
        .Append("# TYPE ").Append(name).Append(' ').Append(type).Append('\n')
        .Append(name).Append(' ').Append(value.ToString(CultureInfo.InvariantCulture)).Append('\n');
}
