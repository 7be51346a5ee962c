// The workloads, written once as generic loops over IUnmanagedAllocator: the JIT compiles one
// copy per allocator with direct calls, so every peer runs exactly the same code around its calls.
using System;
using System.Runtime.CompilerServices;

namespace Pymalloc.Benchmarks;

internal static unsafe class Workloads
{
    /// <summary>n malloc+free pairs of one size; the block is written so it is really used.</summary>
    public static void Pairs<T>(nuint size, int n) where T : struct, IUnmanagedAllocator
    {
        for (int i = 0; i < n; i++)
        {
            var p = (long*)default(T).Malloc(size);
            *p = i;
            default(T).Free(p);
        }
    }

    /// <summary>
    /// <see cref="Batch{T}"/> through the generated <c>New&lt;TBlock&gt;()</c>: the size is sizeof(TBlock), a
    /// JIT-time constant, so each call is one size class's fast path with no size-class computation —
    /// the path the generated per-class methods exist for.
    /// </summary>
    public static void BatchNew<TBlock>(void** slots, int[] order) where TBlock : unmanaged
    {
        int n = order.Length;
        for (int i = 0; i < n; i++)
        {
            var p = (long*)global::Pymalloc.Generated.PymallocAllocator.New<TBlock>();
            *p = i;
            slots[i] = p;
        }
        for (int i = 0; i < n; i++)
        {
            global::Pymalloc.Generated.PymallocAllocator.Free(slots[order[i]]);
        }
    }

    /// <summary>count allocations, then count frees in the order given by <paramref name="order"/>.</summary>
    public static void Batch<T>(nuint size, void** slots, int[] order) where T : struct, IUnmanagedAllocator
    {
        int n = order.Length;
        for (int i = 0; i < n; i++)
        {
            var p = (long*)default(T).Malloc(size);
            *p = i;
            slots[i] = p;
        }
        for (int i = 0; i < n; i++)
        {
            default(T).Free(slots[order[i]]);
        }
    }

    /// <summary>
    /// A live set in steady state (mimalloc-bench's alloc-test style): each step frees a random
    /// live object and allocates a new one of a random size in its place, touching both ends.
    /// </summary>
    public static void Replace<T>(void** live, nuint* sizes, int[] victims, nuint[] newSizes) where T : struct, IUnmanagedAllocator
    {
        for (int i = 0; i < victims.Length; i++)
        {
            int k = victims[i];
            var old = (byte*)live[k];
            // Reading the object before freeing it, as a program would.
            if (old[0] != (byte)sizes[k])
            {
                throw new InvalidOperationException("live object overwritten");
            }
            default(T).Free(old);
            nuint size = newSizes[i];
            var p = (byte*)default(T).Malloc(size);
            p[0] = (byte)size;
            p[size - 1] = 1;
            live[k] = p;
            sizes[k] = size;
        }
    }

    /// <summary>Fills a live set for <see cref="Replace{T}"/>.</summary>
    public static void Fill<T>(void** live, nuint* sizes, nuint[] initialSizes) where T : struct, IUnmanagedAllocator
    {
        for (int i = 0; i < initialSizes.Length; i++)
        {
            nuint size = initialSizes[i];
            var p = (byte*)default(T).Malloc(size);
            p[0] = (byte)size;
            p[size - 1] = 1;
            live[i] = p;
            sizes[i] = size;
        }
    }

    public static void FreeAll<T>(void** live, int n) where T : struct, IUnmanagedAllocator
    {
        for (int i = 0; i < n; i++)
        {
            default(T).Free(live[i]);
            live[i] = null;
        }
    }

    /// <summary>Sizes skewed towards small objects, 8..512 bytes (most programs' shape).</summary>
    public static nuint[] SkewedSizes(int n, int seed)
    {
        var random = new Random(seed);
        var sizes = new nuint[n];
        for (int i = 0; i < n; i++)
        {
            double r = random.NextDouble();
            sizes[i] = (nuint)(8 + (int)(504 * r * r * r));
        }
        return sizes;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    public static void Consume(object o) => s_sink = o;

    private static object? s_sink;
}
