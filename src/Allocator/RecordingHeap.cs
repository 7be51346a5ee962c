// Recording one heap's calls to a stream: for a level, or a range of frames, when PYMALLOC_TRACE
// (which records whole runs) is too much. The heap is a Heap<TLayout> created recorded, exactly as
// PYMALLOC_TRACE creates one: its handle's tagged generation sends every call through the one
// recording path in Heap.cs, so heaps that do not record carry nothing for it.
//
// Invariants: each call and its line are made under the recorder's lock (the file's order is the
// heap's); frees other threads hand over are recorded when the owner's drain frees them; after
// StopRecording the heap works on, unrecorded, and the file is complete (its end line written).
using System;
using System.IO;
using Pymalloc.Runtime;

namespace Pymalloc;

/// <summary>A heap whose calls are written to a stream as a <c>pymalloc-trace v1</c> file until
/// <see cref="StopRecording"/> or <see cref="Dispose"/>. Replay the file with <c>pymalloc replay</c>,
/// or let <c>pymalloc advise</c> choose a layout for it.</summary>
public sealed unsafe class RecordingHeap<TLayout> : IDisposable where TLayout : struct, IPymallocLayout
{
    private readonly Heap<TLayout> _heap;

    private RecordingHeap(Heap<TLayout> heap) => _heap = heap;

    /// <summary>Creates a heap (owned by the calling thread) that records to <paramref name="stream"/>
    /// (closed when the recording stops; wrap it in a GZipStream for a .gz file).</summary>
    public static RecordingHeap<TLayout> Create(Stream stream, string name = "recording heap")
    {
        var recorder = new TraceRecorder(stream, name, 1 << default(TLayout).AlignmentShift, 1 << default(TLayout).PoolSizeShift,
            1 << default(TLayout).ArenaBits, (int)default(TLayout).SmallRequestThreshold);
        return new RecordingHeap<TLayout>(Heap<TLayout>.CreateRecorded(recorder));
    }

    /// <summary>The heap itself, for statistics and everything else; its calls are recorded too.</summary>
    public Heap<TLayout> Heap => _heap;

    /// <summary>True until <see cref="StopRecording"/> (or <see cref="Dispose"/>).</summary>
    public bool IsRecording => _heap.IsCreated && _heap.State->Recorder != 0;

    /// <summary><see cref="Heap{TLayout}.Malloc"/>, recorded.</summary>
    public void* Malloc(nuint size) => _heap.Malloc(size);

    /// <summary><see cref="Heap{TLayout}.Calloc"/>, recorded.</summary>
    public void* Calloc(nuint count, nuint size) => _heap.Calloc(count, size);

    /// <summary><see cref="Heap{TLayout}.Realloc"/>, recorded.</summary>
    public void* Realloc(void* ptr, nuint size) => _heap.Realloc(ptr, size);

    /// <summary><see cref="Heap{TLayout}.Free"/>, from any thread; recorded when the heap frees it.</summary>
    public void Free(void* ptr) => _heap.Free(ptr);

    /// <summary>Writes the end line and closes the stream; the heap works on, unrecorded. Idempotent.</summary>
    /// <exception cref="ObjectDisposedException">The heap was disposed.</exception>
    public void StopRecording()
    {
        HeapState* state = _heap.State;
        nint handle = state->Recorder;
        if (handle == 0)
        {
            return;
        }
        lock (TraceRecorder.Of(handle).Gate)
        {
            if (state->Recorder != 0)
            {
                TraceRecorder.Detach(state);
            }
        }
    }

    /// <summary>Stops recording and disposes the heap (every block freed at once, not recorded). Idempotent.</summary>
    public void Dispose() => _heap.Dispose(); // destroying a heap ends its recording (PymallocCore.DestroyHeap)
}
