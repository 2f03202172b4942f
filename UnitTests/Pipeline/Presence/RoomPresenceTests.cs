using Chat.Pipeline.Presence;

namespace Chat.UnitTests.Pipeline.Presence;

/// <summary>One room's presence as the union of this node's connections and the other nodes' last read set.</summary>
public sealed class RoomPresenceTests
{
    [Fact]
    public void Online_is_the_union_of_local_and_remote_names_each_once_and_connections_are_summed()
    {
        var presence = new RoomPresence();
        presence.Add("bob");
        presence.Add("bob");
        presence.SetRemote(["amy", "bob"], 3);
        presence.TakeChanges();

        Assert.Equal(["amy", "bob"], presence.Online);
        Assert.Equal(5, presence.Connections);
        Assert.Equal(2, presence.LocalConnections);
    }

    [Fact]
    public void Online_is_rebuilt_at_a_take_not_at_each_join_or_leave()
    {
        var presence = new RoomPresence();
        presence.Add("amy");
        Assert.Empty(presence.Online);
        presence.TakeChanges();
        Assert.Equal(["amy"], presence.Online);

        presence.Add("bob");
        presence.Remove("amy");
        Assert.Equal(["amy"], presence.Online);
        Assert.Equal(1, presence.Connections);

        presence.TakeChanges();
        Assert.Equal(["bob"], presence.Online);
    }

    [Fact]
    public void A_name_another_node_still_has_does_not_leave_when_it_leaves_here()
    {
        var presence = new RoomPresence();
        presence.SetRemote(["bob"], 1);
        presence.Add("bob");
        presence.TakeChanges();

        presence.Remove("bob");

        Assert.Equal(["bob"], presence.Online);
        Assert.Equal(1, presence.Connections);
        // Only the count changed: a frame with no names, so that "N online" follows.
        Assert.True(presence.Changed);
        var (joined, left, countChanged) = presence.TakeChanges();
        Assert.Empty(joined);
        Assert.Empty(left);
        Assert.True(countChanged);
    }

    [Fact]
    public void A_count_that_changes_and_comes_back_between_two_takes_is_no_change()
    {
        var presence = new RoomPresence();
        presence.Add("amy");
        presence.TakeChanges();

        presence.Add("amy");
        presence.Remove("amy");

        var (joined, left, countChanged) = presence.TakeChanges();
        Assert.Empty(joined);
        Assert.Empty(left);
        Assert.False(countChanged);
    }

    [Fact]
    public void Changes_folded_from_the_first_take_give_the_online_set_whatever_the_order_of_local_and_remote_steps()
    {
        var presence = new RoomPresence();
        var folded = new HashSet<string>(StringComparer.Ordinal);
        void Take()
        {
            var (joined, left, _) = presence.TakeChanges();
            folded.UnionWith(joined);
            folded.ExceptWith(left);
            Assert.Equal(presence.Online, folded.Order(StringComparer.Ordinal));
        }

        presence.Add("a");
        presence.SetRemote(["b", "c"], 2);
        Take();
        presence.SetRemote(["a"], 1);
        presence.Add("c");
        Take();
        presence.Remove("a");
        presence.SetRemote([], 0);
        Take();
        Assert.Equal(["c"], presence.Online);
        Assert.Equal(1, presence.Connections);
    }

    [Fact]
    public void Take_local_hands_over_this_nodes_names_and_connections_only_and_clears_the_local_flag()
    {
        var presence = new RoomPresence();
        presence.SetRemote(["far"], 4);
        Assert.False(presence.LocalChanged);
        presence.Add("near");
        presence.Add("near");

        Assert.True(presence.LocalChanged);
        var (names, connections) = presence.TakeLocal();
        Assert.Equal(["near"], names);
        Assert.Equal(2, connections);
        Assert.False(presence.LocalChanged);
    }
}
