// PymallocConfigAttribute.OnMemoryLimit: what a heap does when its arenas run out (WITH_MEMORY_LIMITS).
namespace Pymalloc;

/// <summary>What small requests do once an allocator has no arena to serve them from: its
/// <c>MaxArenas</c> limit is reached, or the arena allocator fails.</summary>
public enum MemoryLimitBehavior
{
    /// <summary>Served by the raw allocator, as CPython does (WITH_MEMORY_LIMITS).</summary>
    FallBackToRaw = 0,

    /// <summary>Refused: <c>Malloc</c> returns null (<c>Allocate</c> throws), nothing leaves the pools' budget.</summary>
    Fail = 1,
}
