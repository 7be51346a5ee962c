// The four calls of a C allocator, implemented by structs, so that tools (the trace replayer,
// benchmarks) can be written once over `T : struct, IUnmanagedAllocator` and call default(T).Malloc:
// compiled per struct, the calls are direct and inlined, with no indirect call.
namespace Pymalloc;

/// <summary>An allocator with C's malloc/calloc/realloc/free contract. Generated allocators
/// expose one as their nested <c>Api</c> struct.</summary>
/// <remarks>Generic code calls it as <c>default(T).Malloc(size)</c> with <c>T : struct, IUnmanagedAllocator</c>.</remarks>
public unsafe interface IUnmanagedAllocator
{
    /// <summary>Allocates <paramref name="size"/> bytes; null on failure.</summary>
    void* Malloc(nuint size);

    /// <summary>Allocates zeroed memory for <paramref name="count"/> elements; null on failure or overflow.</summary>
    void* Calloc(nuint count, nuint size);

    /// <summary>Resizes a block; null on failure, leaving <paramref name="ptr"/> valid.</summary>
    void* Realloc(void* ptr, nuint size);

    /// <summary>Frees a block; null is ignored.</summary>
    void Free(void* ptr);
}
