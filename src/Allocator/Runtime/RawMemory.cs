// The raw allocator under pymalloc (CPython's PYMEM_DOMAIN_RAW, i.e. malloc): requests pymalloc
// does not serve, and the heap's own bookkeeping. Arenas come from ArenaMemory.
using System;
using System.Runtime.InteropServices;

namespace Pymalloc.Runtime;

/// <summary>The raw allocator: the C runtime's malloc family, with CPython's conventions.</summary>
/// <remarks>
/// Failure is a null return, as in C: <see cref="NativeMemory"/> throws instead, and an exception
/// in the middle of a pymalloc operation would leave the heap half-updated.
/// </remarks>
internal static unsafe class RawMemory
{
    /// <summary>Like <c>_PyMem_RawMalloc</c>: a request of 0 bytes still returns a unique pointer.</summary>
    public static void* Malloc(nuint size)
    {
        try
        {
            return NativeMemory.Alloc(size == 0 ? 1 : size);
        }
        catch (OutOfMemoryException)
        {
            return null;
        }
    }

    /// <summary>Like <c>_PyMem_RawCalloc</c>: zero elements still return a unique pointer.</summary>
    public static void* Calloc(nuint count, nuint size)
    {
        try
        {
            return count == 0 || size == 0 ? NativeMemory.AllocZeroed(1, 1) : NativeMemory.AllocZeroed(count, size);
        }
        catch (OutOfMemoryException)
        {
            return null;
        }
    }

    /// <summary>Like <c>_PyMem_RawRealloc</c>: a resize to 0 bytes keeps a unique pointer; on failure
    /// the old block is untouched.</summary>
    public static void* Realloc(void* ptr, nuint size)
    {
        try
        {
            return NativeMemory.Realloc(ptr, size == 0 ? 1 : size);
        }
        catch (OutOfMemoryException)
        {
            return null;
        }
    }

    /// <summary>Frees a raw block.</summary>
    public static void Free(void* ptr) => NativeMemory.Free(ptr);

    // The heap's raw allocator: its replacement if one was set (validated complete, so testing one
    // pointer suffices), else the defaults above.

    /// <summary>malloc through the heap's raw allocator.</summary>
    public static void* Malloc(HeapState* heap, nuint size)
        => heap->Raw.Malloc == null ? Malloc(size) : heap->Raw.CallMalloc(size);

    /// <summary>calloc through the heap's raw allocator.</summary>
    public static void* Calloc(HeapState* heap, nuint count, nuint size)
        => heap->Raw.Malloc == null ? Calloc(count, size) : heap->Raw.CallCalloc(count, size);

    /// <summary>realloc through the heap's raw allocator.</summary>
    public static void* Realloc(HeapState* heap, void* ptr, nuint size)
        => heap->Raw.Malloc == null ? Realloc(ptr, size) : heap->Raw.CallRealloc(ptr, size);

    /// <summary>free through the heap's raw allocator.</summary>
    public static void Free(HeapState* heap, void* ptr)
    {
        if (heap->Raw.Malloc == null)
        {
            Free(ptr);
        }
        else
        {
            heap->Raw.CallFree(ptr);
        }
    }

    // Raw blocks of an allocator whose Alignment is above the C runtime's 16 bytes: the default raw
    // allocator asks for the alignment; a replacement must provide it (a block that misses it is
    // given back and the request fails, rather than break the documented alignment).

    /// <summary>malloc of <paramref name="size"/> bytes aligned to <paramref name="alignment"/>.</summary>
    internal static void* AlignedMalloc(HeapState* heap, nuint size, nuint alignment)
    {
        if (heap->Raw.Malloc == null)
        {
            try
            {
                return NativeMemory.AlignedAlloc(size, alignment);
            }
            catch (OutOfMemoryException)
            {
                return null;
            }
        }
        return Aligned(heap, heap->Raw.CallMalloc(size), alignment);
    }

    /// <summary>calloc of <paramref name="size"/> bytes aligned to <paramref name="alignment"/>.</summary>
    internal static void* AlignedCalloc(HeapState* heap, nuint size, nuint alignment)
    {
        if (heap->Raw.Malloc != null)
        {
            return Aligned(heap, heap->Raw.CallCalloc(1, size), alignment);
        }
        void* p = AlignedMalloc(heap, size, alignment);
        if (p != null)
        {
            NativeMemory.Clear(p, size);
        }
        return p;
    }

    /// <summary>realloc of a block from <see cref="AlignedMalloc"/>; on failure, null and the block untouched.</summary>
    internal static void* AlignedRealloc(HeapState* heap, void* p, nuint size, nuint alignment)
    {
        if (heap->Raw.Malloc == null)
        {
            try
            {
                return NativeMemory.AlignedRealloc(p, size, alignment);
            }
            catch (OutOfMemoryException)
            {
                return null;
            }
        }
        void* q = heap->Raw.CallRealloc(p, size);
        return q == null || ((nuint)q & (alignment - 1)) == 0 ? q : Aligned(heap, q, alignment);
    }

    /// <summary>Frees a block from <see cref="AlignedMalloc"/>.</summary>
    internal static void AlignedFree(HeapState* heap, void* p)
    {
        if (heap->Raw.Malloc == null)
        {
            NativeMemory.AlignedFree(p);
        }
        else
        {
            heap->Raw.CallFree(p);
        }
    }

    private static void* Aligned(HeapState* heap, void* p, nuint alignment)
    {
        if (p != null && ((nuint)p & (alignment - 1)) != 0)
        {
            heap->Raw.CallFree(p);
            return null;
        }
        return p;
    }
}
