// The simulated world, three ways. Each frame: spawn a burst of particles (48 bytes) and kill the
// expired ones, send messages of 16..400 bytes, consume (free) old messages on the main thread, and
// hand every fourth message to a worker thread that frees it. Only how memory is obtained differs.
using System;
using System.IO;
using System.IO.Compression;
using System.Numerics;
using System.Runtime.InteropServices;
using System.Threading;
using Pymalloc;

namespace GameLoop;

internal struct Particle
{
    public Vector3 Position, Velocity;
    public float Life, Size;
    public uint Color;
    public int Kind;
}

/// <summary>xorshift32: deterministic and allocation-free, so every world sees the same history.</summary>
internal struct Xorshift
{
    private uint _state;

    public Xorshift(uint seed) => _state = seed;

    public float Next()
    {
        _state ^= _state << 13;
        _state ^= _state >> 17;
        _state ^= _state << 5;
        return (_state >> 8) * (1f / (1 << 24));
    }
}

internal interface IWorld : IDisposable
{
    string Name { get; }
    void Frame(int frame);
    string Stats();
}

/// <summary>A single-producer, single-consumer ring of pointers (or object slots) to the worker.</summary>
internal sealed class Mailbox
{
    private readonly nint[] _slots = new nint[1 << 16];
    private readonly object?[] _objects = new object?[1 << 16];
    private long _head, _tail;
    public volatile bool Done;

    public bool TryPost(nint p, object? o)
    {
        long tail = _tail;
        if (tail - Volatile.Read(ref _head) >= _slots.Length)
        {
            return false;
        }
        _slots[tail & (_slots.Length - 1)] = p;
        _objects[tail & (_slots.Length - 1)] = o;
        Volatile.Write(ref _tail, tail + 1);
        return true;
    }

    public bool TryTake(out nint p, out object? o)
    {
        long head = _head;
        if (head == Volatile.Read(ref _tail))
        {
            p = 0;
            o = null;
            return false;
        }
        p = _slots[head & (_slots.Length - 1)];
        o = _objects[head & (_slots.Length - 1)];
        _objects[head & (_slots.Length - 1)] = null;
        Volatile.Write(ref _head, head + 1);
        return true;
    }
}

/// <summary>The unmanaged worlds: particles and messages behind two function pairs.</summary>
internal abstract unsafe class UnmanagedWorld : IWorld
{
    private readonly Particle*[] _particles = new Particle*[100_000];
    private readonly byte*[] _messages = new byte*[20_000];
    private readonly int[] _sentAt = new int[20_000];
    private int _particleCount, _messageCount;
    private Xorshift _random = new(2463534242);
    private readonly Mailbox _mailbox = new();
    private readonly Thread _worker;

    protected UnmanagedWorld()
    {
        _worker = new Thread(() =>
        {
            var spin = new SpinWait();
            while (!_mailbox.Done)
            {
                if (_mailbox.TryTake(out nint p, out _))
                {
                    FreeOnWorker((void*)p);
                    spin.Reset();
                }
                else
                {
                    spin.SpinOnce();
                }
            }
            while (_mailbox.TryTake(out nint rest, out _))
            {
                FreeOnWorker((void*)rest);
            }
        }) { IsBackground = true, Name = "worker" };
        _worker.Start();
    }

    public abstract string Name { get; }
    protected abstract void* Alloc(nuint size);
    protected abstract void Free(void* p);
    protected abstract void FreeOnWorker(void* p);
    public abstract string Stats();

