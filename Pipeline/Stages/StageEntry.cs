namespace Chat.Pipeline.Stages;

/// <summary>
/// One row of the pipeline's table of stages: its name (the supervisor's log and, with '_', the queue-depth metric's
/// label), the depth of the channel in front of it, and its worker. Start, drain and metrics all read the table, so
/// a new stage is one row.
/// </summary>
internal readonly record struct StageEntry(string Name, Func<int> QueueDepth, Func<Task> Run)
{
    public string MetricLabel => Name.Replace('-', '_');
}
