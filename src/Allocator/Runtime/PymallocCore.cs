// The pymalloc algorithm for one layout, split by concept across PymallocCore.*.cs:
//   .cs        derived constants, creating and destroying a heap
//   .Alloc.cs  malloc / calloc / realloc / free, the raw redirect
//   .Pool.cs   pool transitions: extend, used -> full -> used -> empty, taking a fresh pool
//   .Arena.cs  arenas: mapping, the sorted usable_arenas list, releasing
// Everything is a static method over a HeapState*, generic over the layout so that the JIT
// specialises it per layout; generated per-class fast paths call the slow paths here.
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Pymalloc.Runtime;

/// <summary>CPython 3.11's small-object allocator for the layout <typeparamref name="TLayout"/>.
/// Public for generated code and for heaps driven without it.</summary>
public static unsafe partial class PymallocCore<TLayout> where TLayout : struct, IPymallocLayout
{
    /// <summary>ALIGNMENT.</summary>
    public static nuint Alignment => (nuint)1 << TLayout.AlignmentShift;

    /// <summary>POOL_SIZE.</summary>
    public static nuint PoolSize => (nuint)1 << TLayout.PoolSizeShift;

    /// <summary>POOL_SIZE_MASK.</summary>
    public static nuint PoolSizeMask => PoolSize - 1;

    /// <summary>ARENA_SIZE.</summary>
    public static nuint ArenaSize => (nuint)1 << TLayout.ArenaBits;

    /// <summary>INDEX2SIZE: the block size of size class <paramref name="index"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static uint BlockSize(uint index) => (index + 1) << TLayout.AlignmentShift;

    /// <summary>NUMBLOCKS: blocks of size class <paramref name="index"/> in one pool.</summary>
    public static uint BlocksPerPool(uint index) => ((uint)PoolSize - TLayout.PoolOverhead) / BlockSize(index);

    /// <summary>POOL_ADDR: the pool holding block <paramref name="p"/> (pools are POOL_SIZE-aligned).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static PoolHeader* PoolOf(void* p) => (PoolHeader*)((nuint)p & ~PoolSizeMask);

    /// <summary>Creates an empty heap: no arenas yet, every size class an empty ring.</summary>
    /// <returns>The heap, or null when out of memory.</returns>
    public static HeapState* CreateHeap()
    {
        // The arena map's root node follows the state in the same block: for a heap whose address
        // the JIT knows (a generated allocator's), the root's address is a constant too, which
        // takes one dependent load off every free.
        var heap = (HeapState*)NativeMemory.AllocZeroed((nuint)sizeof(HeapState) + ArenaMap<TLayout>.InteriorNodeBytes);
        if (heap == null)
        {
            return null;
        }
        TLayout.InitializeUsedPools(HeapState.UsedPools(heap));
        heap->Map.Root = (void**)(heap + 1);
        heap->Nfp2Lasta = (ArenaObject**)NativeMemory.AllocZeroed((nuint)(TLayout.MaxPoolsInArena + 1), (nuint)sizeof(void*));
        if (heap->Nfp2Lasta == null)
        {
            NativeMemory.Free(heap);
            return null;
        }
        return heap;
    }

    /// <summary>Returns every arena and all bookkeeping of <paramref name="heap"/>. Blocks from
    /// the raw allocator are the caller's: they stay valid and must still be freed with the raw free.</summary>
    public static void DestroyHeap(HeapState* heap)
    {
        if (heap == null)
        {
            return;
        }
        for (uint i = 0; i < heap->MaxArenas; i++)
        {
            if (heap->Arenas[i].Address != 0)
            {
                ArenaMemory.Free((void*)heap->Arenas[i].Address);
            }
        }
        ArenaMap<TLayout>.Destroy(&heap->Map);
        RawMemory.Free(heap->Arenas);
        NativeMemory.Free(heap->Nfp2Lasta);
        NativeMemory.Free(heap);
    }
}
