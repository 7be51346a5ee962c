// The Recording file: what a call does when PYMALLOC_TRACE is recording (not in debug mode). Each
// recorded call takes the recorder's lock, makes the very call the fast path would, and writes it
// down, so the trace's order is the order the heap saw; out of line, so the fast paths only carry
// the `s_recorder is not null` test, which the JIT folds away when it is null.
namespace Pymalloc.Generator;

internal static partial class Emitter
{
    private static string EmitRecording(AllocatorSpec spec)
    {
        bool u = spec.UncheckedThreads;
        string check = u ? "" : "\n        CheckOwner();";
        string body = $$"""
            [MethodImpl(MethodImplOptions.NoInlining)]
            private static void* RecordMalloc(nuint size)
            {
                lock (s_recorder!.Gate)
                {{{check}}
                    void* block = PymallocCore<Layout>.Malloc(s_heap, size);
                    s_recorder.Malloc(block, size, PymallocCore<Layout>.Contains(s_heap, block));
                    return block;
                }
            }

            [MethodImpl(MethodImplOptions.NoInlining)]
            private static void* RecordCalloc(nuint count, nuint size)
            {
                lock (s_recorder!.Gate)
                {{{check}}
                    void* block = PymallocCore<Layout>.Calloc(s_heap, count, size);
                    s_recorder.Calloc(block, count, size, PymallocCore<Layout>.Contains(s_heap, block));
                    return block;
                }
            }

            [MethodImpl(MethodImplOptions.NoInlining)]
            private static void* RecordRealloc(void* ptr, nuint size)
            {
                lock (s_recorder!.Gate)
                {{{check}}
                    void* block = PymallocCore<Layout>.Realloc(s_heap, ptr, size);
                    s_recorder.Realloc(ptr, block, size, PymallocCore<Layout>.Contains(s_heap, block));
                    return block;
                }
            }

            // A free on the owner (or one that makes the caller the owner of an unowned heap) is done
            // now and recorded now; one handed over by another thread is recorded when the owner's
            // drain frees it (PymallocCore.DrainDelayedFrees asks the recorder).
            [MethodImpl(MethodImplOptions.NoInlining)]
            private static void RecordFree(void* ptr)
            {
                lock (s_recorder!.Gate)
                {
                    {{(u ? "s_recorder.Free(ptr);\n        PymallocCore<Layout>.Free(s_heap, ptr);" : "bool owner = PymallocCore<Layout>.OnOwnerThread(s_heap);\n        PymallocCore<Layout>.FreeFromAnyThread(s_heap, ptr);\n        if (owner || PymallocCore<Layout>.OnOwnerThread(s_heap))\n        {\n            s_recorder.Free(ptr);\n        }")}}
                }
            }
            """;
        return File(spec, "recording (PYMALLOC_TRACE)", new string[0], new[] { "System.Runtime.CompilerServices", "Pymalloc", "Pymalloc.Runtime" }, body);
    }
}
