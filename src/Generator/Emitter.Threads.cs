// The Threads file: the static heap's thread rule — the per-call owner check, handing the heap
// over, and owner scopes for hot loops. In debug mode the debug layer's lock orders every call, so
// the same members exist (code compiles either way) but check nothing.
namespace Pymalloc.Generator;

internal static partial class Emitter
{
    private static string EmitThreads(AllocatorSpec spec)
    {
        string t = spec.TypeName;
        string self = "global::" + spec.FullName; // never captured by a type of the same name
        bool d = spec.Debug;
        bool u = spec.UncheckedThreads && !d;
        const string NewOnOwner = """

/// <summary>New without the owner check: one size class's fast path, chosen at JIT time from sizeof(T).</summary>
[MethodImpl(MethodImplOptions.AggressiveInlining)]
private static T* NewOnOwner<T>() where T : unmanaged
{
    if ((nuint)sizeof(T) <= Layout.SmallRequestThreshold)
    {
        void* block = AllocateSmall(s_heap, (nuint)sizeof(T));
        if (block != null)
        {
            return (T*)block;
        }
    }
    return (T*)PymallocCore<Layout>.MallocRaw(s_heap, (nuint)sizeof(T));
}
""";
        // The scope's members, one text for the checked and the unchecked model: its calls are the
        // core's paths without the per-call check either way; only closing differs.
        string OwnedStruct = $$"""
public readonly ref struct OwnerScope
{
    /// <summary><see cref="{{t}}.Malloc"/> without the owner check.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void* Malloc(nuint size) => s_recorder is null ? PymallocCore<Layout>.Malloc(s_heap, size) : RecordMalloc(size);

    /// <summary><see cref="{{t}}.Calloc"/> without the owner check.</summary>
    public void* Calloc(nuint count, nuint size) => s_recorder is null ? PymallocCore<Layout>.Calloc(s_heap, count, size) : RecordCalloc(count, size);

    /// <summary><see cref="{{t}}.Realloc"/> without the owner check.</summary>
    public void* Realloc(void* ptr, nuint size) => s_recorder is null ? PymallocCore<Layout>.Realloc(s_heap, ptr, size) : RecordRealloc(ptr, size);

    /// <summary>Pymalloc's free, on the owner thread.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Free(void* ptr)
    {
        if (s_recorder is null)
        {
            PymallocCore<Layout>.Free(s_heap, ptr);
        }
        else
        {
            RecordFree(ptr);
        }
    }

    /// <summary><see cref="{{t}}.New{T}"/> without the owner check: one size class's fast path.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public T* New<T>() where T : unmanaged => s_recorder is null ? NewOnOwner<T>() : (T*)RecordMalloc((nuint)sizeof(T));

    /// <summary>Frees an object from <see cref="New{T}"/>, on the owner thread.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Delete<T>(T* ptr) where T : unmanaged => Free(ptr);

    /// <summary>Closes the scope{{(u ? " (nothing to close with Threading = Unchecked)" : "")}}.</summary>
    public void Dispose(){{(u ? " { }" : " => PymallocCore<Layout>.CloseOwnerScope(s_heap);")}}
}
""";
        string ownerMembers = d ? """


/// <summary>Nothing to give up in debug mode, where any thread may call (one at a time, by a lock);
/// kept so that code written for the non-debug allocator compiles unchanged.</summary>
public static void ReleaseOwnership() { }

/// <summary>Nothing to take in debug mode, where any thread may call (one at a time, by a lock);
/// kept so that code written for the non-debug allocator compiles unchanged.</summary>
public static void TakeOwnership() { }

/// <summary>Nothing to drain in debug mode: every free is done at once, under the lock.</summary>
public static void DrainDelayedFrees() { }
""" : u ? """


// Threading = Unchecked: no call checks the owner, so there is no owner to give up or take, and
// no free is ever handed over. These members keep code written for the checked model compiling.

/// <summary>Nothing to give up: with Threading = Unchecked the static heap has no owner.</summary>
public static void ReleaseOwnership() { }

/// <summary>Nothing to take: with Threading = Unchecked the static heap has no owner.</summary>
public static void TakeOwnership() { }

/// <summary>Nothing to drain: with Threading = Unchecked every free is done at once.</summary>
public static void DrainDelayedFrees() { }
""" : $$"""


/// <summary>
/// The thread rule of the static API, checked on every allocating call: the owner passes when the
/// caller runs on its stack (one subtraction and compare); any other thread claims the heap if nobody owns it, or gets an
/// <see cref="InvalidOperationException"/>. No lock and no interlocked instruction on the owner's path.
/// </summary>
[MethodImpl(MethodImplOptions.AggressiveInlining)]
private static void CheckOwner()
{
    if (!PymallocCore<Layout>.OnOwnerThread(s_heap))
    {
        PymallocCore<Layout>.ClaimForAllocation(s_heap, "{{t}}");
    }
}

/// <summary>Gives the static heap up (call it on the owner): the next thread to allocate takes it over.</summary>
public static void ReleaseOwnership() => PymallocCore<Layout>.ReleaseOwnership(s_heap);

/// <summary>Makes the calling thread the static heap's owner by force; the previous owner must have
/// stopped using it (prefer <see cref="ReleaseOwnership"/> on the old owner).</summary>
public static void TakeOwnership() => PymallocCore<Layout>.TakeOwnership(s_heap);

/// <summary>On the owner thread: frees now the blocks other threads handed over (otherwise that
/// happens on the next allocation slow path that finds some), e.g. once a frame's jobs are done.</summary>
public static void DrainDelayedFrees()
{
    CheckOwner();
    PymallocCore<Layout>.DrainDelayedFrees(s_heap);
}
""";
        string ownedMembers = d ? $$"""


/// <summary>
/// The static API as a scope value, for code written against <see cref="Own"/>. In debug mode every
/// call already takes the debug layer's lock, so the scope adds nothing and checks nothing.
/// </summary>
public readonly ref struct OwnerScope
{
    /// <summary>The same as <see cref="{{t}}.Malloc"/>.</summary>
    public void* Malloc(nuint size) => {{self}}.Malloc(size);

    /// <summary>The same as <see cref="{{t}}.Calloc"/>.</summary>
    public void* Calloc(nuint count, nuint size) => {{self}}.Calloc(count, size);

    /// <summary>The same as <see cref="{{t}}.Realloc"/>.</summary>
    public void* Realloc(void* ptr, nuint size) => {{self}}.Realloc(ptr, size);

    /// <summary>The same as <see cref="{{t}}.Free"/>.</summary>
    public void Free(void* ptr) => {{self}}.Free(ptr);

    /// <summary>The same as <see cref="{{t}}.New{T}"/>.</summary>
    public T* New<T>() where T : unmanaged => {{self}}.New<T>();

    /// <summary>The same as <see cref="{{t}}.Delete{T}"/>.</summary>
    public void Delete<T>(T* ptr) where T : unmanaged => {{self}}.Delete(ptr);

    /// <summary>Nothing to close in debug mode.</summary>
    public void Dispose() { }
}

/// <summary>A scope over the static API; in debug mode it checks nothing (see <see cref="OwnerScope"/>).</summary>
public static OwnerScope Own() => default;
""" : u ? $$"""


/// <summary>A scope over the static API. With Threading = Unchecked there is nothing to check once:
/// every call is already the unchecked path, so the scope is the same API.</summary>
public static OwnerScope Own() => default;

/// <summary>The static API as a scope value, for code written against <see cref="Own"/>: with
/// Threading = Unchecked, the same calls.</summary>
{{OwnedStruct}}
{{NewOnOwner}}
""" : $$"""


/// <summary>
/// Checks the thread rule once — claiming the static heap if nobody owns it, throwing if another
/// thread does — and returns a scope whose calls skip the per-call check: for hot loops on the owner
/// thread (<c>using var heap = {{t}}.Own();</c>). The owner cannot give the heap up while a scope is open.
/// </summary>
/// <exception cref="InvalidOperationException">Another thread owns the static heap.</exception>
public static OwnerScope Own()
{
    PymallocCore<Layout>.OpenOwnerScope(s_heap, "{{t}}");
    return default;
}

/// <summary>
/// Proof, on the owner thread's stack, that the thread rule was checked: the static API without the
/// per-call owner check. A ref struct cannot leave the stack of the thread that made it (no field of
/// a class, no lambda, no await), so the check holds for the scope's life. Obtain it from <see cref="Own"/> only.
/// </summary>
{{OwnedStruct}}
{{NewOnOwner}}
""";
        return File(spec, "thread rule", new string[0], new[] { "System", "System.Runtime.CompilerServices", "Pymalloc", "Pymalloc.Runtime" }, ownerMembers.TrimStart('\n', '\r') + ownedMembers);
    }
}
