// Exact arena placement for a replay (`<trace>.arenas.txt`): an arena allocator that gives the k-th
// arena mapped the address excess (address % POOL_SIZE) that CPython's k-th arena had, so that
// arenas lose a pool exactly where CPython's did, and a check that arenas are mapped and released
// during the same operations as in CPython.
using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.IO;
using System.Runtime.InteropServices;

namespace Pymalloc.Traces;

/// <summary>Replays CPython's arena placement; one instance at a time (it is reached from native callbacks).</summary>
public sealed unsafe class ArenaPlacement : IDisposable
{
    private static ArenaPlacement? s_current;

    private readonly List<(int Op, int Excess)> _expectedMaps = new();
    private readonly List<int> _expectedFrees = new();
    private readonly List<int> _actualMaps = new();
    private readonly List<int> _actualFrees = new();
    private readonly Dictionary<nint, nint> _bases = new();
    private readonly nuint _poolSize;
    private int* _opIndex;

    /// <summary>Reads a <c>pymalloc-arenas v1</c> file for a layout with pools of <paramref name="poolSize"/> bytes.</summary>
    public ArenaPlacement(string path, nuint poolSize)
    {
        _poolSize = poolSize;
        int lineNumber = 0;
        foreach (string raw in File.ReadLines(path))
        {
            lineNumber++;
            string line = raw.Trim();
            if (line.Length == 0 || line[0] == '#')
            {
                continue;
            }
            string[] f = line.Split(' ');
            if (f[0] == "A" && f.Length == 4)
            {
                _expectedMaps.Add((int.Parse(f[2], CultureInfo.InvariantCulture), int.Parse(f[3], CultureInfo.InvariantCulture)));
            }
            else if (f[0] == "F" && f.Length == 3)
            {
                _expectedFrees.Add(int.Parse(f[1], CultureInfo.InvariantCulture));
            }
            else
            {
                throw new FormatException($"{path}:{lineNumber}: expected 'A seq op excess' or 'F op excess'.");
            }
        }
        _opIndex = (int*)NativeMemory.AllocZeroed((nuint)sizeof(int));
    }

    /// <summary>Where the replay writes the index of the operation under way.</summary>
    public int* OpIndex => _opIndex;

    /// <summary>Arenas the file records.</summary>
    public int ExpectedArenas => _expectedMaps.Count;

    /// <summary>The arena allocator to install; valid while this object is alive and current.</summary>
    public ArenaAllocator Allocator
    {
        get
        {
            s_current = this;
            return new ArenaAllocator { Alloc = &Alloc, Free = &Free };
        }
    }

    /// <summary>Differences between CPython's arena history and the replay's; empty when they agree.</summary>
    public IReadOnlyList<string> Mismatches()
    {
        var problems = new List<string>();
        for (int k = 0; k < Math.Max(_expectedMaps.Count, _actualMaps.Count); k++)
        {
            string expected = k < _expectedMaps.Count ? _expectedMaps[k].Op.ToString(CultureInfo.InvariantCulture) : "none";
            string actual = k < _actualMaps.Count ? _actualMaps[k].ToString(CultureInfo.InvariantCulture) : "none";
            if (expected != actual)
            {
                problems.Add($"arena {k} mapped during op {actual}, CPython mapped it during op {expected}");
            }
        }
        if (!_expectedFrees.SequenceEqual(_actualFrees))
        {
            problems.Add($"arenas released during ops [{string.Join(", ", _actualFrees)}], CPython released them during [{string.Join(", ", _expectedFrees)}]");
        }
        return problems;
    }

    [UnmanagedCallersOnly]
    private static void* Alloc(void* context, nuint size)
    {
        ArenaPlacement p = s_current!;
        int k = p._actualMaps.Count;
        p._actualMaps.Add(*p._opIndex);
        // Beyond the recorded arenas (a diverging replay), place them pool-aligned.
        nuint excess = k < p._expectedMaps.Count ? (nuint)p._expectedMaps[k].Excess : 0;
        var block = (byte*)NativeMemory.AlignedAlloc(size + p._poolSize, p._poolSize);
        if (block == null)
        {
            return null;
        }
        byte* arena = block + excess;
        p._bases[(nint)arena] = (nint)block;
        return arena;
    }

    [UnmanagedCallersOnly]
    private static void Free(void* context, void* arena, nuint size)
    {
        ArenaPlacement p = s_current!;
        p._actualFrees.Add(*p._opIndex);
        if (p._bases.Remove((nint)arena, out nint block))
        {
            NativeMemory.AlignedFree((void*)block);
        }
    }

    /// <summary>Frees the operation counter (arenas belong to the heap that mapped them).</summary>
    public void Dispose()
    {
        if (s_current == this)
        {
            s_current = null;
        }
        NativeMemory.Free(_opIndex);
        _opIndex = null;
    }
}
