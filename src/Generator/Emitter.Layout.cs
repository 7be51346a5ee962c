// The Layout file: the size-class table in obmalloc.c's style at the top, then the constants.
using System.Collections.Generic;

namespace Pymalloc.Generator;

internal static partial class Emitter
{
    private static string EmitLayout(AllocatorSpec spec, LayoutModel m)
    {
        string self = "global::" + spec.FullName; // never captured by a type of the same name
        var header = new List<string>
        {
            "",
            $"The layout, as obmalloc.c's macros would define it (starting from the {spec.Layout.PresetName} preset):",
            "",
            $"  ALIGNMENT               {I(m.Alignment)} bytes (ALIGNMENT_SHIFT {I(m.AlignmentShift)})",
            $"  SMALL_REQUEST_THRESHOLD {I(m.SmallRequestThreshold)} bytes, so NB_SMALL_SIZE_CLASSES = {I(m.NumSizeClasses)}",
            $"  POOL_SIZE               {I(m.PoolSize)} bytes, of which POOL_OVERHEAD = {I(m.PoolOverhead)} is the pool header",
            $"  ARENA_SIZE              {I(m.ArenaSize)} bytes = MAX_POOLS_IN_ARENA {I(m.MaxPoolsInArena)} pools",
            "",
            "A request of n bytes (1 <= n <= SMALL_REQUEST_THRESHOLD) is served from size class",
            $"(n - 1) >> {I(m.AlignmentShift)}, whose blocks are (class + 1) << {I(m.AlignmentShift)} bytes; a pool holds blocks of one",
            "class, and the bytes after its last whole block are lost (\"quantization\").",
            "",
            "Request in bytes     Size of allocated block      Size class idx    Blocks per pool    Bytes lost at pool end",
            "-------------------------------------------------------------------------------------------------------------",
        };
        for (int c = 0; c < m.NumSizeClasses; c++)
        {
            string request = I(m.FirstRequest(c)) + "-" + I(m.BlockSize(c));
            header.Add($"{request,16}{m.BlockSize(c),28}{c,20}{m.BlocksPerPool(c),19}{m.QuantizationPerPool(c),26}");
        }
        header.Add("");
        header.Add($"Every used pool also loses its {I(m.PoolOverhead)}-byte header.");

        string body = $$"""
            /// <summary>
            /// The fixed layout of <see cref="{{spec.TypeName}}"/>: obmalloc.c's layout macros as constants.
            /// The runtime core is generic over this struct, so the JIT compiles every number below into
            /// the allocator's code as an immediate.
            /// </summary>
            public readonly struct Layout : IPymallocLayout
            {
                /// <summary>ALIGNMENT: block sizes and block addresses are multiples of it.</summary>
                public const int Alignment = {{I(m.Alignment)}};

                /// <summary>ALIGNMENT_SHIFT: log2(ALIGNMENT); a request of n bytes is in class (n - 1) &gt;&gt; {{I(m.AlignmentShift)}}.</summary>
                public const int AlignmentShift = {{I(m.AlignmentShift)}};

                /// <summary>SMALL_REQUEST_THRESHOLD: the largest request served from pools; larger ones go to the raw allocator.</summary>
                public const int SmallRequestThreshold = {{I(m.SmallRequestThreshold)}};

                /// <summary>NB_SMALL_SIZE_CLASSES: SMALL_REQUEST_THRESHOLD / ALIGNMENT.</summary>
                public const int NumSizeClasses = {{I(m.NumSizeClasses)}};

                /// <summary>POOL_SIZE: a pool holds blocks of one size class and starts on a multiple of its size.</summary>
                public const int PoolSize = {{I(m.PoolSize)}};

                /// <summary>POOL_BITS: log2(POOL_SIZE); a block's pool is its address with these low bits cleared.</summary>
                public const int PoolSizeShift = {{I(m.PoolSizeShift)}};

                /// <summary>POOL_OVERHEAD: the {{I(LayoutModel.PoolHeaderSize)}}-byte pool header rounded up to ALIGNMENT.</summary>
                public const int PoolOverhead = {{I(m.PoolOverhead)}};

                /// <summary>ARENA_SIZE: the unit of memory taken from the arena allocator.</summary>
                public const int ArenaSize = {{I(m.ArenaSize)}};

                /// <summary>ARENA_BITS: log2(ARENA_SIZE); the arena map's leaves cover ARENA_SIZE-aligned slices.</summary>
                public const int ArenaBits = {{I(m.ArenaBits)}};

                /// <summary>MAX_POOLS_IN_ARENA: ARENA_SIZE / POOL_SIZE (one less for an arena not aligned to POOL_SIZE).</summary>
                public const int MaxPoolsInArena = {{I(m.MaxPoolsInArena)}};

                /// <summary>The threading model (PymallocConfig.Threading): {{(spec.UncheckedThreads
                    ? "Unchecked, so no call checks the owner thread (one thread at a time, as CPython under the GIL)"
                    : "CheckedOwner, so every call checks that it runs on the owner thread")}}.</summary>
                public const bool ChecksOwner = {{(spec.UncheckedThreads ? "false" : "true")}};

                /// <summary>Per-operation counters (PymallocConfig.LiveCounters): {{(spec.LiveCounters
                    ? "on, so every allocation and free also updates the allocation count and bytes in blocks"
                    : "off, so the fast paths write only the pool's block count, as CPython's do")}}.</summary>
                public const bool LiveCounters = {{(spec.LiveCounters ? "true" : "false")}};

                /// <summary>The hardened release mode (PymallocConfig.Hardened): {{(spec.Hardened
                    ? "on, so every free checks its pointer and every allocation the free-list link it follows"
                    : "off")}}.</summary>
                public const bool Hardened = {{(spec.Hardened ? "true" : "false")}};

                string IPymallocLayout.Name => "{{spec.FullName}}";
                int IPymallocLayout.AlignmentShift => AlignmentShift;
                nuint IPymallocLayout.SmallRequestThreshold => SmallRequestThreshold;
                uint IPymallocLayout.NumSizeClasses => NumSizeClasses;
                int IPymallocLayout.PoolSizeShift => PoolSizeShift;
                uint IPymallocLayout.PoolOverhead => PoolOverhead;
                int IPymallocLayout.ArenaBits => ArenaBits;
                uint IPymallocLayout.MaxPoolsInArena => MaxPoolsInArena;
                bool IPymallocLayout.ChecksOwner => ChecksOwner;
                bool IPymallocLayout.LiveCounters => LiveCounters;
                bool IPymallocLayout.Hardened => Hardened;
                void IPymallocLayout.InitializeUsedPools(PoolHeader** usedPools) => {{self}}.InitializeUsedPools(usedPools);
            }
            """;
        return File(spec, "layout", header, new[] { "Pymalloc", "Pymalloc.Runtime" }, body);
    }
}
