// The Recording file: what a call does when PYMALLOC_TRACE is recording (release models only: debug
// headers change the decisions a recording describes). Each recorded call takes the recorder's lock,
// makes the very call the fast path would, and writes it down, so the trace's order is the order the
// heap saw; out of line, so the fast paths only carry the `s_recorder is not null` test, which the
// JIT folds away when it is null.
namespace Pymalloc.Generator;

internal static partial class Emitter
{
    private static string EmitRecording(AllocatorSpec spec, ReleaseModel model)
    {
        var w = new CodeWriter();
        WriteRecordedCall(w, model, "void* RecordMalloc(nuint size)", "Malloc(s_heap, size)", "Malloc(block, size, ");
        w.Line();
        WriteRecordedCall(w, model, "void* RecordCalloc(nuint count, nuint size)", "Calloc(s_heap, count, size)", "Calloc(block, count, size, ");
        w.Line();
        WriteRecordedCall(w, model, "void* RecordRealloc(void* ptr, nuint size)", "Realloc(s_heap, ptr, size)", "Realloc(ptr, block, size, ");
        w.Lines("""

            // A free on the owner (or one that makes the caller the owner of an unowned heap) is done
            // now and recorded now; one handed over by another thread is recorded when the owner's
            // drain frees it (PymallocCore.DrainDelayedFrees asks the recorder).
            [MethodImpl(MethodImplOptions.NoInlining)]
            """);
        w.Open("private static void RecordFree(void* ptr)").Open("lock (s_recorder!.Gate)");
        model.WriteRecordedFree(w);
        w.Close().Close();
        return File(spec, "recording (PYMALLOC_TRACE)", new string[0], new[] { "System.Runtime.CompilerServices", "Pymalloc", "Pymalloc.Runtime" }, w.ToString());
    }

    /// <summary>An allocating call made under the recorder's lock and written down with whether the
    /// block came from the pools (the trace's pool/raw split).</summary>
    private static void WriteRecordedCall(CodeWriter w, ReleaseModel model, string signature, string coreCall, string record)
    {
        w.Line("[MethodImpl(MethodImplOptions.NoInlining)]");
        w.Open("private static " + signature).Open("lock (s_recorder!.Gate)");
        if (model.OwnerCheck is not null)
        {
            w.Line(model.OwnerCheck);
        }
        w.Line($"void* block = PymallocCore<Layout>.{coreCall};")
            .Line($"s_recorder.{record}PymallocCore<Layout>.Contains(s_heap, block));")
            .Line("return block;")
            .Close().Close();
    }
}
