// Length-carrying buffers and the MemoryPool<byte> adapter: what APIs that take Span/Memory need.
using System;
using System.Buffers;
using Xunit;
using L = Pymalloc.Generated.PymallocAllocator.Layout;

namespace Pymalloc.Tests;

/// <summary>Used only by BufferTests: its static heap belongs to that test's thread.</summary>
[PymallocConfig(Preset = PymallocPreset.CPython38)]
internal static partial class BufferAllocator
{
}

public sealed unsafe class BufferTests
{
    [Fact]
    public void TheGeneratedStaticApiHandsOutBuffersToo()
    {
        UnmanagedBuffer<long> buffer = BufferAllocator.NewBuffer<long>(10);
        Assert.Equal(10, buffer.Span.Length);
        buffer.Span.Fill(3);
        Assert.True(BufferAllocator.Contains(buffer.Pointer));
        BufferAllocator.Free(buffer.Pointer);
        UnmanagedBuffer<long> empty = BufferAllocator.NewBuffer<long>(0); // malloc(0): a raw block, as in CPython
        Assert.Equal(0, empty.Length);
        Assert.False(empty.IsNull);
        BufferAllocator.Free(empty.Pointer);
        Assert.Throws<ArgumentOutOfRangeException>(() => BufferAllocator.NewBuffer<long>(-1));
        BufferAllocator.ReleaseOwnership();
    }

    [Fact]
    public void ABufferKnowsItsLengthAndChecksItsBounds()
    {
        using Heap<L> heap = Heap<L>.Create();
        UnmanagedBuffer<int> buffer = heap.NewBuffer<int>(100);
        Assert.False(buffer.IsNull);
        Assert.Equal(100, buffer.Length);
        Assert.Equal(100, buffer.Span.Length);
        buffer.Span.Fill(7);
        buffer[99] = 42;
        Assert.Equal(42, buffer.Pointer[99]);
        Assert.True(heap.Contains(buffer.Pointer)); // 400 bytes: a pool block
        bool threw = false;
        try
        {
            buffer[100] = 1;
        }
        catch (IndexOutOfRangeException)
        {
            threw = true;
        }
        Assert.True(threw);
        heap.Free(buffer.Pointer);
        Assert.Throws<ArgumentOutOfRangeException>(() => heap.NewBuffer<int>(-1));
        Assert.True(default(UnmanagedBuffer<int>).IsNull);
        Assert.Equal(0, default(UnmanagedBuffer<int>).Span.Length);
    }

    [Fact]
    public void TheMemoryPoolRentsHeapBlocksAndFreesThemOnceOnDispose()
    {
        using Heap<L> heap = Heap<L>.Create();
        using var pool = new PymallocMemoryPool<L>(heap);
        IMemoryOwner<byte> small = pool.Rent(100);
        Assert.Equal(100, small.Memory.Length);
        small.Memory.Span.Fill(0xAB);
        using (MemoryHandle pinned = small.Memory.Pin())
        {
            Assert.True(heap.Contains(pinned.Pointer));
            Assert.Equal(0xAB, ((byte*)pinned.Pointer)[99]);
        }
        Assert.Equal(512, pool.Rent().Memory.Length); // the default: one pool block of the threshold
        IMemoryOwner<byte> large = pool.Rent(100_000); // above the threshold: a raw block
        Assert.Equal(100_000, large.Memory.Length);

        MallocStats before = heap.GetStats();
        small.Dispose();
        small.Dispose(); // once only: no double free reaches the heap
        Assert.Throws<ObjectDisposedException>(() => small.Memory.Span.Length);
        large.Dispose();
        MallocStats after = heap.GetStats();
        Assert.Equal(before.SizeClasses[6].BlocksInUse - 1, after.SizeClasses[6].BlocksInUse); // 100 bytes: class 6
        Assert.Equal(before.RawAllocatedBlocks - 1, after.RawAllocatedBlocks);
        heap.Validate();
    }

    [Fact]
    public void ARentalMayBeReturnedFromAnotherThread()
    {
        using Heap<L> heap = Heap<L>.Create();
        var pool = new PymallocMemoryPool<L>(heap);
        IMemoryOwner<byte> rental = pool.Rent(64);
        Assert.Null(OtherThread.Run(rental.Dispose));
        heap.DrainDelayedFrees();
        Assert.Equal(0UL, heap.GetStats().SizeClasses[3].BlocksInUse);
    }
}
