// Replaceable sources of memory, as CPython's PyMem_SetAllocator(PYMEM_DOMAIN_RAW) and
// PyObject_SetArenaAllocator allow: plain unmanaged function pointers and a context pointer, so an
// engine's own allocator (or native code) can sit under a heap with no managed delegate involved.
// A zeroed struct means "the built-in default".
using System.Runtime.InteropServices;

// On netstandard2.1 the fields are plain void*: Mono 6.8 (and Unity's Mono with it) overflows its
// stack on any struct field of a function-pointer type (mono_class_get_flags recurses into the
// pointer's element class, which for a function pointer is itself). The runtime calls them through
// the Call* helpers, cast there to Cdecl: the one convention of the 64-bit platforms this library
// runs on (32-bit is refused), and the one netstandard2.1 runtimes can call (the platform-default
// `unmanaged` convention needs .NET 5). On net8.0 the fields are typed function pointers.

namespace Pymalloc;

/// <summary>
/// A raw allocator (CPython's <c>PyMemAllocatorEx</c> for the RAW domain): it serves the requests
/// pymalloc does not (0 bytes, above the threshold, or when no arena can be mapped) and the heap's
/// own bookkeeping (the arena-object array, arena-map nodes). Each function receives
/// <see cref="Context"/> first. Functions return null on failure.
/// </summary>
[StructLayout(LayoutKind.Sequential)]
public unsafe struct RawAllocator
{
    /// <summary>Passed as the first argument of every call.</summary>
    public void* Context;

    /// <summary><c>void* malloc(void* ctx, nuint size)</c>.</summary>
#if NET5_0_OR_GREATER
    public delegate* unmanaged<void*, nuint, void*> Malloc;
#else
    public void* Malloc;
#endif

    /// <summary><c>void* calloc(void* ctx, nuint count, nuint size)</c>: zeroed memory.</summary>
#if NET5_0_OR_GREATER
    public delegate* unmanaged<void*, nuint, nuint, void*> Calloc;
#else
    public void* Calloc;
#endif

    /// <summary><c>void* realloc(void* ctx, void* ptr, nuint size)</c>: on failure, null and <c>ptr</c> untouched.</summary>
#if NET5_0_OR_GREATER
    public delegate* unmanaged<void*, void*, nuint, void*> Realloc;
#else
    public void* Realloc;
#endif

    /// <summary><c>void free(void* ctx, void* ptr)</c>.</summary>
#if NET5_0_OR_GREATER
    public delegate* unmanaged<void*, void*, void> Free;
#else
    public void* Free;
#endif

    /// <summary>True for a zeroed struct: the built-in allocator (the C runtime's malloc family).</summary>
    public readonly bool IsDefault => Malloc == null && Calloc == null && Realloc == null && Free == null;

    /// <summary>True if every function is set (a custom allocator must provide all four).</summary>
    public readonly bool IsComplete => Malloc != null && Calloc != null && Realloc != null && Free != null;

#if NET5_0_OR_GREATER
    internal readonly void* CallMalloc(nuint size) => Malloc(Context, size);

    internal readonly void* CallCalloc(nuint count, nuint size) => Calloc(Context, count, size);

    internal readonly void* CallRealloc(void* ptr, nuint size) => Realloc(Context, ptr, size);

    internal readonly void CallFree(void* ptr) => Free(Context, ptr);
#else
    internal readonly void* CallMalloc(nuint size) => ((delegate* unmanaged[Cdecl]<void*, nuint, void*>)Malloc)(Context, size);

    internal readonly void* CallCalloc(nuint count, nuint size) => ((delegate* unmanaged[Cdecl]<void*, nuint, nuint, void*>)Calloc)(Context, count, size);

    internal readonly void* CallRealloc(void* ptr, nuint size) => ((delegate* unmanaged[Cdecl]<void*, void*, nuint, void*>)Realloc)(Context, ptr, size);

    internal readonly void CallFree(void* ptr) => ((delegate* unmanaged[Cdecl]<void*, void*, void>)Free)(Context, ptr);
#endif
}

/// <summary>
/// An arena allocator (CPython's <c>PyObjectArenaAllocator</c>): maps and unmaps the ARENA_SIZE
/// blocks pools are carved from. An arena that does not start on a POOL_SIZE boundary loses one
/// pool, as in CPython.
/// </summary>
[StructLayout(LayoutKind.Sequential)]
public unsafe struct ArenaAllocator
{
    /// <summary>Passed as the first argument of every call.</summary>
    public void* Context;

    /// <summary><c>void* alloc(void* ctx, nuint size)</c>: null on failure.</summary>
#if NET5_0_OR_GREATER
    public delegate* unmanaged<void*, nuint, void*> Alloc;
#else
    public void* Alloc;
#endif

    /// <summary><c>void free(void* ctx, void* ptr, nuint size)</c>.</summary>
#if NET5_0_OR_GREATER
    public delegate* unmanaged<void*, void*, nuint, void> Free;
#else
    public void* Free;
#endif

    /// <summary>True for a zeroed struct: the built-in, pool-aligned arenas.</summary>
    public readonly bool IsDefault => Alloc == null && Free == null;

    /// <summary>True if both functions are set.</summary>
    public readonly bool IsComplete => Alloc != null && Free != null;

#if NET5_0_OR_GREATER
    internal readonly void* CallAlloc(nuint size) => Alloc(Context, size);

    internal readonly void CallFree(void* arena, nuint size) => Free(Context, arena, size);
#else
    internal readonly void* CallAlloc(nuint size) => ((delegate* unmanaged[Cdecl]<void*, nuint, void*>)Alloc)(Context, size);

    internal readonly void CallFree(void* arena, nuint size) => ((delegate* unmanaged[Cdecl]<void*, void*, nuint, void>)Free)(Context, arena, size);
#endif
}
