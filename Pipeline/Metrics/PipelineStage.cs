namespace Chat.Pipeline.Metrics;

/// <summary>Where a connection's item was being handled when it failed: the label of chat_connection_errors_total.</summary>
internal enum PipelineStage
{
    ParseHeader,
    Handshake,
    Deframe,
    Unmask,
    Escape,
    Encode,
    Broadcast,
    /// <summary>A catching-up client's stored messages, read and sent off the broadcast worker.</summary>
    Replay,
}
