namespace Chat.LoadTests.Client;

/// <summary>What a load-runner comment says about itself: run, sender, that sender's sequence number, send time.</summary>
internal readonly record struct PayloadTag(int Run, int Sender, long Sequence, long Stamp);
