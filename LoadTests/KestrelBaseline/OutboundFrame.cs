namespace Chat.LoadTests.KestrelBaseline;

/// <summary>
/// One text frame queued to a connection: a chatMessage (<see cref="Id"/> &gt; 0, encoded once and shared by every
/// receiver) or an error frame for that client alone (<see cref="Id"/> 0).
/// </summary>
internal readonly record struct OutboundFrame(long Id, byte[] Payload);
