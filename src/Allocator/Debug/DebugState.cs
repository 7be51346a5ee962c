// The managed half of a debug heap: its name and tag for messages, the allocation serial number
// CPython's debug layer stamps into every block, and the raw blocks it cannot recognise by address.
using System.Collections.Generic;
using System.ComponentModel;

namespace Pymalloc;

/// <summary>The bookkeeping of one debug heap (managed: debug mode is not a fast path). For generated code:
/// a debug allocator creates one and passes it to <see cref="PymallocDebug{TLayout}"/>.</summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public sealed class DebugState
{
    private static int s_nextTag;

    /// <summary>Creates the state of a new debug heap.</summary>
    public DebugState(string name)
    {
        Name = name;
        Tag = (byte)(System.Threading.Interlocked.Increment(ref s_nextTag) & 0xFF);
    }

    /// <summary>The allocator's name, for messages.</summary>
    internal string Name { get; }

    /// <summary>This heap's byte in every block header.</summary>
    internal byte Tag { get; }

    /// <summary>Allocations so far (the next serial number).</summary>
    internal ulong Serial { get; set; }

    /// <summary>Live blocks that came from the raw allocator (they cannot be recognised by address).</summary>
    internal HashSet<nint> RawBlocks { get; } = new();
}
