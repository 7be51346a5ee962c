// The four calls of a C allocator as static abstract members, so that tools (the trace replayer,
// benchmarks) can be written once and compiled per allocator without indirect calls.
namespace Pymalloc;

/// <summary>An allocator with C's malloc/calloc/realloc/free contract. Generated allocators
/// expose one as their nested <c>Api</c> struct.</summary>
public unsafe interface IUnmanagedAllocator
{
    /// <summary>Allocates <paramref name="size"/> bytes; null on failure.</summary>
    static abstract void* Malloc(nuint size);

    /// <summary>Allocates zeroed memory for <paramref name="count"/> elements; null on failure or overflow.</summary>
    static abstract void* Calloc(nuint count, nuint size);

    /// <summary>Resizes a block; null on failure, leaving <paramref name="ptr"/> valid.</summary>
    static abstract void* Realloc(void* ptr, nuint size);

    /// <summary>Frees a block; null is ignored.</summary>
    static abstract void Free(void* ptr);
}
