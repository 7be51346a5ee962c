// A heap instance in debug mode: every call goes through the PYMALLOC_DEBUG layer, and a disposed
// heap stays recognisable, so a call through it (a free of one of its blocks, a late allocation)
// is reported instead of touching released memory.
using System;
using Pymalloc.Runtime;

namespace Pymalloc;

/// <summary>An independent heap with CPython's debug hooks (see <see cref="PymallocDebug{TLayout}"/>).
/// A class, not a handle: it knows when it has been disposed. Any thread may use it: every call,
/// Dispose included, holds the heap's lock.</summary>
public sealed unsafe class DebugHeap<TLayout> : IDisposable where TLayout : struct, IPymallocLayout
{
    private readonly DebugState _debug;
    private HeapState* _state;

    private DebugHeap(HeapState* state, string name)
    {
        _state = state;
        _debug = new DebugState(name);
    }

    /// <summary>Creates a debug heap, usable from any thread (its calls are serialised by a lock).</summary>
    public static DebugHeap<TLayout> Create(string name = "debug heap")
    {
        HeapState* state = PymallocCore<TLayout>.CreateHeap();
        if (state == null)
        {
            throw new OutOfMemoryException("Cannot allocate a pymalloc heap.");
        }
        PymallocCore<TLayout>.ReleaseOwnership(state); // owned by no thread: the debug layer's lock orders the calls
        PymallocDebug<TLayout>.Attach(state);
        return new DebugHeap<TLayout>(state, name);
    }

    /// <summary>True once disposed.</summary>
    public bool IsDisposed => _state == null;

    /// <summary>Allocates <paramref name="size"/> bytes filled with CLEANBYTE.</summary>
    public void* Malloc(nuint size)
    {
        lock (_debug)
        {
            return PymallocDebug<TLayout>.Malloc(Live("malloc"), _debug, size, PymallocDebug<TLayout>.ObjectApi);
        }
    }

    /// <summary>Allocates zeroed memory; null if the product overflows.</summary>
    public void* Calloc(nuint count, nuint size)
    {
        lock (_debug)
        {
            return PymallocDebug<TLayout>.Calloc(Live("calloc"), _debug, count, size, PymallocDebug<TLayout>.ObjectApi);
        }
    }

    /// <summary>Resizes by moving; checks the old block.</summary>
    public void* Realloc(void* ptr, nuint size)
    {
        lock (_debug)
        {
            return PymallocDebug<TLayout>.Realloc(Live("realloc"), _debug, ptr, size, PymallocDebug<TLayout>.ObjectApi);
        }
    }

    /// <summary>Checks and frees a block.</summary>
    public void Free(void* ptr)
    {
        lock (_debug)
        {
            PymallocDebug<TLayout>.Free(Live("free"), _debug, ptr, PymallocDebug<TLayout>.ObjectApi);
        }
    }

    /// <summary>Allocates an uninitialised <typeparamref name="T"/> through the typed API ('t').</summary>
    public T* New<T>() where T : unmanaged
    {
        lock (_debug)
        {
            return (T*)PymallocDebug<TLayout>.Malloc(Live("New"), _debug, (nuint)sizeof(T), PymallocDebug<TLayout>.TypedApi);
        }
    }

    /// <summary>Frees an object from <see cref="New{T}"/>.</summary>
    public void Delete<T>(T* ptr) where T : unmanaged
    {
        lock (_debug)
        {
            PymallocDebug<TLayout>.Free(Live("Delete"), _debug, ptr, PymallocDebug<TLayout>.TypedApi);
        }
    }

    /// <summary>Checks every block's guards and every freed block's fill, and the heap's invariants.</summary>
    public void CheckHeap()
    {
        lock (_debug)
        {
            PymallocDebug<TLayout>.CheckHeap(Live("CheckHeap"), _debug);
        }
    }

    /// <summary>A snapshot of the heap's statistics (blocks include the 32 debug bytes each).</summary>
    public MallocStats GetStats()
    {
        lock (_debug)
        {
            return PymallocCore<TLayout>.GetStats(Live("GetStats"));
        }
    }

    /// <summary>Returns every arena at once. Any later call through this heap is reported.</summary>
    public void Dispose()
    {
        // Under the lock every call holds: a call on another thread either finishes first or, after
        // this, finds the heap disposed — never a heap being torn down under it.
        lock (_debug)
        {
            if (_state != null)
            {
                PymallocCore<TLayout>.DestroyHeap(_state);
                _state = null;
            }
        }
    }

    private HeapState* Live(string operation)
        => _state != null
            ? _state
            : throw new HeapCorruptionException($"{_debug.Name}: {operation} through a disposed heap: its blocks were released when it was disposed.");
}
