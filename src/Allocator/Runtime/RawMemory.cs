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
public static unsafe class RawMemory
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
        => heap->Raw.Malloc == null ? Malloc(size) : heap->Raw.Malloc(heap->Raw.Context, size);

    /// <summary>calloc through the heap's raw allocator.</summary>
    public static void* Calloc(HeapState* heap, nuint count, nuint size)
        => heap->Raw.Malloc == null ? Calloc(count, size) : heap->Raw.Calloc(heap->Raw.Context, count, size);

    /// <summary>realloc through the heap's raw allocator.</summary>
    public static void* Realloc(HeapState* heap, void* ptr, nuint size)
        => heap->Raw.Malloc == null ? Realloc(ptr, size) : heap->Raw.Realloc(heap->Raw.Context, ptr, size);

    /// <summary>free through the heap's raw allocator.</summary>
    public static void Free(HeapState* heap, void* ptr)
    {
        if (heap->Raw.Malloc == null)
        {
            Free(ptr);
        }
        else
        {
            heap->Raw.Free(heap->Raw.Context, ptr);
        }
    }
}
