namespace Chat.LoadTests.Scenarios;

/// <summary>The load of one fan-out round: clients, how many of them send, the total send rate, comment length, times.</summary>
internal sealed record FanoutShape(int Clients, int Senders, double Rate, int CommentLength, TimeSpan Duration, TimeSpan Ramp)
{
    /// <summary>Deliveries per second the shape asks for: every message goes to every client.</summary>
    public double OfferedDeliveries => Rate * Clients;
}
