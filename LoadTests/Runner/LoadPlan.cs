namespace Chat.LoadTests.Runner;

/// <summary>
/// The timing arithmetic of a sequence of <see cref="LoadSimulation"/> phases: how many standing clients there should
/// be at a moment, when the n-th standing or injected client starts, how long the whole plan lasts.
/// </summary>
internal sealed class LoadPlan
{
    public LoadPlan(params LoadSimulation[] phases)
    {
        if (phases.Length == 0) throw new ArgumentException("a load plan needs at least one phase", nameof(phases));
        foreach (var phase in phases)
        {
            if (phase.During < TimeSpan.Zero) throw new ArgumentException($"{phase} has a negative duration", nameof(phases));
            if (phase is LoadSimulation.RampTo { Clients: < 0 } or LoadSimulation.KeepConstant { Clients: < 0 })
            {
                throw new ArgumentException($"{phase} has a negative client count", nameof(phases));
            }

            if (phase is LoadSimulation.Inject { PerSecond: <= 0 } || phase is LoadSimulation.Inject inject && !double.IsFinite(inject.PerSecond))
            {
                throw new ArgumentException($"{phase} needs a positive rate", nameof(phases));
            }
        }

        Phases = phases;
        Duration = phases.Aggregate(TimeSpan.Zero, (sum, p) => sum + p.During);
    }

    public IReadOnlyList<LoadSimulation> Phases { get; }

    public TimeSpan Duration { get; }

    /// <summary>The highest standing level any phase asks for.</summary>
    public int PeakClients => Phases.Select(p => p switch
    {
        LoadSimulation.RampTo r => r.Clients,
        LoadSimulation.KeepConstant k => k.Clients,
        _ => 0,
    }).DefaultIfEmpty(0).Max();

    /// <summary>
    /// Standing clients wanted at <paramref name="elapsed"/>: a ramp moves linearly from the previous level to its own
    /// (rounded down, so the level is reached exactly at the phase's end), a constant phase holds its level, an
    /// inject phase holds the previous level. After the plan: 0.
    /// </summary>
    public int ClientsAt(TimeSpan elapsed)
    {
        var level = 0;
        var start = TimeSpan.Zero;
        foreach (var phase in Phases)
        {
            var end = start + phase.During;
            if (elapsed < end)
            {
                return phase switch
                {
                    LoadSimulation.RampTo r => level + (int)Math.Floor((r.Clients - level) * ((elapsed - start) / phase.During)),
                    LoadSimulation.KeepConstant k => k.Clients,
                    _ => level,
                };
            }

            level = phase switch
            {
                LoadSimulation.RampTo r => r.Clients,
                LoadSimulation.KeepConstant k => k.Clients,
                _ => level,
            };
            start = end;
        }

        return 0;
    }

    /// <summary>When standing client number <paramref name="index"/> (0-based) is due: the first moment ClientsAt exceeds it.</summary>
    public TimeSpan StartOf(int index)
    {
        var level = 0;
        var start = TimeSpan.Zero;
        foreach (var phase in Phases)
        {
            switch (phase)
            {
                case LoadSimulation.RampTo r when index < r.Clients && index >= level:
                    return start + phase.During * ((index - level + 1) / (double)(r.Clients - level));
                case LoadSimulation.KeepConstant k when index < k.Clients:
                    return start;
            }

            level = phase switch
            {
                LoadSimulation.RampTo r => r.Clients,
                LoadSimulation.KeepConstant k => k.Clients,
                _ => level,
            };
            start += phase.During;
        }

        throw new ArgumentOutOfRangeException(nameof(index), $"the plan never has more than {PeakClients} standing clients");
    }

    /// <summary>When injected client number <paramref name="index"/> (0-based, over all inject phases) is due.</summary>
    public TimeSpan InjectStartOf(long index)
    {
        var start = TimeSpan.Zero;
        foreach (var phase in Phases)
        {
            if (phase is LoadSimulation.Inject inject)
            {
                var count = (long)Math.Ceiling(phase.During.TotalSeconds * inject.PerSecond);
                if (index < count) return start + TimeSpan.FromSeconds(index / inject.PerSecond);
                index -= count;
            }

            start += phase.During;
        }

        throw new ArgumentOutOfRangeException(nameof(index), "the plan injects fewer clients");
    }

    /// <summary>Clients injected by <paramref name="elapsed"/> over all inject phases: the n-th of a phase at start + n / rate.</summary>
    public long InjectedBy(TimeSpan elapsed)
    {
        long count = 0;
        var start = TimeSpan.Zero;
        foreach (var phase in Phases)
        {
            if (phase is LoadSimulation.Inject inject && elapsed > start)
            {
                var within = Math.Min((elapsed - start).TotalSeconds, phase.During.TotalSeconds);
                // The first client of a phase starts at its beginning; one that would start at its very end belongs to the next.
                count += Math.Min((long)Math.Floor(within * inject.PerSecond) + 1, (long)Math.Ceiling(phase.During.TotalSeconds * inject.PerSecond));
            }

            start += phase.During;
        }

        return count;
    }
}
