// A `pymalloc-trace v1` file loaded into memory: one compact record per operation, so that a
// replay measures the allocator and not the parser.
using System;
using System.Collections.Generic;
using System.IO;
using System.IO.Compression;
using System.Text;

namespace Pymalloc.Traces;

/// <summary>The kind of a recorded call.</summary>
public enum TraceOpKind : byte
{
    /// <summary><c>m id size</c>: malloc(size) returned block id.</summary>
    Malloc,

    /// <summary><c>c id nelem elsize</c>: calloc(nelem, elsize) returned block id.</summary>
    Calloc,

    /// <summary><c>r old new size</c>: realloc(old, size) returned block new (== old if it did not move).</summary>
    Realloc,

    /// <summary><c>r - new size</c>: realloc(NULL, size), a malloc.</summary>
    ReallocNull,

    /// <summary><c>f id</c>: free(id).</summary>
    Free,
}

/// <summary>One recorded call. For calloc, <see cref="Size"/> is the element size and <see cref="Count"/> the element count.</summary>
public readonly record struct TraceOp(TraceOpKind Kind, int Id, int NewId, ulong Size, ulong Count);

/// <summary>A parsed trace. Loading checks that it is complete (its end line is there and counts the
/// operations read) and that its ids are in range, so a truncated or corrupt file is refused with a
/// <see cref="FormatException"/> naming the line, never replayed into wrong statistics.</summary>
public sealed class AllocationTrace
{
    private AllocationTrace(TraceOp[] ops, int maxId, string header)
    {
        Ops = ops;
        MaxId = maxId;
        Header = header;
    }

    /// <summary>The operations in order.</summary>
    public TraceOp[] Ops { get; }

    /// <summary>One more than the largest block id.</summary>
    public int MaxId { get; }

    /// <summary>The first header line (<c># pymalloc-trace v1 ...</c>).</summary>
    public string Header { get; }

    /// <summary>Loads a trace file, gzip-compressed (by content, not name) or plain.</summary>
    public static AllocationTrace Load(string path)
    {
        using FileStream file = File.OpenRead(path);
        return Load(file);
    }

    /// <summary>Loads a trace from a stream, gzip-compressed or plain.</summary>
    public static AllocationTrace Load(Stream stream)
    {
        var buffered = new BufferedStream(stream, 1 << 16);
        int b0 = buffered.ReadByte(), b1 = buffered.ReadByte();
        byte[] sniffed = b0 < 0 ? Array.Empty<byte>() : b1 < 0 ? new[] { (byte)b0 } : new[] { (byte)b0, (byte)b1 };
        var head = new MemoryStream(sniffed);
        Stream rest = new ConcatStream(head, buffered);
        if (b0 == 0x1f && b1 == 0x8b)
        {
            rest = new GZipStream(rest, CompressionMode.Decompress);
        }
        return Parse(rest);
    }

    private static AllocationTrace Parse(Stream input)
    {
        var ops = new List<TraceOp>(1 << 16);
        var reader = new LineReader(input);
        string header = "";
        int maxId = 0;
        int lineNumber = 0;
        long announced = -1; // ops=<N> of the end line: a trace is complete only with it
        long creating = 0;   // ops that can introduce a new id (every id below max_id is introduced once)
        while (reader.TryReadLine(out ReadOnlySpan<byte> line))
        {
            lineNumber++;
            if (line.IsEmpty)
            {
                continue;
            }
            if (line[0] == (byte)'#')
            {
                if (lineNumber == 1)
                {
                    header = Encoding.ASCII.GetString(line);
                    if (!header.StartsWith("# pymalloc-trace v1", StringComparison.Ordinal))
                    {
                        throw new FormatException($"Not a pymalloc-trace v1 file: '{header}'.");
                    }
                }
                else if (line.StartsWith("# end "u8))
                {
                    announced = EndOps(line, lineNumber);
                }
                continue;
            }
            if (announced >= 0)
            {
                throw new FormatException($"Line {lineNumber}: an operation after the '# end' line.");
            }
            var fields = new FieldReader(line, lineNumber);
            byte kind = fields.Kind();
            TraceOp op = kind switch
            {
                (byte)'m' => new TraceOp(TraceOpKind.Malloc, fields.Id(), -1, fields.Number(), 0),
                (byte)'c' => Calloc(ref fields),
                (byte)'r' => Realloc(ref fields),
                (byte)'f' => new TraceOp(TraceOpKind.Free, fields.Id(), -1, 0, 0),
                _ => throw new FormatException($"Line {lineNumber}: unknown operation '{(char)kind}'."),
            };
            fields.End();
            maxId = Math.Max(maxId, Math.Max(op.Id, op.NewId) + 1);
            creating += op.Kind == TraceOpKind.Free ? 0 : 1;
            ops.Add(op);
        }
        if (header.Length == 0)
        {
            throw new FormatException("Empty trace: no '# pymalloc-trace v1' header.");
        }
        if (announced < 0)
        {
            throw new FormatException($"The trace ends after {ops.Count} operations without its '# end ops=...' line: it is truncated, or its recording was not closed.");
        }
        if (announced != ops.Count)
        {
            throw new FormatException($"The end line announces {announced} operations but the trace has {ops.Count}: it is truncated or corrupt.");
        }
        if (maxId > creating)
        {
            // Ids are dense (0 <= id < max_id, each introduced by an allocating op), so a larger id is
            // corrupt input; refusing it here also keeps a replay from allocating an id table of gigabytes.
            throw new FormatException($"Block id {maxId - 1} is out of range: a trace with {creating} allocating operations uses ids below {creating}.");
        }
        return new AllocationTrace(ops.ToArray(), maxId, header);
    }

