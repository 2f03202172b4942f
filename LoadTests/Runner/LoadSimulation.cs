namespace Chat.LoadTests.Runner;

/// <summary>
/// One phase of a load plan, as NBomber names them: ramp the number of clients to a level over a time, keep a level
/// for a time, or inject new clients at a rate for a time (each injected client runs its behaviour once and leaves).
/// </summary>
internal abstract record LoadSimulation(TimeSpan During)
{
    public sealed record RampTo(int Clients, TimeSpan Over) : LoadSimulation(Over);

    public sealed record KeepConstant(int Clients, TimeSpan For) : LoadSimulation(For);

    public sealed record Inject(double PerSecond, TimeSpan For) : LoadSimulation(For);
}
