// Recording a program's allocations as a pymalloc-trace v1 file (the format of CPython's traces), so
// that `pymalloc replay` and `pymalloc advise` can work on the program's own calls.
//
// PYMALLOC_TRACE=<path> (read when an allocator's static heap is created, like PYMALLOC_BYPASS)
// records every call of the generated static API to <path>, gzip-compressed when it ends in .gz,
// and writes the end line when the process exits (or Complete is called). "{allocator}" in the
// path becomes the allocator's full name; without it, the first allocator to start takes the path
// and any other records beside it with its name added. The generated code tests a static readonly
// field for the recorder, which the JIT folds away when it is null: not recording costs nothing.
//
// Invariants: ids are dense and reused most recently freed first, as CPython's recorder does; every
// call is recorded under the recorder's lock together with the call itself, so the file's order
// is the heap's; a free handed over by another thread is recorded when the owner's drain frees it.
using System;
using System.Collections.Generic;
using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.IO.Compression;
using System.Runtime.InteropServices;
using System.Text;
using Pymalloc.Runtime;

namespace Pymalloc;

/// <summary>Writes an allocator's calls as a <c>pymalloc-trace v1</c> file. Created by generated code
/// when <c>PYMALLOC_TRACE</c> is set; see the README, "Choosing a layout".</summary>
public sealed unsafe class TraceRecorder
{
    private static readonly HashSet<string> s_claimedPaths = new(StringComparer.Ordinal);

    private readonly string? _pathRequest, _allocator, _header;
    private StreamWriter? _writer;
    private readonly Dictionary<nint, (int Id, bool InPool)> _live = new();
    private readonly Stack<int> _freeIds = new();
    private long _mallocs, _callocs, _reallocs, _frees;
    private int _maxId, _maxLive, _liveInPools;
    private bool _completed;

    /// <summary>Starts a recording to <paramref name="stream"/> (closed by <see cref="Complete"/>).</summary>
    /// <param name="stream">Where the trace goes, as text (wrap it in a GZipStream for .gz).</param>
    /// <param name="allocator">The allocator's name, for the header.</param>
    /// <param name="alignment">ALIGNMENT of the recorded layout.</param>
    /// <param name="poolSize">POOL_SIZE.</param>
    /// <param name="arenaSize">ARENA_SIZE.</param>
    /// <param name="threshold">SMALL_REQUEST_THRESHOLD.</param>
    public TraceRecorder(Stream stream, string allocator, int alignment, int poolSize, int arenaSize, int threshold)
    {
        _header = Header(allocator, alignment, poolSize, arenaSize, threshold);
        _writer = Open(stream ?? throw new ArgumentNullException(nameof(stream)));
    }

    // For PYMALLOC_TRACE: the file is claimed and created at the first call recorded, so an allocator
    // that never allocates leaves no file and takes no path from one that does.
    private TraceRecorder(string pathRequest, string allocator, int alignment, int poolSize, int arenaSize, int threshold)
    {
        _pathRequest = pathRequest;
        _allocator = allocator;
        _header = Header(allocator, alignment, poolSize, arenaSize, threshold);
    }

    private static string Header(string allocator, int alignment, int poolSize, int arenaSize, int threshold) => FormattableString.Invariant(
        $"# pymalloc-trace v1 python=none alignment={alignment} pool={poolSize} arena={arenaSize} threshold={threshold}\n") +
        $"# allocator={allocator} process={Process.GetCurrentProcess().ProcessName} recorder=Pymalloc.NET\n";

    private StreamWriter Open(Stream stream)
    {
        var writer = new StreamWriter(stream, new UTF8Encoding(false), 1 << 16) { NewLine = "\n" };
        writer.Write(_header);
        return writer;
    }

    private StreamWriter Writer
    {
        get
        {
            if (_writer is null)
            {
                string path = PathFor(_pathRequest!, _allocator!);
                Stream stream = File.Create(path);
                if (path.EndsWith(".gz", StringComparison.OrdinalIgnoreCase))
                {
                    stream = new GZipStream(stream, CompressionLevel.Fastest);
                }
                _writer = Open(stream);
            }
            return _writer;
        }
    }

    /// <summary>For generated code and <see cref="Heap{TLayout}.Create"/>: the recorder <c>PYMALLOC_TRACE</c>
    /// asks for, attached to <paramref name="heap"/> (completed when the heap is destroyed, or at exit),
    /// or null when the variable is not set.</summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public static TraceRecorder? FromEnvironment(string allocator, HeapState* heap, int alignment, int poolSize, int arenaSize, int threshold)
    {
        string? path = Environment.GetEnvironmentVariable("PYMALLOC_TRACE");
        if (string.IsNullOrEmpty(path))
        {
            return null;
        }
        var recorder = new TraceRecorder(path, allocator, alignment, poolSize, arenaSize, threshold);
        heap->Recorder = GCHandle.ToIntPtr(GCHandle.Alloc(recorder));
        AppDomain.CurrentDomain.ProcessExit += (_, _) => recorder.Complete();
        return recorder;
    }

    /// <summary>The recorder a heap's state holds.</summary>
    internal static TraceRecorder Of(nint handle) => (TraceRecorder)GCHandle.FromIntPtr(handle).Target!;

