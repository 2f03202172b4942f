using Chat.LoadTests.Runner;

namespace Chat.UnitTests.LoadTests;

public sealed class LoadPlanTests
{
    private static TimeSpan S(double seconds) => TimeSpan.FromSeconds(seconds);

    [Fact]
    public void Ramp_moves_linearly_to_its_level_and_keep_constant_holds_it()
    {
        var plan = new LoadPlan(new LoadSimulation.RampTo(100, S(10)), new LoadSimulation.KeepConstant(100, S(20)));

        Assert.Equal(S(30), plan.Duration);
        Assert.Equal(0, plan.ClientsAt(S(0)));
        Assert.Equal(25, plan.ClientsAt(S(2.5)));
        Assert.Equal(99, plan.ClientsAt(S(9.999)));
        Assert.Equal(100, plan.ClientsAt(S(10)));
        Assert.Equal(100, plan.ClientsAt(S(29.9)));
        Assert.Equal(0, plan.ClientsAt(S(30)));
    }

    [Fact]
    public void A_second_ramp_starts_from_the_level_of_the_first()
    {
        var plan = new LoadPlan(new LoadSimulation.RampTo(10, S(1)), new LoadSimulation.RampTo(50, S(4)), new LoadSimulation.RampTo(0, S(5)));

        Assert.Equal(20, plan.ClientsAt(S(2)));
        Assert.Equal(50, plan.ClientsAt(S(5)));
        Assert.Equal(25, plan.ClientsAt(S(7.5)));
        Assert.Equal(50, plan.PeakClients);
    }

    [Fact]
    public void Client_n_of_a_ramp_starts_when_the_level_first_exceeds_n()
    {
        var plan = new LoadPlan(new LoadSimulation.RampTo(4, S(2)), new LoadSimulation.RampTo(8, S(4)));

        Assert.Equal(S(0.5), plan.StartOf(0));
        Assert.Equal(S(2), plan.StartOf(3));
        Assert.Equal(S(3), plan.StartOf(4));
        Assert.Equal(S(6), plan.StartOf(7));
        for (var i = 0; i < 7; i++) Assert.True(plan.ClientsAt(plan.StartOf(i) + TimeSpan.FromTicks(1)) > i);
        Assert.Throws<ArgumentOutOfRangeException>(() => plan.StartOf(8));
    }

    [Fact]
    public void Keep_constant_starts_all_its_clients_at_its_beginning()
    {
        var plan = new LoadPlan(new LoadSimulation.KeepConstant(3, S(5)));

        Assert.Equal(TimeSpan.Zero, plan.StartOf(2));
    }

    [Fact]
    public void Inject_counts_one_client_per_period_from_the_phase_start()
    {
        var plan = new LoadPlan(new LoadSimulation.KeepConstant(0, S(1)), new LoadSimulation.Inject(2, S(5)));

        Assert.Equal(0, plan.InjectedBy(S(1)));
        Assert.Equal(1, plan.InjectedBy(S(1.1)));
        Assert.Equal(2, plan.InjectedBy(S(1.5)));
        Assert.Equal(10, plan.InjectedBy(S(5.99)));
        Assert.Equal(10, plan.InjectedBy(S(60)));
    }

    [Fact]
    public void Injected_client_n_starts_when_the_injected_count_first_exceeds_n()
    {
        var plan = new LoadPlan(new LoadSimulation.Inject(4, S(1)), new LoadSimulation.KeepConstant(0, S(1)), new LoadSimulation.Inject(2, S(1)));

        Assert.Equal(TimeSpan.Zero, plan.InjectStartOf(0));
        Assert.Equal(S(0.75), plan.InjectStartOf(3));
        Assert.Equal(S(2), plan.InjectStartOf(4));
        Assert.Equal(S(2.5), plan.InjectStartOf(5));
        for (var i = 0; i < 6; i++) Assert.True(plan.InjectedBy(plan.InjectStartOf(i) + TimeSpan.FromTicks(1)) > i);
        Assert.Throws<ArgumentOutOfRangeException>(() => plan.InjectStartOf(6));
    }

    [Fact]
    public void Phases_with_negative_counts_times_or_rates_are_refused()
    {
        Assert.Throws<ArgumentException>(() => new LoadPlan());
        Assert.Throws<ArgumentException>(() => new LoadPlan(new LoadSimulation.RampTo(-1, S(1))));
        Assert.Throws<ArgumentException>(() => new LoadPlan(new LoadSimulation.KeepConstant(1, S(-1))));
        Assert.Throws<ArgumentException>(() => new LoadPlan(new LoadSimulation.Inject(0, S(1))));
        Assert.Throws<ArgumentException>(() => new LoadPlan(new LoadSimulation.Inject(double.PositiveInfinity, S(1))));
    }

    [Fact]
    public void Send_schedule_makes_message_k_due_at_k_over_the_rate()
    {
        var schedule = new SendSchedule(20);

        Assert.Equal(TimeSpan.Zero, schedule.DueAt(0));
        Assert.Equal(S(0.5), schedule.DueAt(10));
        Assert.Equal(0, schedule.DueBy(S(-1)));
        Assert.Equal(1, schedule.DueBy(S(0)));
        Assert.Equal(11, schedule.DueBy(S(0.5)));
        Assert.Equal(200, schedule.DueBy(S(9.99)));
    }
}
