// System.Runtime.InteropServices.NativeMemory for netstandard2.1, which lacks it: the same names and
// contracts, so the runtime's code is one source for both assets. On net8.0 this file is empty and
// the BCL's NativeMemory (the C runtime's malloc family) is used.
//
// Here the C runtime's malloc family is reached through Marshal.*HGlobal (malloc/realloc/free on
// Unix, Local* on Windows, Mono included). Aligned blocks are over-allocated: the two words just
// below the aligned address keep the original pointer and the size (so that realloc can copy).
#if !NET6_0_OR_GREATER
using System;
using System.Runtime.InteropServices;

namespace Pymalloc.Runtime;

internal static unsafe class NativeMemory
{
    public static void* Alloc(nuint byteCount) => (void*)Marshal.AllocHGlobal((nint)(byteCount == 0 ? 1 : byteCount));

    public static void* AllocZeroed(nuint byteCount)
    {
        void* p = Alloc(byteCount);
        Clear(p, byteCount);
        return p;
    }

    public static void* AllocZeroed(nuint count, nuint size)
    {
        if (size != 0 && count > ulong.MaxValue / size)
        {
            throw new OutOfMemoryException();
        }
        return AllocZeroed(count * size);
    }

    public static void* Realloc(void* ptr, nuint byteCount) =>
        ptr == null ? Alloc(byteCount) : (void*)Marshal.ReAllocHGlobal((nint)ptr, (nint)(byteCount == 0 ? 1 : byteCount));

    public static void Free(void* ptr)
    {
        if (ptr != null)
        {
            Marshal.FreeHGlobal((nint)ptr);
        }
    }

    public static void* AlignedAlloc(nuint byteCount, nuint alignment)
    {
        nuint header = 2 * (nuint)sizeof(void*);
        byte* raw = (byte*)Alloc(byteCount + alignment + header);
        byte* aligned = (byte*)(((nuint)raw + header + alignment - 1) & ~(alignment - 1));
        ((void**)aligned)[-1] = raw;
        ((nuint*)aligned)[-2] = byteCount;
        return aligned;
    }

    public static void* AlignedRealloc(void* ptr, nuint byteCount, nuint alignment)
    {
        void* moved = AlignedAlloc(byteCount, alignment);
        if (ptr != null)
        {
            nuint old = ((nuint*)ptr)[-2];
            Buffer.MemoryCopy(ptr, moved, byteCount, old < byteCount ? old : byteCount);
            AlignedFree(ptr);
        }
        return moved;
    }

    public static void AlignedFree(void* ptr)
    {
        if (ptr != null)
        {
            Free(((void**)ptr)[-1]);
        }
    }

    public static void Clear(void* ptr, nuint byteCount) => Fill(ptr, byteCount, 0);

    public static void Fill(void* ptr, nuint byteCount, byte value)
    {
        byte* p = (byte*)ptr;
        while (byteCount > 0)
        {
            int chunk = byteCount > int.MaxValue ? int.MaxValue : (int)byteCount;
            new Span<byte>(p, chunk).Fill(value);
            p += chunk;
            byteCount -= (nuint)chunk;
        }
    }
}
#endif
