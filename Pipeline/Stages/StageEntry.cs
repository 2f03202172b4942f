namespace Chat.Pipeline.Stages;

/// <summary>
/// One row of the pipeline's table of stages: its name (the supervisor's log and, with '_', the metrics' label), the
/// depth of the channel in front of it, its worker, and how often the stage before it ran it inline
/// (<see cref="StageInbox{T}"/>; always 0 for a stage that only its worker runs). Start, drain and metrics all read
/// the table, so a new stage is one row.
/// </summary>
internal readonly record struct StageEntry(string Name, Func<int> QueueDepth, Func<Task> Run, Func<long> InlineRuns)
{
    public string MetricLabel => Name.Replace('-', '_');
}
