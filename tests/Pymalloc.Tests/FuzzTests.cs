// Bounded-time fuzzing: random but well-formed traces (written as pymalloc-trace v1 text, so the
// parser is exercised too) replayed through a heap whose invariants are checked, and arbitrary
// bytes fed to the trace parser, which may only reject them with a format error.
using System;
using System.Diagnostics;
using System.IO;
using System.IO.Compression;
using System.Text;
using Pymalloc.Traces;
using Xunit;
using L = Pymalloc.Tests.TinyArenas.Layout;

namespace Pymalloc.Tests;

public sealed unsafe class FuzzTests
{
    private static readonly TimeSpan Budget = TimeSpan.FromSeconds(3);

    /// <summary>A random trace: ids reused most-recently-freed first, as the recorder does.</summary>
    private static string RandomTrace(Random random, int ops)
    {
        var s = new StringBuilder("# pymalloc-trace v1 python=fuzz alignment=16 pool=4096 arena=16384 threshold=256\n");
        var live = new System.Collections.Generic.List<int>();
        var free = new System.Collections.Generic.Stack<int>();
        int next = 0;
        int NewId() => free.Count > 0 ? free.Pop() : next++;
        for (int i = 0; i < ops; i++)
        {
            int kind = random.Next(100);
            int size = random.Next(8) == 0 ? random.Next(257, 5000) : random.Next(0, 257);
            if (live.Count == 0 || kind < 45)
            {
                int id = NewId();
                s.Append(random.Next(10) == 0 ? $"c {id} {random.Next(0, 20)} {random.Next(0, 20)}\n" : $"m {id} {size}\n");
                live.Add(id);
            }
            else if (kind < 60)
            {
                int k = random.Next(live.Count);
                int id = NewId();
                s.Append($"r {live[k]} {id} {size}\n");
                free.Push(live[k]);
                live[k] = id;
            }
            else if (kind < 63)
            {
                int id = NewId();
                s.Append($"r - {id} {size}\n");
                live.Add(id);
            }
            else
            {
                int k = random.Next(live.Count);
                s.Append($"f {live[k]}\n");
                free.Push(live[k]);
                live[k] = live[^1];
                live.RemoveAt(live.Count - 1);
            }
        }
        s.Append($"# end ops={ops}\n");
        return s.ToString();
    }

    [Fact]
    public void RandomTracesNeverBreakAnInvariant()
    {
        var clock = Stopwatch.StartNew();
        int traces = 0;
        for (int seed = 1; clock.Elapsed < Budget || traces < 5; seed++, traces++)
        {
            var random = new Random(seed);
            string text = RandomTrace(random, random.Next(1, 20_000));
            AllocationTrace trace = AllocationTrace.Load(new MemoryStream(Encoding.ASCII.GetBytes(text)));
            using var heap = Heap<L>.Create();
            CurrentHeap<L>.Heap = heap;
            ReplayResult result = TraceReplayer.Replay<CurrentHeap<L>>(trace);
            heap.Validate();
            result.FreeAll<CurrentHeap<L>>();
            heap.Validate();
            MallocStats s = heap.GetStats();
            Assert.Equal(0UL, s.BlocksInUse);
            Assert.Equal(0L, s.RawAllocatedBlocks);
        }
        Assert.True(traces >= 5);
    }

    [Fact]
    public void ArbitraryBytesAreRejectedWithAFormatErrorOrParsed()
    {
        var clock = Stopwatch.StartNew();
        var random = new Random(99);
        string[] pieces = { "m", "c", "r", "f", "-", " ", "\n", "\r\n", "#", "0", "1", "17", "99999999999999999999", "x", "\t", "# pymalloc-trace v1\n" };
        int inputs = 0;
        while (clock.Elapsed < Budget || inputs < 100)
        {
            byte[] input;
            if (random.Next(3) == 0)
            {
                input = new byte[random.Next(0, 200)];
                random.NextBytes(input);
            }
            else
            {
                var s = new StringBuilder(random.Next(2) == 0 ? "# pymalloc-trace v1\n" : "");
                for (int i = random.Next(0, 60); i > 0; i--)
                {
                    s.Append(pieces[random.Next(pieces.Length)]);
                }
                input = Encoding.ASCII.GetBytes(s.ToString());
            }
            if (random.Next(4) == 0)
            {
                var gz = new MemoryStream();
                using (var z = new GZipStream(gz, CompressionLevel.Fastest, leaveOpen: true))
                {
                    z.Write(input);
                }
                input = gz.ToArray();
            }
            try
            {
                AllocationTrace.Load(new MemoryStream(input));
            }
            catch (FormatException)
            {
            }
            catch (InvalidDataException)
            {
            }
            inputs++;
        }
    }
}
