// Managed objects with a payload of exactly n bytes (plus the object header), the .NET GC's
// equivalent of a small unmanaged block.
using System;
using System.Runtime.CompilerServices;

namespace Pymalloc.Benchmarks;

[InlineArray(16)] internal struct Payload16 { private byte _b; }
[InlineArray(32)] internal struct Payload32 { private byte _b; }
[InlineArray(64)] internal struct Payload64 { private byte _b; }
[InlineArray(128)] internal struct Payload128 { private byte _b; }
[InlineArray(256)] internal struct Payload256 { private byte _b; }
[InlineArray(512)] internal struct Payload512 { private byte _b; }

internal sealed class GcObject<T> where T : struct
{
    public T Payload;
    public long Tag;
}

internal static class GcObjects
{
    public static object New(int size, long tag) => size switch
    {
        16 => new GcObject<Payload16> { Tag = tag },
        32 => new GcObject<Payload32> { Tag = tag },
        64 => new GcObject<Payload64> { Tag = tag },
        128 => new GcObject<Payload128> { Tag = tag },
        256 => new GcObject<Payload256> { Tag = tag },
        512 => new GcObject<Payload512> { Tag = tag },
        _ => throw new ArgumentOutOfRangeException(nameof(size)),
    };
}
