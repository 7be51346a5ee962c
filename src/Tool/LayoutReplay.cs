// Replays a trace through a heap of a run-time layout and returns its statistics: what CPython
// built with that layout would print for the same calls (pool-aligned arenas, as the tool's default
// arena source maps them).
using System;
using System.Diagnostics;
using System.Reflection;
using System.Threading;
using Pymalloc.Generator;
using Pymalloc.Runtime;
using Pymalloc.Traces;

namespace Pymalloc.Tool;

internal static unsafe class LayoutReplay
{
    /// <summary>The outcome of one replay.</summary>
    public sealed record Result(LayoutConfig Layout, MallocStats Stats, TimeSpan Elapsed, int Operations);

    /// <summary>Replays <paramref name="trace"/> under <paramref name="layout"/> (already checked);
    /// <paramref name="progress"/> is told the share done now and then (null: not told).</summary>
    public static Result Run(AllocationTrace trace, LayoutConfig layout, Action<double>? progress = null)
    {
        return (Result)UnderLayout(layout, nameof(RunTyped), trace, layout, progress)!;
    }

    private static Result RunTyped<TLayout>(AllocationTrace trace, LayoutConfig layout, Action<double>? progress)
        where TLayout : struct, IPymallocLayout
    {
        using Heap<TLayout> heap = Heap<TLayout>.Create();
        HeapApi<TLayout>.Heap = heap;
        var opIndex = new int[1]; // the replayer writes the op under way here; the ticker reads it
        using var ticker = progress is null ? null : new Timer(_ => progress(Volatile.Read(ref opIndex[0]) / (double)trace.Ops.Length), null, 500, 500);
        var clock = Stopwatch.StartNew();
        try
        {
            fixed (int* at = opIndex)
            {
                TraceReplayer.Replay<HeapApi<TLayout>>(trace, new nint[trace.MaxId], at);
            }
        }
        finally
        {
            HeapApi<TLayout>.Heap = default;
        }
        TimeSpan elapsed = clock.Elapsed;
        progress?.Invoke(1);
        return new Result(layout, heap.GetStats(), elapsed, trace.Ops.Length);
    }

