// The one exception a heap throws for memory it finds damaged: a broken invariant found by
// Validate, or (in debug mode) a block whose guard bytes or bookkeeping were overwritten.
using System;

namespace Pymalloc;

/// <summary>A pymalloc heap found its memory or its bookkeeping damaged.</summary>
public sealed class HeapCorruptionException : Exception
{
    /// <summary>Creates the exception.</summary>
    public HeapCorruptionException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    public HeapCorruptionException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and a cause.</summary>
    public HeapCorruptionException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the exception for a block.</summary>
    public HeapCorruptionException(string message, nuint address, nuint size, string dump)
        : base(message + Environment.NewLine + dump)
    {
        Address = address;
        Size = size;
        Dump = dump;
    }

    /// <summary>The address of the block concerned, if any.</summary>
    public nuint Address { get; }

    /// <summary>The size requested for the block, if known.</summary>
    public nuint Size { get; }

    /// <summary>A dump of the block in the style of CPython's <c>_PyObject_DebugDumpAddress</c>.</summary>
    public string Dump { get; } = "";
}
