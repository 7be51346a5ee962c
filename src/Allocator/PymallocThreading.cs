// The threading model of a generated allocator, chosen at compile time (PymallocConfig.Threading):
// the generator emits the owner check into every call, or leaves it out.
namespace Pymalloc;

/// <summary>How a generated allocator (its static API and the heaps it creates) may be used across threads.</summary>
public enum PymallocThreading
{
    /// <summary>
    /// The default: a heap is owned by one thread, checked on every call (is the caller on the owner's
    /// stack? one subtraction and one compare). The owner allocates and frees with pymalloc's plain paths;
    /// another thread's free is handed to the owner lock-free; another thread's allocation throws
    /// <see cref="System.InvalidOperationException"/>. Safe for code that has not read the docs.
    /// </summary>
    CheckedOwner = 0,

    /// <summary>
    /// CPython's contract under the GIL: one thread at a time uses the allocator, and nothing is
    /// checked — for engines that own their threads. A call that overlaps another thread's call
    /// corrupts the heap. In debug mode (<see cref="PymallocConfigAttribute.Debug"/>) overlapping
    /// calls are still detected and reported with an <see cref="System.InvalidOperationException"/>.
    /// </summary>
    Unchecked = 1,
}
