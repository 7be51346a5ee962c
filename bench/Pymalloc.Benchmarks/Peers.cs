// The allocators compared, each behind the same static IUnmanagedAllocator contract so that one
// generic loop is compiled per allocator with direct calls. Native peers are loaded once, called
// through unmanaged function pointers with SuppressGCTransition (no marshalling, no GC frame), and
// reported as unavailable when their library is missing.
using System;
using System.Collections.Generic;
using System.Runtime.InteropServices;
using Pymalloc;
using Pymalloc.Generated;

[assembly: PymallocConfig]

namespace Pymalloc.Benchmarks;

/// <summary>Pymalloc.NET through the generated per-class fast paths (the subject).</summary>
public readonly unsafe struct Generated : IUnmanagedAllocator
{
    /// <summary>Makes the benchmark's thread the owner of both Pymalloc heaps. Every benchmark class calls
    /// it in its setup: in-process runs start each case on a new thread, and only the owner allocates.</summary>
    public static void AdoptHeaps()
    {
        PymallocAllocator.TakeOwnership();
        HardenedAllocator.TakeOwnership();
        RuntimeConfigured.TakeOwnership();
        // GeneratedOwned's calls are what an open scope's calls compile to; no scope is left open here,
        // since an open scope (rightly) keeps any other thread from taking the heap over.
    }

    public void* Malloc(nuint size) => PymallocAllocator.Malloc(size);
    public void* Calloc(nuint count, nuint size) => PymallocAllocator.Calloc(count, size);
    public void* Realloc(void* ptr, nuint size) => PymallocAllocator.Realloc(ptr, size);
    public void Free(void* ptr) => PymallocAllocator.Free(ptr);
}

/// <summary>
/// The generated static API inside an owner scope: the thread rule checked once, when the scope is
/// opened (here: <see cref="Generated.AdoptHeaps"/> made the benchmark thread the owner), instead of on every
/// call — what a hot loop under <c>using var heap = PymallocAllocator.Own();</c> compiles to. A ref
/// struct cannot be a field, so the calls go through <c>default(OwnerScope)</c>, which is what the scope is.
/// </summary>
public readonly unsafe struct GeneratedOwned : IUnmanagedAllocator
{
    public void* Malloc(nuint size) => default(PymallocAllocator.OwnerScope).Malloc(size);
    public void* Calloc(nuint count, nuint size) => default(PymallocAllocator.OwnerScope).Calloc(count, size);
    public void* Realloc(void* ptr, nuint size) => default(PymallocAllocator.OwnerScope).Realloc(ptr, size);
    public void Free(void* ptr) => default(PymallocAllocator.OwnerScope).Free(ptr);
}

/// <summary>The generated static API compiled with <c>Threading = PymallocThreading.Unchecked</c>: no owner
/// check in any call (CPython's one-thread-at-a-time contract). The default's checked rule is measured against it.</summary>
public readonly unsafe struct GeneratedUnchecked : IUnmanagedAllocator
{
    public void* Malloc(nuint size) => UncheckedAllocator.Malloc(size);
    public void* Calloc(nuint count, nuint size) => UncheckedAllocator.Calloc(count, size);
    public void* Realloc(void* ptr, nuint size) => UncheckedAllocator.Realloc(ptr, size);
    public void Free(void* ptr) => UncheckedAllocator.Free(ptr);
}

/// <summary>The generated static API compiled with <c>Hardened = true</c>: every free checks its pointer,
/// every allocation the free-list link it follows. Measured against the default.</summary>
public readonly unsafe struct GeneratedHardened : IUnmanagedAllocator
{
    public void* Malloc(nuint size) => HardenedAllocator.Malloc(size);
    public void* Calloc(nuint count, nuint size) => HardenedAllocator.Calloc(count, size);
    public void* Realloc(void* ptr, nuint size) => HardenedAllocator.Realloc(ptr, size);
    public void Free(void* ptr) => HardenedAllocator.Free(ptr);
}

/// <summary>The default layout in the hardened release mode.</summary>
[PymallocConfig(Hardened = true)]
public static unsafe partial class HardenedAllocator
{
}

/// <summary>The default layout with the owner check left out by the generator.</summary>
[PymallocConfig(Threading = PymallocThreading.Unchecked)]
public static unsafe partial class UncheckedAllocator
{
}

/// <summary>The same algorithm and heap code without the generator: the layout's numbers are read
/// from static fields at run time, so nothing is folded into the code.</summary>
public readonly unsafe struct RuntimeConfigured : IUnmanagedAllocator
{
    private static readonly Heap<RuntimeLayout> s_heap = CreateUnowned();

    // Like the generated static API: taken by the first thread to allocate, not the one that initialised it.
    private static Heap<RuntimeLayout> CreateUnowned()
    {
        Heap<RuntimeLayout> heap = Heap<RuntimeLayout>.Create();
        heap.ReleaseOwnership();
        return heap;
    }
    public static void TakeOwnership() => s_heap.TakeOwnership();
    public void* Malloc(nuint size) => s_heap.Malloc(size);
    public void* Calloc(nuint count, nuint size) => s_heap.Calloc(count, size);
    public void* Realloc(void* ptr, nuint size) => s_heap.Realloc(ptr, size);
    public void Free(void* ptr) => s_heap.Free(ptr);
}

