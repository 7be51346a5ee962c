// The SizeClasses file: one allocation fast path per size class — the runtime's one copy of the
// path, called with the class as a constant the JIT folds — and the dispatch from a byte count to them.
using System.Text;

namespace Pymalloc.Generator;

internal static partial class Emitter
{
    private static string EmitSizeClasses(AllocatorSpec spec, LayoutModel m)
    {
        var s = new StringBuilder();
        s.Append($$"""
            // One method per size class, each the runtime's one allocation fast path
            // (PymallocCore.AllocateSizeClass) called with the class as a constant. Inlined, the JIT folds
            // the constant into everything the class decides: the usedpools slot (2 * class) and the block
            // size ((class + 1) << {{I(m.AlignmentShift)}}). What runs:
            //
            //   pool = usedpools[2 * class]            the class's first used pool, or the empty ring's head
            //   if pool != pool->nextpool:             the class has a used pool
            //       block = pool->freeblock            pop the free list's head
            //       pool->freeblock = *block; ++pool->count
            //       if the free list ran dry:
            //           carve the next never-used block if one fits (pools fill lazily, so untouched
            //           memory is never paged in), or else the pool is full and leaves the ring
            //       return block
            //   else: the slow path takes a free pool from the fullest usable arena, mapping a new
            //         arena if every one is full
            //
            // The layout's options (Hardened, LiveCounters) are compiled into that one path, not here.

            """);
        for (int c = 0; c < m.NumSizeClasses; c++)
        {
            int size = m.BlockSize(c);
            s.Append($$"""

                /// <summary>
                /// Size class {{I(c)}}: requests of {{I(m.FirstRequest(c))}}..{{I(size)}} bytes get {{I(size)}}-byte blocks,
                /// {{I(m.BlocksPerPool(c))}} to a pool (usedpools slot {{I(2 * c)}}; a pool's carving stops past offset {{I(m.PoolSize - size)}}).
                /// Null only when no arena can be mapped.
                /// </summary>
                [MethodImpl(MethodImplOptions.AggressiveInlining)]
                private static void* AllocateSizeClass{{I(c)}}(HeapState* heap) => PymallocCore<Layout>.AllocateSizeClass(heap, {{I(c)}});

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
