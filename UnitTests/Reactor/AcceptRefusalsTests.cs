using System.Net.Sockets;
using Chat.Reactor;
using Chat.UnitTests.Pipeline;
using Xunit;

namespace Chat.UnitTests.Reactor;

/// <summary>How both transports judge, count and log what they turn away at the door.</summary>
public sealed class AcceptRefusalsTests
{
    // Far below any open-file limit, so only the cap decides.
    private const long LowDescriptor = 3;

    [Fact]
    public void A_connection_at_the_cap_is_refused_and_one_below_it_admitted()
    {
        var refusals = new AcceptRefusals(new ReactorOptions { MaxConnections = 2 }, new CountingLoggerProvider().CreateLogger("test"));

        Assert.Equal(AcceptVerdict.Admit, refusals.Judge(LowDescriptor, open: 1));
        Assert.Equal(AcceptVerdict.AtCap, refusals.Judge(LowDescriptor, open: 2));
        Assert.Equal(AcceptVerdict.AtCap, refusals.Judge(long.MaxValue, open: 3));
    }

    [Fact]
    public void Without_a_cap_any_number_of_connections_is_admitted()
    {
        var refusals = new AcceptRefusals(new ReactorOptions { MaxConnections = 0 }, new CountingLoggerProvider().CreateLogger("test"));

        Assert.Equal(AcceptVerdict.Admit, refusals.Judge(LowDescriptor, open: 1_000_000));
    }

    [Fact]
    public void A_descriptor_within_the_headroom_of_the_open_file_limit_is_refused_on_Linux()
    {
        var refusals = new AcceptRefusals(new ReactorOptions { MaxConnections = 0 }, new CountingLoggerProvider().CreateLogger("test"));

        var expected = OperatingSystem.IsLinux() ? AcceptVerdict.InHeadroom : AcceptVerdict.Admit;
        Assert.Equal(expected, refusals.Judge(long.MaxValue, open: 0));
    }

    [Fact]
    public void Every_refusal_is_counted_and_each_kind_logged_under_its_own_event()
    {
        var log = new CountingLoggerProvider();
        var refusals = new AcceptRefusals(new ReactorOptions { MaxConnections = 1 }, log.CreateLogger("test"));

        refusals.Record(AcceptVerdict.AtCap, LowDescriptor, open: 1);
        refusals.Record(AcceptVerdict.InHeadroom, long.MaxValue, open: 0);
        refusals.Record(AcceptVerdict.Shed, LowDescriptor, open: 0);
        refusals.AcceptFailed(SocketError.TooManyOpenSockets, AcceptBackoff.First);

        Assert.Equal(3, refusals.Refused);
        Assert.Equal(1, log.CountOf(101));
        Assert.Equal(1, log.CountOf(102));
        Assert.Equal(1, log.CountOf(100));
    }

    [Fact]
    public void A_burst_of_refusals_is_all_counted_but_logged_only_up_to_the_limiters_budget()
    {
        var log = new CountingLoggerProvider();
        var refusals = new AcceptRefusals(new ReactorOptions { MaxConnections = 1 }, log.CreateLogger("test"));

        for (var i = 0; i < 100; i++) refusals.Record(AcceptVerdict.AtCap, LowDescriptor, open: 1);

        Assert.Equal(100, refusals.Refused);
        Assert.InRange(log.CountOf(101), 1, 10);
    }
}