/// <summary>CPython 3.11's own pymalloc: PyObject_* from libpython, no interpreter started.</summary>
public readonly unsafe struct CPython : IUnmanagedAllocator
{
    private static readonly Native N = Native.Load("CPython pymalloc", new[] { "libpython3.11.so.1.0", "libpython3.11.so" },
        "PyObject_Malloc", "PyObject_Calloc", "PyObject_Realloc", "PyObject_Free", "apt-get install libpython3.11");
    public static bool Available => N.Available;
    public void* Malloc(nuint size) => ((delegate* unmanaged[SuppressGCTransition]<nuint, void*>)N.Malloc)(size);
    public void* Calloc(nuint count, nuint size) => ((delegate* unmanaged[SuppressGCTransition]<nuint, nuint, void*>)N.Calloc)(count, size);
    public void* Realloc(void* ptr, nuint size) => ((delegate* unmanaged[SuppressGCTransition]<void*, nuint, void*>)N.Realloc)(ptr, size);
    public void Free(void* ptr) => ((delegate* unmanaged[SuppressGCTransition]<void*, void>)N.Free)(ptr);
}

/// <summary>mimalloc (Debian's libmimalloc2.0).</summary>
public readonly unsafe struct Mimalloc : IUnmanagedAllocator
{
    private static readonly Native N = Native.Load("mimalloc", new[] { "libmimalloc.so.2", "libmimalloc.so" },
        "mi_malloc", "mi_calloc", "mi_realloc", "mi_free", "apt-get install libmimalloc2.0");
    public static bool Available => N.Available;
    public void* Malloc(nuint size) => ((delegate* unmanaged[SuppressGCTransition]<nuint, void*>)N.Malloc)(size == 0 ? 1 : size);
    public void* Calloc(nuint count, nuint size) => ((delegate* unmanaged[SuppressGCTransition]<nuint, nuint, void*>)N.Calloc)(count == 0 ? 1 : count, size == 0 ? 1 : size);
    public void* Realloc(void* ptr, nuint size) => ((delegate* unmanaged[SuppressGCTransition]<void*, nuint, void*>)N.Realloc)(ptr, size == 0 ? 1 : size);
    public void Free(void* ptr) => ((delegate* unmanaged[SuppressGCTransition]<void*, void>)N.Free)(ptr);
}

// Mimalloc, jemalloc: a request of 0 bytes asks for 1, as CPython's raw domain does (C allows a
// null result for 0, which the replay would take for a failure).

/// <summary>jemalloc (Debian's libjemalloc2, unprefixed). Loading it needs the process to start
/// with GLIBC_TUNABLES=glibc.rtld.optional_static_tls=2048 (Program sets it and restarts).</summary>
public readonly unsafe struct Jemalloc : IUnmanagedAllocator
{
    private static readonly Native N = Native.Load("jemalloc", new[] { "libjemalloc.so.2", "libjemalloc.so" },
        "malloc", "calloc", "realloc", "free", "apt-get install libjemalloc2");
    public static bool Available => N.Available;
    public void* Malloc(nuint size) => ((delegate* unmanaged[SuppressGCTransition]<nuint, void*>)N.Malloc)(size == 0 ? 1 : size);
    public void* Calloc(nuint count, nuint size) => ((delegate* unmanaged[SuppressGCTransition]<nuint, nuint, void*>)N.Calloc)(count == 0 ? 1 : count, size == 0 ? 1 : size);
    public void* Realloc(void* ptr, nuint size) => ((delegate* unmanaged[SuppressGCTransition]<void*, nuint, void*>)N.Realloc)(ptr, size == 0 ? 1 : size);
    public void Free(void* ptr) => ((delegate* unmanaged[SuppressGCTransition]<void*, void>)N.Free)(ptr);
}

/// <summary>glibc's malloc, through NativeMemory (what .NET code calls by default).</summary>
public readonly unsafe struct Glibc : IUnmanagedAllocator
{
    public void* Malloc(nuint size) => NativeMemory.Alloc(size);
    public void* Calloc(nuint count, nuint size) => NativeMemory.AllocZeroed(count, size);
    public void* Realloc(void* ptr, nuint size) => NativeMemory.Realloc(ptr, size);
    public void Free(void* ptr) => NativeMemory.Free(ptr);
}

/// <summary>A native library's four allocation entry points.</summary>
internal sealed unsafe class Native
{
    public static readonly List<string> Notes = new();

    public nint Malloc, Calloc, Realloc, Free;

    public bool Available => Malloc != 0;

    public static Native Load(string name, string[] files, string malloc, string calloc, string realloc, string free, string install)
    {
        var n = new Native();
        foreach (string file in files)
        {
            try
            {
                nint lib = NativeLibrary.Load(file);
                n.Malloc = NativeLibrary.GetExport(lib, malloc);
                n.Calloc = NativeLibrary.GetExport(lib, calloc);
                n.Realloc = NativeLibrary.GetExport(lib, realloc);
                n.Free = NativeLibrary.GetExport(lib, free);
                return n;
            }
            catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException or BadImageFormatException)
            {
                n.Malloc = 0;
                lock (Notes)
                {
                    Notes.Add($"{name}: not loaded from {file} ({e.Message.Split('\n')[0]}); skipped. To include it: {install}");
                }
            }
        }
        return n;
    }
}
