// Replays a trace through any IUnmanagedAllocator, compiled once per allocator (static abstract
// calls, no indirection), so the same loop serves the fidelity check and the benchmarks.
using System;

namespace Pymalloc.Traces;

/// <summary>The blocks a replay left allocated, indexed by trace id. A struct, so that a replay
/// into a reused id table allocates nothing managed.</summary>
public readonly unsafe struct ReplayResult
{
    internal ReplayResult(nint[] live, int operations)
    {
        Live = live;
        Operations = operations;
    }

    /// <summary>Pointer per block id (0 where the id is not live).</summary>
    public nint[] Live { get; }

    /// <summary>Operations replayed.</summary>
    public int Operations { get; }

    /// <summary>Frees every block still live, through the allocator that made them.</summary>
    public void FreeAll<TAlloc>() where TAlloc : struct, IUnmanagedAllocator
    {
        for (int i = 0; i < Live.Length; i++)
        {
            if (Live[i] != 0)
            {
                default(TAlloc).Free((void*)Live[i]);
                Live[i] = 0;
            }
        }
    }
}

/// <summary>Replays traces with the rules of CPython 3.11's object allocator API.</summary>
public static unsafe class TraceReplayer
{
    /// <summary>
    /// Performs every operation of <paramref name="trace"/> through <typeparamref name="TAlloc"/>, in
    /// order. Blocks still live at the end stay allocated (statistics describe them); see
    /// <see cref="ReplayResult.FreeAll{TAlloc}"/>.
    /// </summary>
    /// <exception cref="InvalidOperationException">The allocator returned null, or the trace used an id
    /// that was not live (a malformed trace).</exception>
    public static ReplayResult Replay<TAlloc>(AllocationTrace trace) where TAlloc : struct, IUnmanagedAllocator
    {
        ArgumentNullException.ThrowIfNull(trace);
        return Replay<TAlloc>(trace, new nint[trace.MaxId]);
    }

    /// <summary>As <see cref="Replay{TAlloc}(AllocationTrace)"/>, with a caller-provided id table of at least
    /// <see cref="AllocationTrace.MaxId"/> zeroed slots (so that repeated replays allocate nothing managed).</summary>
    public static ReplayResult Replay<TAlloc>(AllocationTrace trace, nint[] live) where TAlloc : struct, IUnmanagedAllocator
        => Replay<TAlloc>(trace, live, null);

    /// <summary>As <see cref="Replay{TAlloc}(AllocationTrace, nint[])"/>, writing the index of the operation
    /// under way to <paramref name="opIndex"/> (if not null) before each one, for arena placement checks.</summary>
    public static ReplayResult Replay<TAlloc>(AllocationTrace trace, nint[] live, int* opIndex) where TAlloc : struct, IUnmanagedAllocator
    {
        ArgumentNullException.ThrowIfNull(trace);
        ArgumentNullException.ThrowIfNull(live);
        if (live.Length < trace.MaxId)
        {
            throw new ArgumentException($"The id table needs {trace.MaxId} slots.", nameof(live));
        }
        TraceOp[] ops = trace.Ops;
        for (int i = 0; i < ops.Length; i++)
        {
            TraceOp op = ops[i];
            if (opIndex != null)
            {
                *opIndex = i;
            }
            void* p;
            switch (op.Kind)
            {
                case TraceOpKind.Malloc:
                    p = default(TAlloc).Malloc((nuint)op.Size);
                    Store(live, op.Id, p, i);
                    break;
                case TraceOpKind.Calloc:
                    p = default(TAlloc).Calloc((nuint)op.Count, (nuint)op.Size);
                    Store(live, op.Id, p, i);
                    break;
                case TraceOpKind.Realloc:
                    p = default(TAlloc).Realloc(Take(live, op.Id, i), (nuint)op.Size);
                    Store(live, op.NewId, p, i);
                    break;
                case TraceOpKind.ReallocNull:
                    p = default(TAlloc).Realloc(null, (nuint)op.Size);
                    Store(live, op.NewId, p, i);
                    break;
                default:
                    default(TAlloc).Free(Take(live, op.Id, i));
                    break;
            }
        }
        return new ReplayResult(live, ops.Length);
    }

    private static void Store(nint[] live, int id, void* p, int op)
    {
        if (p == null)
        {
            throw new InvalidOperationException($"Op {op}: the allocator returned null.");
        }
        if (live[id] != 0)
        {
            throw new InvalidOperationException($"Op {op}: block id {id} is already live.");
        }
        live[id] = (nint)p;
    }

    private static void* Take(nint[] live, int id, int op)
    {
        nint p = live[id];
        if (p == 0)
        {
            throw new InvalidOperationException($"Op {op}: block id {id} is not live.");
        }
        live[id] = 0;
        return (void*)p;
    }
}
