// How a generated allocator's static API reaches its heap: the one thing Threading and Debug change
// in the API. Each model is written out whole in its own file, so the Api, Threads and Recording emitters
// write every member once, in order, and ask the model only where the models differ:
//   CheckedModel    (default)           each allocating call checks the owner; frees from other threads are handed over
//   UncheckedModel  Threading=Unchecked the core's paths alone: one thread at a time, as under CPython's GIL
//   DebugModel      Debug=true          every call goes through PymallocDebug under its lock, from any thread
namespace Pymalloc.Generator;

/// <summary>One call of the static API in each of its forms.</summary>
/// <param name="Core">The runtime core's call (checked and unchecked models).</param>
/// <param name="Debug">The debug layer's call.</param>
/// <param name="Record">The recorded call, out of line, when PYMALLOC_TRACE is recording.</param>
internal sealed record ApiCall(string Core, string Debug, string Record);

internal abstract class ApiModel
{
    protected ApiModel(AllocatorSpec spec)
    {
        Spec = spec;
    }

    protected AllocatorSpec Spec { get; }

    /// <summary>The allocator's simple name, for messages.</summary>
    protected string Name => Spec.TypeName;

    /// <summary>The allocator's fully qualified name, never captured by a type of the same name.</summary>
    protected string Self => "global::" + Spec.FullName;

    public static ApiModel For(AllocatorSpec spec)
        => spec.Debug ? new DebugModel(spec) : spec.UncheckedThreads ? new UncheckedModel(spec) : new CheckedModel(spec);

    // ---- Api.g.cs ----

    /// <summary>The static fields and members that come right after <c>s_heap</c> (initialised after it).</summary>
    public abstract void WriteFields(CodeWriter w);

    /// <summary>What <c>CreateStaticHeap</c> does between the memory limit and giving up ownership.</summary>
    public abstract void WriteHeapSetup(CodeWriter w);

    /// <summary>Which threads may allocate, for the docs of the allocating calls.</summary>
    public abstract string ThreadRule { get; }

    /// <summary>The remarks on <c>Realloc</c>.</summary>
    public virtual string ReallocRule => ThreadRule;

    /// <summary>The end of <c>Free</c>'s summary: whether any thread may call it.</summary>
    public virtual string FreeFromWhere => ", from any thread";

    /// <summary>The remarks on <c>Free</c>.</summary>
    public abstract string FreeRule { get; }

    /// <summary>An allocating call (<c>Malloc</c>, <c>Calloc</c>, <c>Realloc</c>): its signature, then its body.</summary>
    public abstract void WriteAllocatingCall(CodeWriter w, string signature, ApiCall call);

    /// <summary><c>Free</c>'s signature and body.</summary>
    public abstract void WriteFree(CodeWriter w, string signature);

    /// <summary>The exception a whole-heap walk documents, if the model can refuse one.</summary>
    public virtual string? SnapshotRefusal => null;

    /// <summary>A whole-heap walk (<c>Validate</c>, <c>GetStats</c>): the core's call, or the debug layer's.</summary>
    public abstract void WriteSnapshot(CodeWriter w, string signature, ApiCall call, bool returns);

    /// <summary><c>New&lt;T&gt;</c>'s body.</summary>
    public abstract void WriteNewBody(CodeWriter w);

    /// <summary>The expression <c>Delete&lt;T&gt;(ptr)</c> is.</summary>
    public abstract string Delete { get; }

    /// <summary>The typed allocation of <paramref name="bytes"/> that <c>NewArray</c> makes.</summary>
    public abstract string TypedMalloc(string bytes);

    /// <summary>The typed resize to <paramref name="bytes"/> that <c>ResizeArray</c> makes.</summary>
    public abstract string TypedRealloc(string bytes);

    /// <summary>The <c>CreateHeap</c> member: a plain heap, or a debug heap.</summary>
    public abstract string CreateHeap { get; }

    /// <summary>Who may use the heap <c>CreateHeap</c> returns, and how it ends, for its docs.</summary>
    public abstract string CreateHeapRule { get; }

    /// <summary><c>TrimArenaCache</c>'s signature and body.</summary>
    public abstract void WriteTrimArenaCache(CodeWriter w, string signature);

    // ---- Threads.g.cs ----

    /// <summary>The thread rule's members: the owner check, handing the heap over, owner scopes.</summary>
    public abstract void WriteThreadRule(CodeWriter w);
}
