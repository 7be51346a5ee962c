// Model-based tests: random operation sequences (CsCheck) run against a heap and a simple model of
// what must be true. Every block carries a pattern written when it is allocated and checked before
// it is resized or freed, so overlapping blocks, lost data and wrong copies show up; the heap's
// statistics are compared with the model's counts as the run goes.
using System;
using System.Collections.Generic;
using System.Threading;
using CsCheck;
using Pymalloc.Runtime;
using Xunit;
using L = Pymalloc.Generated.PymallocAllocator.Layout;

namespace Pymalloc.Tests;

public sealed unsafe class ModelTests
{
    private enum Kind : byte { Malloc, Calloc, Realloc, Free }

    private readonly record struct Op(Kind Kind, int Size, int Count, int Pick);

    /// <summary>One live block as the model knows it.</summary>
    private struct Block
    {
        public byte* Pointer;
        public int Size;
        public int Seed;
        public int Class; // -1 for a raw block
        public bool Pooled => Class >= 0;
    }

    // Mostly small requests, as in CPython, with the edges: 0, the threshold, and raw sizes.
    private static readonly Gen<int> Size = Gen.Frequency(
        (8, Gen.Int[1, 128]),
        (4, Gen.Int[129, 512]),
        (1, Gen.Const(0)),
        (1, Gen.Const(512)),
        (1, Gen.Int[513, 2048]));

    private static readonly Gen<Op> AnyOp = Gen.Frequency(
        (6, Size.Select(s => new Op(Kind.Malloc, s, 0, 0))),
        (1, Gen.Select(Gen.Int[0, 40], Gen.Int[0, 24], (n, e) => new Op(Kind.Calloc, e, n, 0))),
        (3, Gen.Select(Size, Gen.Int[0, int.MaxValue], (s, p) => new Op(Kind.Realloc, s, 0, p))),
        (5, Gen.Int[0, int.MaxValue].Select(p => new Op(Kind.Free, 0, 0, p))));

    // The ramp the patterns are cut from: block with seed s holds Ramp[s .. s + size).
    private static readonly byte[] Ramp = CreateRamp();

    private static byte[] CreateRamp()
    {
        var ramp = new byte[4096 + 256];
        for (int i = 0; i < ramp.Length; i++)
        {
            ramp[i] = (byte)(i * 7 + (i >> 8));
        }
        return ramp;
    }

    private static long s_operations;

    [Fact]
    public void AMillionRandomOperationsKeepEveryBlockIntactAndTheStatisticsExact()
    {
        AnyOp.Array[20_000, 60_000].Sample(Run, iter: 30, seed: null);
        Assert.True(Interlocked.Read(ref s_operations) >= 1_000_000, $"only {s_operations} operations ran");
    }

