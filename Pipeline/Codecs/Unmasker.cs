using System.Buffers.Binary;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Chat.Pipeline.Codecs;

/// <summary>XOR (un)masking of WebSocket payloads (RFC 6455 section 5.3), 32, 16 or 8 bytes per step.</summary>
internal static class Unmasker
{
    /// <summary>XORs data in place with the mask rotated by phase (offset of data[0] within the frame payload).</summary>
    public static void Unmask(Span<byte> data, uint maskKey, long phase) =>
        Xor(ref MemoryMarshal.GetReference(data), ref MemoryMarshal.GetReference(data), data.Length, maskKey, phase);

    /// <summary>Copying form: dst[i] = src[i] ^ mask. dst must not overlap src unless it is the same memory.</summary>
    public static void Unmask(ReadOnlySpan<byte> src, Span<byte> dst, uint maskKey, long phase)
    {
        if (dst.Length < src.Length)
        {
            throw new ArgumentException("destination is shorter than source", nameof(dst));
        }

        Xor(ref MemoryMarshal.GetReference(src), ref MemoryMarshal.GetReference(dst), src.Length, maskKey, phase);
    }

    private static void Xor(ref byte src, ref byte dst, int length, uint maskKey, long phase)
    {
        // Rotate so that the mask byte for data[0] sits in the low byte; every vector step is a multiple of 4 bytes,
        // so the same repeated pattern stays aligned with the payload all the way.
        uint mask = BitOperations.RotateRight(maskKey, (int)(phase & 3) * 8);
        uint memoryOrder = BitConverter.IsLittleEndian ? mask : BinaryPrimitives.ReverseEndianness(mask);
        nuint i = 0;
        nuint n = (nuint)length;
        if (Vector256.IsHardwareAccelerated && n >= (nuint)Vector256<byte>.Count)
        {
            var m = Vector256.Create(memoryOrder).AsByte();
            nuint last = n - (nuint)Vector256<byte>.Count;
            for (; i <= last; i += (nuint)Vector256<byte>.Count)
            {
                (Vector256.LoadUnsafe(ref src, i) ^ m).StoreUnsafe(ref dst, i);
            }
        }

        if (Vector128.IsHardwareAccelerated && n - i >= (nuint)Vector128<byte>.Count)
        {
            var m = Vector128.Create(memoryOrder).AsByte();
            nuint last = n - (nuint)Vector128<byte>.Count;
            for (; i <= last; i += (nuint)Vector128<byte>.Count)
            {
                (Vector128.LoadUnsafe(ref src, i) ^ m).StoreUnsafe(ref dst, i);
            }
        }

        ulong wide = ((ulong)memoryOrder << 32) | memoryOrder;
        for (; n - i >= sizeof(ulong); i += sizeof(ulong))
        {
            ulong v = Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref src, i)) ^ wide;
            Unsafe.WriteUnaligned(ref Unsafe.Add(ref dst, i), v);
        }

        for (; i < n; i++)
        {
            Unsafe.Add(ref dst, i) = (byte)(Unsafe.Add(ref src, i) ^ (byte)(mask >> (int)((i & 3) * 8)));
        }
    }
}
