// What a Unity-like host must be able to count on, run under Mono by Launcher.exe:
//   1. a CPython trace replayed through the generated allocator prints CPython's own statistics;
//   2. a random sequence of calls agrees with a model of the live blocks, and Validate() holds;
//   3. debug mode reports a double free as an exception.
// Written at C# 9 against the netstandard2.1 asset, as Unity compiles user code.
using System;
using System.Collections.Generic;
using System.IO;
using System.IO.Compression;
using Pymalloc;
using Pymalloc.Generated;

[assembly: PymallocConfig]

namespace MonoConsumer
{
    [PymallocConfig(Debug = true)]
    public static partial class DebugAllocator
    {
    }

    // Another layout with the hardened checks (its 128-bit multiply is netstandard2.1's own code).
    [PymallocConfig(Preset = PymallocPreset.CPython38, Hardened = true)]
    public static partial class HardenedAllocator
    {
    }

    // Blocks aligned beyond 16 bytes: its raw blocks take netstandard2.1's aligned allocation.
    [PymallocConfig(Alignment = 32, SmallRequestThreshold = 512)]
    public static partial class WideAllocator
    {
    }

    public static unsafe class Checks
    {
        /// <summary>Runs every check; returns the number that failed.</summary>
        public static int Run(string tracePath, TextWriter output)
        {
            int failed = 0;
            failed += Check(output, "replay", () => Replay(tracePath, output));
            failed += Check(output, "model (CPython 3.11 layout)", () => Model(PymallocAllocator.CreateHeap(), 16));
            failed += Check(output, "model (CPython 3.8 layout, hardened)", () => Model(HardenedAllocator.CreateHeap(), 16));
            failed += Check(output, "model (alignment 32)", () => Model(WideAllocator.CreateHeap(), 32));
            failed += Check(output, "debug double free", DoubleFree);
            output.WriteLine(failed == 0 ? "mono consumer: ok" : $"mono consumer: {failed} check(s) failed");
            return failed;
        }

        private static int Check(TextWriter output, string name, Func<string> check)
        {
            try
            {
                output.WriteLine($"check {name}: {check()}");
                return 0;
            }
            catch (Exception e)
            {
                output.WriteLine($"check {name}: FAILED: {e}");
                return 1;
            }
        }

        // The pymalloc-trace v1 operations: m id size, c id count size, r old|- new size, f id.
        private static string Replay(string path, TextWriter output)
        {
            var live = new Dictionary<long, IntPtr>();
            long ops = 0;
            using (var reader = new StreamReader(new GZipStream(File.OpenRead(path), CompressionMode.Decompress)))
            {
                string? line;
                while ((line = reader.ReadLine()) != null)
                {
                    if (line.Length == 0 || line[0] == '#')
                    {
                        continue;
                    }
                    string[] f = line.Split(' ');
                    void* p;
                    switch (f[0])
                    {
                        case "m":
                            p = PymallocAllocator.Malloc((nuint)ulong.Parse(f[2]));
                            live.Add(long.Parse(f[1]), (IntPtr)p);
                            break;
                        case "c":
                            p = PymallocAllocator.Calloc((nuint)ulong.Parse(f[2]), (nuint)ulong.Parse(f[3]));
                            live.Add(long.Parse(f[1]), (IntPtr)p);
                            break;
                        case "r":
                            void* old = null;
                            if (f[1] != "-")
                            {
                                old = (void*)live[long.Parse(f[1])];
                                live.Remove(long.Parse(f[1]));
                            }
                            p = PymallocAllocator.Realloc(old, (nuint)ulong.Parse(f[3]));
                            live.Add(long.Parse(f[2]), (IntPtr)p);
                            break;
                        case "f":
                            PymallocAllocator.Free((void*)live[long.Parse(f[1])]);
                            live.Remove(long.Parse(f[1]));
                            break;
                        default:
                            throw new FormatException("unknown operation: " + line);
                    }
                    ops++;
                }
            }
            PymallocAllocator.Validate();
            // The statistics go to the output as they are, for CI to compare with CPython's.
            output.WriteLine("---- statistics ----");
            PymallocAllocator.WriteDebugMallocStats(output);
            output.WriteLine("---- end of statistics ----");
            return $"{ops} operations replayed, {live.Count} blocks live";
        }

