// Recording one heap's calls to a stream: for a level, or a range of frames, when PYMALLOC_TRACE
// (which records a whole run of the static API) is too much. A separate type rather than a switch
// on Heap<TLayout>, so that heaps that do not record carry no test for it on their fast paths.
//
// Invariants: each call and its line are made under the recorder's lock (the file's order is the
// heap's); frees other threads hand over are recorded when the owner's drain frees them; after
// StopRecording the heap works on, unrecorded, and the file is complete (its end line written).
using System;
using System.IO;
using System.Runtime.InteropServices;
using Pymalloc.Runtime;

namespace Pymalloc;

/// <summary>A heap whose calls are written to a stream as a <c>pymalloc-trace v1</c> file until
/// <see cref="StopRecording"/> or <see cref="Dispose"/>. Replay the file with <c>pymalloc replay</c>,
/// or let <c>pymalloc advise</c> choose a layout for it.</summary>
public sealed unsafe class RecordingHeap<TLayout> : IDisposable where TLayout : struct, IPymallocLayout
{
    private readonly Heap<TLayout> _heap;
    private TraceRecorder? _recorder;

    private RecordingHeap(Heap<TLayout> heap, TraceRecorder recorder)
    {
        _heap = heap;
        _recorder = recorder;
        heap.State->Recorder = GCHandle.ToIntPtr(GCHandle.Alloc(recorder));
    }

    /// <summary>Creates a heap (owned by the calling thread) that records to <paramref name="stream"/>
    /// (closed when the recording stops; wrap it in a GZipStream for a .gz file).</summary>
    public static RecordingHeap<TLayout> Create(Stream stream, string name = "recording heap")
    {
        var recorder = new TraceRecorder(stream, name, 1 << default(TLayout).AlignmentShift, 1 << default(TLayout).PoolSizeShift,
            1 << default(TLayout).ArenaBits, (int)default(TLayout).SmallRequestThreshold);
        return new RecordingHeap<TLayout>(Heap<TLayout>.Create(), recorder);
    }

    /// <summary>The heap itself, for statistics and everything not recorded (its calls made directly
    /// are not recorded).</summary>
    public Heap<TLayout> Heap => _heap;

    /// <summary>True until <see cref="StopRecording"/>.</summary>
    public bool IsRecording => _recorder is not null;

    /// <summary><see cref="Heap{TLayout}.Malloc"/>, recorded.</summary>
    public void* Malloc(nuint size)
    {
        TraceRecorder? recorder = _recorder;
        if (recorder is null)
        {
            return _heap.Malloc(size);
        }
        lock (recorder.Gate)
        {
            void* block = _heap.Malloc(size);
            recorder.Malloc(block, size, _heap.IsOwned(block));
            return block;
        }
    }

    /// <summary><see cref="Heap{TLayout}.Calloc"/>, recorded.</summary>
    public void* Calloc(nuint count, nuint size)
    {
        TraceRecorder? recorder = _recorder;
        if (recorder is null)
        {
            return _heap.Calloc(count, size);
        }
        lock (recorder.Gate)
        {
            void* block = _heap.Calloc(count, size);
            recorder.Calloc(block, count, size, _heap.IsOwned(block));
            return block;
        }
    }

    /// <summary><see cref="Heap{TLayout}.Realloc"/>, recorded.</summary>
    public void* Realloc(void* ptr, nuint size)
    {
        TraceRecorder? recorder = _recorder;
        if (recorder is null)
        {
            return _heap.Realloc(ptr, size);
        }
        lock (recorder.Gate)
        {
            void* block = _heap.Realloc(ptr, size);
            recorder.Realloc(ptr, block, size, _heap.IsOwned(block));
            return block;
        }
    }

    /// <summary><see cref="Heap{TLayout}.Free"/>, from any thread; recorded when the heap frees it.</summary>
    public void Free(void* ptr)
    {
        TraceRecorder? recorder = _recorder;
        if (recorder is null)
        {
            _heap.Free(ptr);
            return;
        }
        lock (recorder.Gate)
        {
            HeapState* state = _heap.State;
            bool direct = !default(TLayout).ChecksOwner || PymallocCore<TLayout>.IsOwner(state);
            _heap.Free(ptr);
            if (direct || PymallocCore<TLayout>.IsOwner(state)) // freed now (an unowned heap is taken)
            {
                recorder.Free(ptr); // otherwise handed over: the owner's drain records it
            }
        }
    }

    /// <summary>Writes the end line and closes the stream; the heap works on, unrecorded.</summary>
    public void StopRecording()
    {
        TraceRecorder? recorder = _recorder;
        if (recorder is null)
        {
            return;
        }
        lock (recorder.Gate)
        {
            _recorder = null;
            nint handle = _heap.State->Recorder;
            _heap.State->Recorder = 0;
            GCHandle.FromIntPtr(handle).Free();
            recorder.Complete();
        }
    }

    /// <summary>Stops recording and disposes the heap (every block freed at once, not recorded).</summary>
    public void Dispose()
    {
        StopRecording();
        _heap.Dispose();
    }
}
