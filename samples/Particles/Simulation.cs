// A fixed-step simulation whose objects live in unmanaged memory from the generated allocator:
// particles (48 bytes) spawned in bursts and expiring, and messages of 16..400 bytes sent between
// systems and consumed a few frames later. The frame loop allocates no managed memory.
using System;
using System.Numerics;
using System.Runtime.InteropServices;
using Pymalloc.Generated;

namespace Particles;

[StructLayout(LayoutKind.Sequential)]
internal struct Particle
{
    public Vector3 Position;
    public Vector3 Velocity;
    public float Life;
    public float Size;
    public uint Color;
    public int Kind;
}

/// <summary>A message header; its payload follows it in the same block.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct Message
{
    public int Frame;
    public int Length;
}

internal sealed unsafe class Simulation : IDisposable
{
    private const float Step = 1f / 60f;
    private readonly Particle*[] _particles;
    private readonly Message*[] _messages;
    private int _particleCount;
    private int _messageCount;
    private uint _random = 2463534242;

    public Simulation(int maxParticles, int maxMessages)
    {
        _particles = new Particle*[maxParticles];
        _messages = new Message*[maxMessages];
    }

    public long Allocations { get; private set; }
    public long Frees { get; private set; }
    public int PeakParticles { get; private set; }
    public long BytesRequested { get; private set; }

    public int LiveParticles => _particleCount;
    public int LiveMessages => _messageCount;

    public void Frame(int frame)
    {
        // Bursts: a few emitters fire every frame, more every 30th.
        int spawn = 150 + (frame % 30 == 0 ? 2500 : 0);
        for (int i = 0; i < spawn && _particleCount < _particles.Length; i++)
        {
            var p = (Particle*)PymallocAllocator.Malloc((nuint)sizeof(Particle));
            p->Position = new Vector3(Next(), Next(), Next());
            p->Velocity = new Vector3(Next() - 0.5f, 2 + Next(), Next() - 0.5f);
            p->Life = 0.5f + 2 * Next();
            p->Size = 1;
            p->Kind = i & 3;
            _particles[_particleCount++] = p;
            Allocations++;
            BytesRequested += sizeof(Particle);
        }
        PeakParticles = Math.Max(PeakParticles, _particleCount);

        for (int i = 0; i < _particleCount; i++)
        {
            Particle* p = _particles[i];
            p->Velocity.Y -= 9.81f * Step;
            p->Position += p->Velocity * Step;
            p->Life -= Step;
            if (p->Life <= 0)
            {
                PymallocAllocator.Free(p);
                Frees++;
                _particles[i--] = _particles[--_particleCount];
            }
        }

        // Messages of assorted sizes, consumed (freed) two to five frames after they are sent.
        for (int i = 0; i < 40 && _messageCount < _messages.Length; i++)
        {
            int length = 8 + (int)(Next() * Next() * 392);
            var m = (Message*)PymallocAllocator.Malloc((nuint)(sizeof(Message) + length));
            m->Frame = frame;
            m->Length = length;
            new Span<byte>(m + 1, length).Fill((byte)frame);
            _messages[_messageCount++] = m;
            Allocations++;
            BytesRequested += sizeof(Message) + length;
        }
        for (int i = 0; i < _messageCount; i++)
        {
            Message* m = _messages[i];
            if (frame - m->Frame >= 2 + (m->Length & 3))
            {
                PymallocAllocator.Free(m);
                Frees++;
                _messages[i--] = _messages[--_messageCount];
            }
        }
    }

    public void Dispose()
    {
        for (int i = 0; i < _particleCount; i++)
        {
            PymallocAllocator.Free(_particles[i]);
        }
        for (int i = 0; i < _messageCount; i++)
        {
            PymallocAllocator.Free(_messages[i]);
        }
        Frees += _particleCount + _messageCount;
        _particleCount = _messageCount = 0;
    }

    // xorshift32: deterministic and allocation-free.
    private float Next()
    {
        _random ^= _random << 13;
        _random ^= _random >> 17;
        _random ^= _random << 5;
        return (_random >> 8) * (1f / (1 << 24));
    }
}