    private static void Run(Op[] ops)
    {
        using var heap = Heap<L>.Create();
        var live = new List<Block>();
        var perClass = new long[L.NumSizeClasses];
        long raw = 0;
        int nextSeed = 0;

        // keptClass: a realloc that kept its block keeps the block's class, whatever the new size.
        void Add(byte* p, int size, bool pooled, int keptClass = -1)
        {
            Assert.True(p != null, "allocation failed");
            Assert.Equal(pooled, heap.Contains(p));
            if (pooled)
            {
                Assert.Equal(0, (int)((nuint)p % L.Alignment));
                int cls = keptClass >= 0 ? keptClass : (size - 1) >> L.AlignmentShift;
                Assert.Equal((uint)cls, PymallocCore<L>.PoolOf(p)->SizeIndex);
                perClass[cls]++;
            }
            else
            {
                raw++;
            }
            int seed = nextSeed++ % 251;
            Ramp.AsSpan(seed, size).CopyTo(new Span<byte>(p, size));
            live.Add(new Block { Pointer = p, Size = size, Seed = seed, Class = pooled ? (int)PymallocCore<L>.PoolOf(p)->SizeIndex : -1 });
        }

        void Forget(int index)
        {
            Block b = live[index];
            if (b.Pooled)
            {
                perClass[b.Class]--;
            }
            else
            {
                raw--;
            }
            live[index] = live[^1];
            live.RemoveAt(live.Count - 1);
        }

        static void Verify(Block b, int length)
        {
            if (!Ramp.AsSpan(b.Seed, length).SequenceEqual(new ReadOnlySpan<byte>(b.Pointer, length)))
            {
                Assert.Fail($"block at 0x{(nuint)b.Pointer:x} ({b.Size} bytes) was overwritten");
            }
        }

        static bool IsSmall(int n) => n >= 1 && n <= L.SmallRequestThreshold;

        for (int i = 0; i < ops.Length; i++)
        {
            Op op = ops[i];
            switch (op.Kind)
            {
                case Kind.Malloc:
                    Add((byte*)heap.Malloc((nuint)op.Size), op.Size, IsSmall(op.Size));
                    break;
                case Kind.Calloc:
                {
                    int n = op.Count * op.Size;
                    var p = (byte*)heap.Calloc((nuint)op.Count, (nuint)op.Size);
                    Assert.True(p != null && new ReadOnlySpan<byte>(p, n).IndexOfAnyExcept((byte)0) < 0, "calloc memory not zeroed");
                    Add(p, n, IsSmall(n));
                    break;
                }
                case Kind.Realloc when live.Count > 0:
                {
                    int index = op.Pick % live.Count;
                    Block b = live[index];
                    Verify(b, b.Size);
                    uint blockSize = b.Pooled ? PymallocCore<L>.BlockSize((uint)b.Class) : 0;
                    bool stays = b.Pooled && op.Size <= blockSize && 4 * (uint)op.Size > 3 * blockSize;
                    var q = (byte*)heap.Realloc(b.Pointer, (nuint)op.Size);
                    Assert.True(q != null);
                    if (b.Pooled)
                    {
                        // A moved pool block was allocated before the old one was freed: never the same.
                        Assert.Equal(stays, q == b.Pointer);
                    }
                    int kept = Math.Min(b.Size, op.Size);
                    Verify(new Block { Pointer = q, Size = kept, Seed = b.Seed, Class = b.Class }, kept);
                    Forget(index);
                    Add(q, op.Size, b.Pooled && (stays || IsSmall(op.Size)), stays ? b.Class : -1);
                    break;
                }
                case Kind.Free when live.Count > 0:
                {
                    int index = op.Pick % live.Count;
                    Verify(live[index], live[index].Size);
                    heap.Free(live[index].Pointer);
                    Forget(index);
                    break;
                }
            }
            if (i % 2048 == 0 || i == ops.Length - 1)
            {
                CheckStatistics(heap.GetStats(), perClass, raw);
                heap.Validate();
            }
        }
        Interlocked.Add(ref s_operations, ops.Length);

        foreach (Block b in live)
        {
            Verify(b, b.Size);
            heap.Free(b.Pointer);
        }
        heap.Validate();
        MallocStats end = heap.GetStats();
        Assert.Equal(0UL, end.BlocksInUse);
        Assert.Equal(0L, end.RawAllocatedBlocks);
        Assert.True(end.ArenasAllocatedCurrent <= 1, "only the last usable arena may stay when the heap is empty");
    }

    private static void CheckStatistics(MallocStats s, long[] perClass, long raw)
    {
        for (int c = 0; c < perClass.Length; c++)
        {
            Assert.Equal((ulong)perClass[c], s.SizeClasses[c].BlocksInUse);
            Assert.Equal(s.SizeClasses[c].Pools * s.SizeClasses[c].BlocksPerPool,
                s.SizeClasses[c].BlocksInUse + s.SizeClasses[c].AvailableBlocks);
        }
        Assert.Equal(raw, s.RawAllocatedBlocks);
        Assert.Equal(s.ArenasAllocatedCurrent * s.ArenaSize,
            s.AllocatedBytes + s.AvailableBytes + s.UnusedPools * s.PoolSize + s.PoolHeaderBytes + s.QuantizationBytes + s.ArenaAlignmentBytes);
        Assert.True(s.ArenasHighwater >= s.ArenasAllocatedCurrent);
    }
}