    public void Frame(int frame)
    {
        int spawn = 300 + (frame % 20 == 0 ? 4000 : 0);
        for (int i = 0; i < spawn && _particleCount < _particles.Length; i++)
        {
            var p = (Particle*)Alloc((nuint)sizeof(Particle));
            p->Position = new Vector3(Next(), Next(), Next());
            p->Velocity = new Vector3(Next() - 0.5f, 3 * Next(), Next() - 0.5f);
            p->Life = 0.2f + Next();
            p->Size = 1;
            p->Color = 0xFFFFFFFF;
            p->Kind = i & 3;
            _particles[_particleCount++] = p;
        }
        for (int i = 0; i < _particleCount; i++)
        {
            Particle* p = _particles[i];
            p->Velocity.Y -= 9.81f / 60;
            p->Position += p->Velocity / 60;
            if ((p->Life -= 1f / 60) <= 0)
            {
                Free(p);
                _particles[i--] = _particles[--_particleCount];
            }
        }
        for (int i = 0; i < 200 && _messageCount < _messages.Length; i++)
        {
            int length = 16 + (int)(Next() * Next() * 384);
            var m = (byte*)Alloc((nuint)length);
            new Span<byte>(m, length).Fill((byte)frame);
            if ((i & 3) == 0 && _mailbox.TryPost((nint)m, null))
            {
                continue; // the worker frees it
            }
            _sentAt[_messageCount] = frame;
            _messages[_messageCount++] = m;
        }
        for (int i = 0; i < _messageCount; i++)
        {
            if (frame - _sentAt[i] >= 3)
            {
                Free(_messages[i]);
                _messages[i] = _messages[--_messageCount];
                _sentAt[i--] = _sentAt[_messageCount];
            }
        }
    }

    private float Next() => _random.Next();

    public virtual void Dispose()
    {
        _mailbox.Done = true;
        _worker.Join();
        for (int i = 0; i < _particleCount; i++)
        {
            Free(_particles[i]);
        }
        for (int i = 0; i < _messageCount; i++)
        {
            Free(_messages[i]);
        }
    }
}

/// <summary>Pymalloc.NET: a heap owned by the main thread. The worker frees with the same Free, which on a
/// thread that does not own the heap hands the block to the owner (one compare-and-swap). With
/// <c>--record</c>, the heap is a RecordingHeap writing every call to a pymalloc-trace file.</summary>
internal sealed unsafe class PymallocWorld : UnmanagedWorld
{
    private readonly RecordingHeap<Pymalloc.Generated.PymallocAllocator.Layout>? _recording;
    private readonly Heap<Pymalloc.Generated.PymallocAllocator.Layout> _heap;

    // The heap's figures for dotnet-counters (README, "Meters"):
    //   dotnet-counters monitor --name GameLoop --counters GameLoop.Pymalloc
    // Observable instruments: nothing is computed unless a listener reads them.
    private readonly System.Diagnostics.Metrics.Meter _meter;

    public PymallocWorld(string? recordTo = null)
    {
        if (recordTo is null)
        {
            _heap = Pymalloc.Generated.PymallocAllocator.CreateHeap();
            _meter = _heap.CreateMeter("GameLoop.Pymalloc");
            return;
        }
        Stream file = File.Create(recordTo);
        _recording = RecordingHeap<Pymalloc.Generated.PymallocAllocator.Layout>.Create(
            recordTo.EndsWith(".gz", StringComparison.Ordinal) ? new GZipStream(file, CompressionLevel.Fastest) : file, "GameLoop");
        _heap = _recording.Heap;
        _meter = _heap.CreateMeter("GameLoop.Pymalloc");
    }

    public override string Name => "Pymalloc.NET";
    protected override void* Alloc(nuint size) => _recording is null ? _heap.Malloc(size) : _recording.Malloc(size);
    protected override void Free(void* p)
    {
        if (_recording is null)
        {
            _heap.Free(p);
        }
        else
        {
            _recording.Free(p);
        }
    }

    protected override void FreeOnWorker(void* p) => Free(p);

    public override string Stats()
    {
        _heap.DrainDelayedFrees();
        MallocStats s = _heap.GetStats();
        return $"{s.ArenasAllocatedCurrent} arenas ({s.ArenasHighwater} at most), {s.PoolsInUse} pools in use, {s.BlocksInUse:N0} blocks live";
    }

    public override void Dispose()
    {
        base.Dispose();
        _meter.Dispose();
        if (_recording is null)
        {
            _heap.Dispose(); // every arena at once
        }
        else
        {
            _recording.Dispose(); // the recording's end line, then every arena at once
        }
    }
}

/// <summary>glibc's malloc through NativeMemory; the worker frees directly (malloc is thread-safe).</summary>
internal sealed unsafe class NativeWorld : UnmanagedWorld
{
    public override string Name => "NativeMemory";
    protected override void* Alloc(nuint size) => NativeMemory.Alloc(size);
    protected override void Free(void* p) => NativeMemory.Free(p);
    protected override void FreeOnWorker(void* p) => NativeMemory.Free(p);
    public override string Stats() => "-";
}
