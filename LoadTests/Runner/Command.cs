namespace Chat.LoadTests.Runner;

/// <summary>What the command line asks for.</summary>
internal abstract record Command
{
    public sealed record Help : Command;

    public sealed record Run(RunOptions Options) : Command;

    public sealed record Bench(BenchOptions Options) : Command;
}