    /// <summary>Calls the generic method <paramref name="method"/> of this class instantiated over a fresh
    /// run-time layout configured as <paramref name="layout"/>; its exceptions come out unwrapped.</summary>
    private static object? UnderLayout(LayoutConfig layout, string method, params object?[] args)
    {
        Type layoutType = LayoutSlots.Take();
        layoutType.GetMethod("Configure", BindingFlags.Public | BindingFlags.Static)!
            .Invoke(null, new object[] { new LayoutModel(layout), LayoutChoice.Describe(layout) });
        MethodInfo run = typeof(LayoutReplay).GetMethod(method, BindingFlags.NonPublic | BindingFlags.Static)!.MakeGenericMethod(layoutType);
        try
        {
            return run.Invoke(null, args);
        }
        catch (TargetInvocationException e) when (e.InnerException is not null)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(e.InnerException).Throw();
            throw;
        }
    }

    /// <summary>A replay watched operation by operation (what advise measures).</summary>
    /// <param name="Stats">The statistics where the replay stopped.</param>
    /// <param name="PeakMappedBytes">The largest arenas + raw bytes seen after any operation.</param>
    /// <param name="PeakOp">The first operation after which that peak was reached.</param>
    /// <param name="ArenaBytes">Arenas mapped where the replay stopped, in bytes.</param>
    /// <param name="RawBytes">Raw blocks live where the replay stopped, as glibc chunks.</param>
    /// <param name="RoundingBytes">Live pool blocks' bytes beyond their requests, where the replay stopped.</param>
    /// <param name="Requests">Allocating calls replayed.</param>
    /// <param name="PoolRequests">Those served from the pools.</param>
    public sealed record Observed(MallocStats Stats, ulong PeakMappedBytes, int PeakOp, ulong ArenaBytes, ulong RawBytes,
        ulong RoundingBytes, long Requests, long PoolRequests, TimeSpan Elapsed);

    /// <summary>Replays <paramref name="trace"/> under <paramref name="layout"/> (checked) up to and including
    /// op <paramref name="stopAfter"/> (all of it for -1), watching memory after every op.</summary>
    public static Observed Observe(AllocationTrace trace, LayoutConfig layout, int stopAfter)
    {
        return (Observed)UnderLayout(layout, nameof(ObserveTyped), trace, stopAfter)!;
    }

    /// <summary>What glibc's malloc takes for an n-byte request: a chunk of n + 8 bytes rounded up to 16, at least 32.</summary>
    public static ulong RawChunk(ulong n) => Math.Max(32, (n + 8 + 15) & ~15UL);

    private static Observed ObserveTyped<TLayout>(AllocationTrace trace, int stopAfter) where TLayout : struct, IPymallocLayout
    {
        using Heap<TLayout> heap = Heap<TLayout>.Create();
        TraceOp[] ops = trace.Ops;
        var live = new nint[trace.MaxId];
        var sizes = new ulong[trace.MaxId];
        ulong arenaSize = (ulong)PymallocCore<TLayout>.ArenaSize;
        int shift = default(TLayout).AlignmentShift;
        ulong raw = 0, rounding = 0, peak = 0;
        long requests = 0, poolRequests = 0;
        int peakOp = 0, last = stopAfter < 0 ? ops.Length - 1 : Math.Min(stopAfter, ops.Length - 1);
        var clock = Stopwatch.StartNew();
        for (int i = 0; i <= last; i++)
        {
            TraceOp op = ops[i];
            switch (op.Kind)
            {
                case TraceOpKind.Malloc:
                    Placed(op.Id, heap.Malloc((nuint)op.Size), op.Size);
                    break;
                case TraceOpKind.Calloc:
                    Placed(op.Id, heap.Calloc((nuint)op.Count, (nuint)op.Size), op.Count * op.Size);
                    break;
                case TraceOpKind.Realloc:
                    void* old = (void*)live[op.Id];
                    Gone(op.Id);
                    Placed(op.NewId, heap.Realloc(old, (nuint)op.Size), op.Size);
                    break;
                case TraceOpKind.ReallocNull:
                    Placed(op.NewId, heap.Realloc(null, (nuint)op.Size), op.Size);
                    break;
                default:
                    void* p = (void*)live[op.Id];
                    Gone(op.Id);
                    heap.Free(p);
                    break;
            }
            ulong mapped = (ulong)heap.State->ArenasCurrentlyAllocated * arenaSize + raw;
            if (mapped > peak)
            {
                (peak, peakOp) = (mapped, i);
            }
        }
        TimeSpan elapsed = clock.Elapsed;
        ulong arenas = (ulong)heap.State->ArenasCurrentlyAllocated * arenaSize;
        return new Observed(heap.GetStats(), peak, peakOp, arenas, raw, rounding, requests, poolRequests, elapsed);

        void Placed(int id, void* block, ulong request)
        {
            if (block == null)
            {
                throw new InvalidOperationException($"the allocator returned null for a request of {request} bytes.");
            }
            live[id] = (nint)block;
            sizes[id] = request;
            requests++;
            if (heap.Contains(block))
            {
                poolRequests++;
                rounding += ((((request - 1) >> shift) + 1) << shift) - request;
            }
            else
            {
                raw += RawChunk(request);
            }
        }

        void Gone(int id)
        {
            void* block = (void*)live[id];
            ulong request = sizes[id];
            if (heap.Contains(block))
            {
                rounding -= ((((request - 1) >> shift) + 1) << shift) - request;
            }
            else
            {
                raw -= RawChunk(request);
            }
            live[id] = 0;
        }
    }

    /// <summary>The heap a replay runs on, as the replayer's allocator contract.</summary>
    private readonly struct HeapApi<TLayout> : IUnmanagedAllocator where TLayout : struct, IPymallocLayout
    {
        public static Heap<TLayout> Heap;

        public void* Malloc(nuint size) => Heap.Malloc(size);

        public void* Calloc(nuint count, nuint size) => Heap.Calloc(count, size);

        public void* Realloc(void* ptr, nuint size) => Heap.Realloc(ptr, size);

        public void Free(void* ptr) => Heap.Free(ptr);
    }
}
