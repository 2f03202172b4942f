namespace Chat.LoadTests.Scenarios;

/// <summary>The load of one fan-out round: clients, how many of them send, the total send rate, comment length, times.</summary>
internal sealed record FanoutShape(int Clients, int Senders, double Rate, int CommentLength, TimeSpan Duration, TimeSpan Ramp)
{
    /// <summary>
    /// Deliveries per second the shape asks for: client i is in room i mod <paramref name="rooms"/>, and sender s's
    /// share of the rate goes to every client of its room (with one room, to every client).
    /// </summary>
    public double OfferedDeliveries(int rooms = 1)
    {
        if (Senders == 0) return 0;
        long receivers = 0;
        for (var s = 0; s < Senders; s++) receivers += (Clients - s % rooms + rooms - 1) / rooms;
        return Rate / Senders * receivers;
    }
}
