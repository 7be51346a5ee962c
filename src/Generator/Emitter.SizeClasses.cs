// The SizeClasses file: one allocation fast path per size class, with the block size, the class's
// usedpools slot and the pool's carving limit written in as constants, and the dispatch from a
// byte count to them.
using System.Text;

namespace Pymalloc.Generator;

internal static partial class Emitter
{
    private static string EmitSizeClasses(AllocatorSpec spec, LayoutModel m)
    {
        var s = new StringBuilder();
        s.Append($$"""
            // Each fast path pops the head block of the class's first used pool. When that pool's free
            // list runs dry it carves the next never-used block (pools are filled lazily, so untouched
            // memory is never paged in), or, with no room left, the pool is full and leaves the ring.
            // With no used pool at all, the runtime's slow path takes a free pool from the fullest
            // usable arena, mapping a new arena if every one is full.

            """);
        for (int c = 0; c < m.NumSizeClasses; c++)
        {
            int size = m.BlockSize(c);
            // LiveCounters = true only: what a meter would otherwise derive from the pools when read.
            string counters = !spec.LiveCounters ? "" : $$"""

                        heap->Allocations++;             // LiveCounters: counted for observers
                        heap->BytesInBlocks += {{I(size)}};
                """;
            // Hardened: the core's PopBlock, which checks and decodes the free-list link (inlined, with the
            // class a constant); the plain pop below is skipped.
            if (spec.Hardened)
            {
                s.Append($$"""

                    /// <summary>
                    /// Size class {{I(c)}}: requests of {{I(m.FirstRequest(c))}}..{{I(size)}} bytes get {{I(size)}}-byte blocks,
                    /// {{I(m.BlocksPerPool(c))}} to a pool. Null only when no arena can be mapped. Hardened: the free-list
                    /// link is checked and decoded before it is followed, and the block is handed out zeroed.
                    /// </summary>
                    [MethodImpl(MethodImplOptions.AggressiveInlining)]
                    private static void* AllocateSizeClass{{I(c)}}(HeapState* heap)
                    {
                        PoolHeader* pool = HeapState.UsedPools(heap)[{{I(2 * c)}}];
                        if (pool != pool->NextPool)
                        {
                            return PymallocCore<Layout>.PopBlock(heap, pool, {{I(c)}});
                        }
                        return PymallocCore<Layout>.AllocateFromNewPool(heap, {{I(c)}});
                    }

                    """);
                continue;
            }
            s.Append($$"""

                /// <summary>
                /// Size class {{I(c)}}: requests of {{I(m.FirstRequest(c))}}..{{I(size)}} bytes get {{I(size)}}-byte blocks,
                /// {{I(m.BlocksPerPool(c))}} to a pool. Null only when no arena can be mapped.
                /// </summary>
                [MethodImpl(MethodImplOptions.AggressiveInlining)]
                private static void* AllocateSizeClass{{I(c)}}(HeapState* heap)
                {
                    PoolHeader* pool = HeapState.UsedPools(heap)[{{I(2 * c)}}];
                    if (pool != pool->NextPool)
                    {{{counters}}
                        ++pool->Count;
                        byte* block = pool->FreeBlock;
                        if ((pool->FreeBlock = *(byte**)block) == null)
                        {
                            if (pool->NextOffset <= {{I(m.PoolSize - size)}}) // POOL_SIZE - {{I(size)}}: room for one more block
                            {
                                byte* next = (byte*)pool + pool->NextOffset;
                                pool->FreeBlock = next;
                                pool->NextOffset += {{I(size)}};
                                *(byte**)next = null;
                            }
                            else
                            {
                                PymallocCore<Layout>.UnlinkFullPool(pool);
                            }
                        }
                        return block;
                    }
                    return PymallocCore<Layout>.AllocateFromNewPool(heap, {{I(c)}});
                }

                """);
        }

        s.Append($$"""

            /// <summary>
            /// Serves a request of 1..{{I(m.SmallRequestThreshold)}} bytes from size class (nbytes - 1) &gt;&gt; {{I(m.AlignmentShift)}}.
            /// Null only when no arena can be mapped (the caller then falls back to the raw allocator).
            /// Meant for sizes the JIT sees as constants (<c>New&lt;T&gt;</c>): the switch folds to one case.
            /// </summary>
            [MethodImpl(MethodImplOptions.AggressiveInlining)]
            private static void* AllocateSmall(HeapState* heap, nuint nbytes)
            {
                switch ((uint)((nbytes - 1) >> {{I(m.AlignmentShift)}}))
                {

            """);
        for (int c = 0; c < m.NumSizeClasses; c++)
        {
            s.Append($"        case {I(c)}: return AllocateSizeClass{I(c)}(heap);".PadRight(60))
             .Append($"// {I(m.FirstRequest(c)),4}..{I(m.BlockSize(c))}\n");
        }
        s.Append("""
                    default: return null;
                }
            }
            """);
        return File(spec, "size-class fast paths", new string[0], new[] { "System.Runtime.CompilerServices", "Pymalloc.Runtime" }, s.ToString());
    }
}
