// Replays a trace through a heap of a run-time layout and returns its statistics: what CPython
// built with that layout would print for the same calls (pool-aligned arenas, as the tool's default
// arena source maps them).
using System;
using System.Diagnostics;
using System.Reflection;
using System.Threading;
using Pymalloc.Generator;
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
        Type layoutType = LayoutSlots.Take();
        layoutType.GetMethod("Configure", BindingFlags.Public | BindingFlags.Static)!
            .Invoke(null, new object[] { new LayoutModel(layout), LayoutChoice.Describe(layout) });
        MethodInfo run = typeof(LayoutReplay).GetMethod(nameof(RunTyped), BindingFlags.NonPublic | BindingFlags.Static)!
            .MakeGenericMethod(layoutType);
        try
        {
            return (Result)run.Invoke(null, new object?[] { trace, layout, progress })!;
        }
        catch (TargetInvocationException e) when (e.InnerException is not null)
        {
            throw e.InnerException;
        }
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
