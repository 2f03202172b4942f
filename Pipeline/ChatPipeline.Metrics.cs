using Chat.Pipeline.Metrics;

namespace Chat.Pipeline;

public sealed partial class ChatPipeline
{
    /// <summary>GET /metrics in Prometheus text format.</summary>
    public string RenderMetrics()
    {
        var m = _metrics;
        var w = new PrometheusWriter();
        w.Header("chat_node_info", "This node's name.", "gauge");
        w.Sample("chat_node_info", "node", _options.NodeName, 1);
        w.Metric("chat_connections_open", "Open TCP connections.", "gauge", _connectionCount());
        w.Metric("chat_connections_opened_total", "TCP connections accepted.", "counter", Interlocked.Read(ref m.ConnectionsOpened));
        w.Metric("chat_connections_rejected_total", "Connections refused by a connection limit.", "counter", Interlocked.Read(ref m.ConnectionsRejected));
        w.Metric("chat_connections_refused_total", "Connections accepted and closed unread at the door (past the descriptor cap, or out of descriptors).", "counter", _refusedCount());
        w.Metric("chat_websocket_sessions_total", "Successful WebSocket handshakes.", "counter", Interlocked.Read(ref m.WebSocketSessions));
        w.Metric("chat_websocket_live", "WebSocket clients receiving live messages.", "gauge", _broadcast.LiveCount);
        w.Metric("chat_http_requests_total", "Complete HTTP request heads.", "counter", Interlocked.Read(ref m.HttpRequests));
        w.Metric("chat_messages_received_total", "Valid chat messages received.", "counter", Interlocked.Read(ref m.MessagesReceived));
        w.Metric("chat_messages_rejected_total", "Chat messages answered with an error frame.", "counter", Interlocked.Read(ref m.MessagesRejected));
        w.Metric("chat_messages_stored_total", "Chat messages committed to the store.", "counter", Interlocked.Read(ref m.MessagesStored));
        w.Metric("chat_messages_broadcast_total", "Chat messages broadcast.", "counter", Interlocked.Read(ref m.MessagesBroadcast));
        w.Metric("chat_frames_delivered_total", "Chat frames queued to clients (messages out).", "counter", Interlocked.Read(ref m.FramesDelivered));
        w.Metric("chat_messages_replayed_total", "Stored messages replayed to reconnecting clients.", "counter", Interlocked.Read(ref m.ReplayedMessages));
        w.Metric("chat_bytes_received_total", "Bytes read from sockets.", "counter", Interlocked.Read(ref m.BytesReceived));
        w.Metric("chat_bytes_queued_total", "Bytes of chat frames queued to clients.", "counter", Interlocked.Read(ref m.BytesQueued));
        w.Metric("chat_slow_consumers_dropped_total", "Clients closed (1008) for a send queue past the high-water mark.", "counter", Interlocked.Read(ref m.SlowConsumersDropped));
        w.Metric("chat_protocol_errors_total", "WebSocket connections closed for a protocol violation.", "counter", Interlocked.Read(ref m.ProtocolErrors));
        m.ConnectionErrors.WriteTo(w);
        w.Metric("chat_persist_failures_total", "Failed store appends (each retried).", "counter", Interlocked.Read(ref m.PersistFailures));
        w.Metric("chat_cluster_messages_total", "Messages committed by other nodes and delivered here.", "counter", Interlocked.Read(ref m.ForeignMessages));
        w.Metric("chat_signals_received_total", "Signalling messages (webRTC-*) accepted for relay.", "counter", Interlocked.Read(ref m.SignalsReceived));
        w.Metric("chat_signals_relayed_total", "Signalling frames queued to the other connections of a room.", "counter", Interlocked.Read(ref m.SignalsRelayed));
        w.Metric("chat_signals_dropped_total", "Signalling messages not sent to other nodes (over the NOTIFY payload limit, or the node overloaded).", "counter", Interlocked.Read(ref m.SignalsDropped));
        m.ClusterLagSeconds.WriteTo(w, "chat_cluster_delivery_lag_seconds", "From a message's timestamp on another node to its delivery here.");
        m.BatchSize.WriteTo(w, "chat_persist_batch_size", "Messages per committed batch.");
        m.CommitSeconds.WriteTo(w, "chat_persist_commit_seconds", "Time from the start of an append to its commit.");
        w.Header("chat_stage_queue_depth", "Items waiting in front of each stage.", "gauge");
        foreach (var stage in _stages) w.Sample("chat_stage_queue_depth", "stage", stage.MetricLabel, stage.QueueDepth());
        w.Metric("chat_store_healthy", "1 while the store answers and batches commit.", "gauge", _health.PersistFailing ? 0 : 1);
        w.Metric("process_managed_heap_bytes", "Managed heap size after the last GC.", "gauge", GC.GetGCMemoryInfo().HeapSizeBytes);
        // Unlike the heap size above, also meaningful before the first GC (a quiet server may not have had one).
        w.Metric("process_managed_memory_bytes", "Managed memory in use now, garbage not yet collected included.", "gauge", GC.GetTotalMemory(false));
        w.Metric("process_allocated_bytes_total", "Bytes allocated by the process since start.", "counter", GC.GetTotalAllocatedBytes());
        w.Metric("process_gc_collections_total", "Gen0 collections since start.", "counter", GC.CollectionCount(0));
        // Each wake-up of an idle stage worker is one work item: divided by the messages received, the hops per message.
        w.Metric("process_threadpool_work_items_total", "Thread-pool work items completed since start.", "counter", ThreadPool.CompletedWorkItemCount);
        w.Metric("process_working_set_bytes", "Resident set size.", "gauge", Environment.WorkingSet);
        return w.ToString();
    }
}