        // Random calls on a heap of its own against a model: each live block's size, fill byte, and whether
        // the pools hold it (CPython's rule: a request of 1..512 bytes; a raw block stays raw when resized).
        private static string Model<TLayout>(Heap<TLayout> heap, int alignment) where TLayout : struct, IPymallocLayout
        {
            var random = new Random(20261205);
            var blocks = new List<(IntPtr Block, int Size, byte Fill, bool InPool)>();
            try
            {
                for (int step = 0; step < 200_000; step++)
                {
                    int action = random.Next(10);
                    if (action < 5 || blocks.Count == 0)
                    {
                        int size = random.Next(4) == 0 ? random.Next(513, 4000) : random.Next(1, 513);
                        byte fill = (byte)random.Next(256);
                        var p = (byte*)heap.Malloc((nuint)size);
                        Aligned(p, alignment);
                        new Span<byte>(p, size).Fill(fill);
                        blocks.Add(((IntPtr)p, size, fill, size <= 512));
                    }
                    else
                    {
                        int i = random.Next(blocks.Count);
                        (IntPtr block, int size, byte fill, bool inPool) = blocks[i];
                        foreach (byte b in new Span<byte>((void*)block, size))
                        {
                            if (b != fill)
                            {
                                throw new InvalidOperationException($"step {step}: a live block of {size} bytes was overwritten");
                            }
                        }
                        if (action < 8)
                        {
                            heap.Free((void*)block);
                            blocks[i] = blocks[blocks.Count - 1];
                            blocks.RemoveAt(blocks.Count - 1);
                        }
                        else
                        {
                            int newSize = random.Next(1, 1000);
                            var q = (byte*)heap.Realloc((void*)block, (nuint)newSize);
                            Aligned(q, alignment);
                            new Span<byte>(q, newSize).Fill(fill);
                            blocks[i] = ((IntPtr)q, newSize, fill, inPool && newSize <= 512);
                        }
                    }
                    if (step % 20_000 == 0)
                    {
                        heap.Validate();
                    }
                }
                heap.Validate();
                MallocStats stats = heap.GetStats();
                ulong inPools = 0;
                foreach (SizeClassStats c in stats.SizeClasses)
                {
                    inPools += c.BlocksInUse;
                }
                int small = 0;
                foreach ((IntPtr block, int _, byte _, bool inPool) in blocks)
                {
                    if (heap.Contains((void*)block) != inPool)
                    {
                        throw new InvalidOperationException($"the heap {(inPool ? "does not own" : "owns")} a block the model puts {(inPool ? "in" : "outside")} the pools");
                    }
                    small += inPool ? 1 : 0;
                }
                if (inPools != (ulong)small)
                {
                    throw new InvalidOperationException($"the pools hold {inPools} blocks, the model {small}");
                }
                return $"200000 steps, {blocks.Count} blocks live ({small} in pools), Validate() held";
            }
            finally
            {
                heap.Dispose();
            }
        }

        private static void Aligned(void* p, int alignment)
        {
            if (p == null || (ulong)p % (ulong)alignment != 0)
            {
                throw new InvalidOperationException($"block 0x{(ulong)p:x} is not {alignment}-byte aligned");
            }
        }

        private static string DoubleFree()
        {
            void* p = DebugAllocator.Malloc(100);
            DebugAllocator.Free(p);
            try
            {
                DebugAllocator.Free(p);
            }
            catch (HeapCorruptionException e)
            {
                return "reported: " + e.Message.Split('\n')[0];
            }
            throw new InvalidOperationException("the double free was not reported");
        }
    }
}
