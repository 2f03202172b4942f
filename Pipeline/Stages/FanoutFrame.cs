using Chat.Reactor;

namespace Chat.Pipeline.Stages;

/// <summary>One broadcast frame ready to queue: its shared buffer, where the frame starts in it, its length, its id.</summary>
internal readonly record struct FanoutFrame(SharedBuffer Frame, int Offset, int Length, long Id);
