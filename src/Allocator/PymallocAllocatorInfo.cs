// What a generated allocator can tell about itself at run time: its layout, its size-class table
// and its statistics. Every generated allocator has an `Info`, and the generator lists them all in
// Pymalloc.Generated.PymallocAllocators.All, which is what inspection tools enumerate.
using System;
using System.Collections.Generic;
using System.ComponentModel;
using Pymalloc.Runtime;

namespace Pymalloc;

/// <summary>One row of a layout's size-class table.</summary>
/// <param name="Index">Size class index.</param>
/// <param name="FirstRequest">The smallest request served from this class (the largest is <paramref name="BlockSize"/>).</param>
/// <param name="BlockSize">Bytes per block.</param>
/// <param name="BlocksPerPool">Blocks a pool of this class holds.</param>
/// <param name="BytesLostPerPool">Bytes after the last whole block of a pool (quantization), header not included.</param>
public readonly record struct SizeClassLayout(uint Index, uint FirstRequest, uint BlockSize, uint BlocksPerPool, uint BytesLostPerPool);

/// <summary>Describes a generated allocator.</summary>
public sealed class PymallocAllocatorInfo
{
    private readonly Func<MallocStats> _stats;

    private PymallocAllocatorInfo(Func<MallocStats> stats) => _stats = stats;

    /// <summary>Full name of the generated type.</summary>
    public required string Name { get; init; }

    /// <summary>The attribute as written in source.</summary>
    public required string Configuration { get; init; }

    /// <summary>The preset the layout started from.</summary>
    public required string Preset { get; init; }

    /// <summary>ALIGNMENT.</summary>
    public required int Alignment { get; init; }

    /// <summary>SMALL_REQUEST_THRESHOLD.</summary>
    public required int SmallRequestThreshold { get; init; }

    /// <summary>POOL_SIZE.</summary>
    public required int PoolSize { get; init; }

    /// <summary>POOL_OVERHEAD.</summary>
    public required int PoolOverhead { get; init; }

    /// <summary>ARENA_SIZE.</summary>
    public required int ArenaSize { get; init; }

    /// <summary>MAX_POOLS_IN_ARENA.</summary>
    public required int MaxPoolsInArena { get; init; }

    /// <summary>The size classes, in order.</summary>
    public required IReadOnlyList<SizeClassLayout> SizeClasses { get; init; }

    /// <summary>A snapshot of the allocator's statistics.</summary>
    public MallocStats GetStats() => _stats();

    /// <summary>Describes the allocator with layout <typeparamref name="TLayout"/> (called by generated code).</summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public static PymallocAllocatorInfo Create<TLayout>(string name, string configuration, string preset, Func<MallocStats> stats)
        where TLayout : struct, IPymallocLayout
    {
        var classes = new SizeClassLayout[default(TLayout).NumSizeClasses];
        uint usable = (uint)PymallocCore<TLayout>.PoolSize - default(TLayout).PoolOverhead;
        for (uint i = 0; i < classes.Length; i++)
        {
            uint size = PymallocCore<TLayout>.BlockSize(i);
            classes[i] = new SizeClassLayout(i, (i << default(TLayout).AlignmentShift) + 1, size, usable / size, usable % size);
        }
        return new PymallocAllocatorInfo(stats)
        {
            Name = name,
            Configuration = configuration,
            Preset = preset,
            Alignment = 1 << default(TLayout).AlignmentShift,
            SmallRequestThreshold = (int)default(TLayout).SmallRequestThreshold,
            PoolSize = 1 << default(TLayout).PoolSizeShift,
            PoolOverhead = (int)default(TLayout).PoolOverhead,
            ArenaSize = 1 << default(TLayout).ArenaBits,
            MaxPoolsInArena = (int)default(TLayout).MaxPoolsInArena,
            SizeClasses = classes,
        };
    }
}
