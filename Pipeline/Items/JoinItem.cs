using Chat.Pipeline.Sessions;

namespace Chat.Pipeline.Items;

/// <summary>
/// Handshake → broadcast: a connection got its 101 and is a member of its room now.
/// </summary>
/// <param name="Since">The client's <c>since</c>, or -1 for live messages from its 101 on.</param>
/// <param name="SwitchedAt">Stopwatch timestamp taken just before the 101 was queued: without <c>since</c>, the
/// client gets every fan-out run that started after it (see <see cref="Rooms.LastIdHistory"/>).</param>
internal readonly record struct JoinItem(Session Session, long Since, long SwitchedAt);