    /// <summary>The <c>ops=N</c> field of an end line.</summary>
    private static long EndOps(ReadOnlySpan<byte> line, int lineNumber)
    {
        int at = line.IndexOf(" ops="u8);
        if (at < 0)
        {
            throw new FormatException($"Line {lineNumber}: the end line has no ops= field.");
        }
        ReadOnlySpan<byte> digits = line.Slice(at + 5);
        int end = digits.IndexOf((byte)' ');
        digits = end < 0 ? digits : digits.Slice(0, end);
        long n = 0;
        foreach (byte c in digits)
        {
            if (c < '0' || c > '9' || n > int.MaxValue)
            {
                throw new FormatException($"Line {lineNumber}: the end line's ops= is not a count.");
            }
            n = n * 10 + (c - '0');
        }
        return digits.IsEmpty ? throw new FormatException($"Line {lineNumber}: the end line's ops= is empty.") : n;
    }

    private static TraceOp Calloc(ref FieldReader f)
    {
        int id = f.Id();
        ulong count = f.Number();
        ulong size = f.Number();
        return new TraceOp(TraceOpKind.Calloc, id, -1, size, count);
    }

    private static TraceOp Realloc(ref FieldReader f)
    {
        if (f.TryDash())
        {
            int fresh = f.Id();
            return new TraceOp(TraceOpKind.ReallocNull, -1, fresh, f.Number(), 0);
        }
        int old = f.Id();
        int now = f.Id();
        return new TraceOp(TraceOpKind.Realloc, old, now, f.Number(), 0);
    }

    /// <summary>Splits one op line into space-separated fields.</summary>
    private ref struct FieldReader
    {
        private ReadOnlySpan<byte> _rest;
        private readonly int _line;

        public FieldReader(ReadOnlySpan<byte> line, int lineNumber)
        {
            _rest = line;
            _line = lineNumber;
        }

        public byte Kind()
        {
            ReadOnlySpan<byte> f = Next();
            return f.Length == 1 ? f[0] : throw Error("bad operation");
        }

        public bool TryDash()
        {
            if (_rest.Length >= 2 && _rest[0] == (byte)' ' && _rest[1] == (byte)'-')
            {
                _rest = _rest.Slice(2);
                return true;
            }
            return false;
        }

        public int Id()
        {
            ulong v = Number();
            return v <= int.MaxValue - 1 ? (int)v : throw Error("id out of range");
        }

        public ulong Number()
        {
            ReadOnlySpan<byte> f = Next();
            if (f.IsEmpty)
            {
                throw Error("missing number");
            }
            ulong v = 0;
            foreach (byte c in f)
            {
                uint d = (uint)(c - '0');
                if (d > 9)
                {
                    throw Error("not a number");
                }
                if (v > (ulong.MaxValue - d) / 10)
                {
                    throw Error("number out of range");
                }
                v = v * 10 + d;
            }
            return v;
        }

        public void End()
        {
            if (!_rest.IsEmpty)
            {
                throw Error("extra fields");
            }
        }

        private ReadOnlySpan<byte> Next()
        {
            if (!_rest.IsEmpty && _rest[0] == (byte)' ')
            {
                _rest = _rest.Slice(1);
            }
            int end = _rest.IndexOf((byte)' ');
            ReadOnlySpan<byte> f = end < 0 ? _rest : _rest.Slice(0, end);
            _rest = end < 0 ? default : _rest.Slice(end);
            return f;
        }

        private readonly FormatException Error(string what) => new($"Line {_line}: {what}.");
    }
}
