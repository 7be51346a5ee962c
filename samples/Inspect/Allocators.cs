// Three allocators in one assembly, each with its own heap: the default one, and two named ones
// an engine might keep apart — small fixed-size particles, and assorted-size messages.
using Pymalloc;

[assembly: PymallocConfig]

namespace Inspect;

/// <summary>Particles are 32..64 bytes: CPython 3.8's 4 KiB pools waste less for a few classes.</summary>
[PymallocConfig(Preset = PymallocPreset.CPython38, SmallRequestThreshold = 128)]
public static partial class ParticleHeap
{
}

/// <summary>Messages are up to 1 KiB: a larger threshold and 64 KiB pools.</summary>
[PymallocConfig(PoolSize = 64 * 1024, ArenaSize = 4 * 1024 * 1024, SmallRequestThreshold = 1024)]
public static partial class MessageHeap
{
}
