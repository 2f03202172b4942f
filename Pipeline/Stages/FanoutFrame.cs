using Chat.Pipeline.Items;
using Chat.Reactor;

namespace Chat.Pipeline.Stages;

/// <summary>
/// One broadcast frame ready to queue: its shared buffer, where the frame starts in it, its length, its id, and its
/// compressed twin in the same buffer (permessage-deflate), if any (messages of other nodes go out plain).
/// </summary>
internal readonly record struct FanoutFrame(SharedBuffer Frame, int Offset, int Length, long Id, DeflatedVariant Deflated = default);
