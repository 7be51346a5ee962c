// Bytes of process memory per live object: each allocator, in a fresh process, allocates one
// million objects of one size and keeps them; the growth of the resident set is divided by the
// count. The pointer table is allocated and touched before the first reading.
using System;
using System.Diagnostics;
using System.IO;
using System.Runtime.InteropServices;

namespace Pymalloc.Benchmarks;

internal static unsafe class MemoryProbe
{
    private const int Count = 1_000_000;
    private static readonly string[] Peers = { "Pymalloc", "PymallocRuntime", "CPython", "Mimalloc", "Jemalloc", "Glibc", "GcClass" };

    public static int RunAll()
    {
        Console.WriteLine("| allocator | 32-byte objects | 128-byte objects |");
        Console.WriteLine("|---|---|---|");
        foreach (string peer in Peers)
        {
            if (!Program.PeerAvailable(peer))
            {
                continue;
            }
            Console.WriteLine($"| {peer} | {Child(peer, 32)} | {Child(peer, 128)} |");
        }
        return 0;
    }

    private static string Child(string peer, int size)
    {
        var start = new ProcessStartInfo(Environment.ProcessPath!) { RedirectStandardOutput = true, UseShellExecute = false };
        if (Path.GetFileNameWithoutExtension(Environment.ProcessPath!) == "dotnet")
        {
            start.ArgumentList.Add(typeof(Program).Assembly.Location);
        }
        start.ArgumentList.Add("--memory-one");
        start.ArgumentList.Add(peer);
        start.ArgumentList.Add(size.ToString(System.Globalization.CultureInfo.InvariantCulture));
        using Process p = Process.Start(start)!;
        string output = p.StandardOutput.ReadToEnd().Trim();
        p.WaitForExit();
        return p.ExitCode == 0 ? output : "failed";
    }

    public static int RunOne(string peer, int size)
    {
        RuntimeLayout.Configure(4, 512);
        var table = (void**)NativeMemory.AllocZeroed(Count, (nuint)sizeof(void*));
        var objects = new object[Count];
        new Span<byte>(table, Count * sizeof(void*)).Fill(0);
        GC.Collect();
        long before = ResidentBytes();
        for (int i = 0; i < Count; i++)
        {
            switch (peer)
            {
                case "Pymalloc": table[i] = default(Generated).Malloc((nuint)size); break;
                case "PymallocRuntime": table[i] = default(RuntimeConfigured).Malloc((nuint)size); break;
                case "CPython": table[i] = default(CPython).Malloc((nuint)size); break;
                case "Mimalloc": table[i] = default(Mimalloc).Malloc((nuint)size); break;
                case "Jemalloc": table[i] = default(Jemalloc).Malloc((nuint)size); break;
                case "Glibc": table[i] = default(Glibc).Malloc((nuint)size); break;
                default: objects[i] = GcObjects.New(size, i); break;
            }
            if (table[i] != null)
            {
                new Span<byte>(table[i], size).Fill(1); // resident only once written
            }
        }
        GC.Collect();
        long after = ResidentBytes();
        Console.WriteLine(((after - before) / (double)Count).ToString("F1", System.Globalization.CultureInfo.InvariantCulture));
        GC.KeepAlive(objects);
        return 0;
    }

    /// <summary>
    /// Resident memory around a free-everything phase (a level unload): one million 64-byte objects
    /// allocated and written, then all freed. Pymalloc releases its arenas (all but one) at once; the
    /// default arena source parks up to 8 MiB of them for reuse and returns the rest to the OS, the
    /// parked ones after a second or on TrimArenaCache. Printed in MiB above the starting point.
    /// </summary>
    public static int Resident()
    {
        var table = (void**)NativeMemory.AllocZeroed(Count, (nuint)sizeof(void*));
        new Span<byte>(table, Count * sizeof(void*)).Fill(0); // resident before the first reading
        default(Generated).Free(default(Generated).Malloc(64)); // the heap's own bookkeeping, also before it
        long start = ResidentBytes();
        for (int i = 0; i < Count; i++)
        {
            table[i] = default(Generated).Malloc(64);
            new Span<byte>(table[i], 64).Fill(1);
        }
        long full = ResidentBytes();
        for (int i = 0; i < Count; i++)
        {
            default(Generated).Free(table[i]);
        }
        long freed = ResidentBytes();
        int trimmed = Pymalloc.Generated.PymallocAllocator.TrimArenaCache();
        long trimmedBytes = ResidentBytes();
        static string MiB(long b) => (b / (1024.0 * 1024)).ToString("F1", System.Globalization.CultureInfo.InvariantCulture);
        Console.WriteLine("| phase | resident MiB above start |");
        Console.WriteLine("|---|---|");
        Console.WriteLine($"| 1,000,000 x 64 B allocated | {MiB(full - start)} |");
        Console.WriteLine($"| all freed (pymalloc keeps 1 arena, the cache parks up to 8 MiB) | {MiB(freed - start)} |");
        Console.WriteLine($"| after TrimArenaCache ({trimmed} arenas returned) | {MiB(trimmedBytes - start)} |");
        NativeMemory.Free(table);
        return 0;
    }

    private static long ResidentBytes()
    {
        string[] statm = File.ReadAllText("/proc/self/statm").Split(' ');
        return long.Parse(statm[1], System.Globalization.CultureInfo.InvariantCulture) * Environment.SystemPageSize;
    }
}
