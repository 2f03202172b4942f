using System.Buffers.Binary;

namespace Chat.Storage;

/// <summary>
/// PostgreSQL's binary COPY format for <c>chat_messages (room, id, username, comment, created_at)</c>, as pure functions over
/// spans: the file header, one tuple per message, the trailer (see the COPY page of the PostgreSQL manual). Writing it
/// ourselves skips the per-field type resolution of Npgsql's binary importer, which cost more CPU per row than
/// PostgreSQL spent storing it.
/// </summary>
internal static class BinaryCopyFormat
{
    private const short FieldCount = 5;

    // Length word, then the value: bigint and timestamptz are 8 bytes big-endian.
    private const int FixedFieldBytes = sizeof(int) + sizeof(long);

    // PostgreSQL's timestamps count microseconds from 2000-01-01 00:00 UTC.
    private static readonly long PostgresEpochTicks = new DateTime(2000, 1, 1, 0, 0, 0, DateTimeKind.Utc).Ticks;

    /// <summary>Signature "PGCOPY\n\377\r\n\0", flags 0, header extension length 0.</summary>
    public static ReadOnlySpan<byte> Header => [(byte)'P', (byte)'G', (byte)'C', (byte)'O', (byte)'P', (byte)'Y', (byte)'\n', 0xFF, (byte)'\r', (byte)'\n', 0, 0, 0, 0, 0, 0, 0, 0, 0];

    /// <summary>A field count of -1 ends the data.</summary>
    public static ReadOnlySpan<byte> Trailer => [0xFF, 0xFF];

    /// <summary>Bytes <see cref="WriteRow"/> needs for one message.</summary>
    public static int RowSize(int roomBytes, int usernameBytes, int commentBytes) =>
        sizeof(short) + sizeof(int) + roomBytes + FixedFieldBytes + sizeof(int) + usernameBytes + sizeof(int) + commentBytes + FixedFieldBytes;

    /// <summary>
    /// Writes one tuple into <paramref name="destination"/> (at least <see cref="RowSize"/> bytes); returns the bytes
    /// written. <paramref name="createdAt"/> must be UTC; text is written as the UTF-8 it is.
    /// </summary>
    public static int WriteRow(
        Span<byte> destination, ReadOnlySpan<byte> room, long id, ReadOnlySpan<byte> username, ReadOnlySpan<byte> comment, DateTime createdAt)
    {
        BinaryPrimitives.WriteInt16BigEndian(destination, FieldCount);
        var position = sizeof(short);
        position += WriteTextField(destination[position..], room);
        position += WriteInt64Field(destination[position..], id);
        position += WriteTextField(destination[position..], username);
        position += WriteTextField(destination[position..], comment);
        position += WriteInt64Field(destination[position..], ToPostgresMicroseconds(createdAt));
        return position;
    }

    public static long ToPostgresMicroseconds(DateTime utc) => (utc.Ticks - PostgresEpochTicks) / (TimeSpan.TicksPerMillisecond / 1000);

    private static int WriteInt64Field(Span<byte> destination, long value)
    {
        BinaryPrimitives.WriteInt32BigEndian(destination, sizeof(long));
        BinaryPrimitives.WriteInt64BigEndian(destination[sizeof(int)..], value);
        return FixedFieldBytes;
    }

    private static int WriteTextField(Span<byte> destination, ReadOnlySpan<byte> utf8)
    {
        BinaryPrimitives.WriteInt32BigEndian(destination, utf8.Length);
        utf8.CopyTo(destination[sizeof(int)..]);
        return sizeof(int) + utf8.Length;
    }
}