    /// <summary>A heap being destroyed: its recording gets its end line, and the state lets it go.</summary>
    internal static void Detach(HeapState* heap)
    {
        nint handle = heap->Recorder;
        heap->Recorder = 0;
        GCHandle gc = GCHandle.FromIntPtr(handle);
        ((TraceRecorder)gc.Target!).Complete();
        gc.Free();
    }

    /// <summary>The file an allocator records to: "{allocator}" replaced, or the path itself for the
    /// first allocator and the path with the allocator's name before its extension for the others.</summary>
    internal static string PathFor(string path, string allocator)
    {
        if (path.Contains("{allocator}"))
        {
            return path.Replace("{allocator}", allocator);
        }
        lock (s_claimedPaths)
        {
            if (s_claimedPaths.Add(path))
            {
                return path;
            }
            string extension = path.EndsWith(".trace.gz", StringComparison.OrdinalIgnoreCase) ? ".trace.gz"
                : path.EndsWith(".gz", StringComparison.OrdinalIgnoreCase) ? ".gz" : Path.GetExtension(path);
            string other = path.Substring(0, path.Length - extension.Length) + "." + allocator + extension;
            s_claimedPaths.Add(other);
            return other;
        }
    }

    /// <summary>The lock generated code holds around a call and its recording.</summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public object Gate => _live;

    /// <summary>malloc(<paramref name="size"/>) returned <paramref name="block"/>.</summary>
    public void Malloc(void* block, nuint size, bool inPool)
    {
        if (block != null && !_completed)
        {
            _mallocs++;
            Write('m', Take(block, inPool), size);
        }
    }

    /// <summary>calloc(<paramref name="count"/>, <paramref name="size"/>) returned <paramref name="block"/>.</summary>
    public void Calloc(void* block, nuint count, nuint size, bool inPool)
    {
        if (block != null && !_completed)
        {
            _callocs++;
            Writer.Write(FormattableString.Invariant($"c {Take(block, inPool)} {(ulong)count} {(ulong)size}\n"));
        }
    }

    /// <summary>realloc(<paramref name="old"/>, <paramref name="size"/>) returned <paramref name="block"/>
    /// (null: it failed and <paramref name="old"/> is untouched, nothing to record).</summary>
    public void Realloc(void* old, void* block, nuint size, bool inPool)
    {
        if (block == null || _completed)
        {
            return;
        }
        _reallocs++;
        if (old == null)
        {
            Writer.Write(FormattableString.Invariant($"r - {Take(block, inPool)} {(ulong)size}\n"));
            return;
        }
        if (!_live.TryGetValue((nint)old, out (int Id, bool InPool) was))
        {
            // A block from before the recording (or not this heap's): recorded as a fresh one.
            Writer.Write(FormattableString.Invariant($"r - {Take(block, inPool)} {(ulong)size}\n"));
            return;
        }
        if (block == old)
        {
            _live[(nint)old] = (was.Id, inPool);
            _liveInPools += (inPool ? 1 : 0) - (was.InPool ? 1 : 0);
            Writer.Write(FormattableString.Invariant($"r {was.Id} {was.Id} {(ulong)size}\n"));
            return;
        }
        int id = Take(block, inPool); // before the old id is released: a moved block gets a new id
        Release(old);
        Writer.Write(FormattableString.Invariant($"r {was.Id} {id} {(ulong)size}\n"));
    }

    /// <summary>free(<paramref name="block"/>); a block the recording never saw allocated is not recorded.</summary>
    public void Free(void* block)
    {
        if (block == null || _completed || !_live.TryGetValue((nint)block, out (int Id, bool InPool) was))
        {
            return;
        }
        _frees++;
        Release(block);
        Writer.Write(FormattableString.Invariant($"f {was.Id}\n"));
    }

    /// <summary>Writes the end line and closes the file; later calls record nothing. Idempotent.</summary>
    public void Complete()
    {
        lock (_live)
        {
            if (_completed)
            {
                return;
            }
            _completed = true;
            if (_writer is null && _pathRequest is not null)
            {
                return; // PYMALLOC_TRACE, and nothing was ever recorded: no file
            }
            long ops = _mallocs + _callocs + _reallocs + _frees;
            Writer.Write(FormattableString.Invariant(
                $"# end ops={ops} m={_mallocs} c={_callocs} r={_reallocs} f={_frees} max_id={_maxId} live={_live.Count} max_live={_maxLive} allocated_blocks={_liveInPools}\n"));
            _writer?.Dispose();
        }
    }

    /// <summary>A free other threads handed over, recorded as the owner's drain performs it.</summary>
    internal static void Drained(nint handle, void* block)
    {
        TraceRecorder recorder = Of(handle);
        lock (recorder._live)
        {
            recorder.Free(block);
        }
    }

    private int Take(void* block, bool inPool)
    {
        int id = _freeIds.Count != 0 ? _freeIds.Pop() : _maxId++;
        _live[(nint)block] = (id, inPool);
        _liveInPools += inPool ? 1 : 0;
        _maxLive = Math.Max(_maxLive, _live.Count);
        return id;
    }

    private void Release(void* block)
    {
        (int id, bool inPool) = _live[(nint)block];
        _live.Remove((nint)block);
        _liveInPools -= inPool ? 1 : 0;
        _freeIds.Push(id);
    }

    private void Write(char op, int id, nuint size) => Writer.Write(FormattableString.Invariant($"{op} {id} {(ulong)size}\n"));
}
