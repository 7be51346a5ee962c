// The .NET GC world: particles are class instances, messages byte arrays; "freeing" is dropping the
// reference, and the worker thread drops the ones handed to it.
using System;
using System.Numerics;
using System.Threading;

namespace GameLoop;

internal sealed class GcParticle
{
    public Vector3 Position, Velocity;
    public float Life, Size;
    public uint Color;
    public int Kind;
}

internal sealed class GcWorld : IWorld
{
    private readonly GcParticle?[] _particles = new GcParticle?[100_000];
    private readonly byte[]?[] _messages = new byte[]?[20_000];
    private readonly int[] _sentAt = new int[20_000];
    private int _particleCount, _messageCount;
    private Xorshift _random = new(2463534242);
    private readonly Mailbox _mailbox = new();
    private readonly Thread _worker;
    private long _dropped;

    public GcWorld()
    {
        _worker = new Thread(() =>
        {
            var spin = new SpinWait();
            while (!_mailbox.Done)
            {
                if (_mailbox.TryTake(out _, out object? o))
                {
                    _dropped += o is byte[] b ? b.Length > 0 ? 1 : 0 : 0;
                    spin.Reset();
                }
                else
                {
                    spin.SpinOnce();
                }
            }
        }) { IsBackground = true, Name = "worker" };
        _worker.Start();
    }

    public string Name => ".NET GC";

    public void Frame(int frame)
    {
        int spawn = 300 + (frame % 20 == 0 ? 4000 : 0);
        for (int i = 0; i < spawn && _particleCount < _particles.Length; i++)
        {
            _particles[_particleCount++] = new GcParticle
            {
                Position = new Vector3(Next(), Next(), Next()),
                Velocity = new Vector3(Next() - 0.5f, 3 * Next(), Next() - 0.5f),
                Life = 0.2f + Next(),
                Size = 1,
                Color = 0xFFFFFFFF,
                Kind = i & 3,
            };
        }
        for (int i = 0; i < _particleCount; i++)
        {
            GcParticle p = _particles[i]!;
            p.Velocity.Y -= 9.81f / 60;
            p.Position += p.Velocity / 60;
            if ((p.Life -= 1f / 60) <= 0)
            {
                _particles[i--] = _particles[--_particleCount];
                _particles[_particleCount] = null;
            }
        }
        for (int i = 0; i < 200 && _messageCount < _messages.Length; i++)
        {
            int length = 16 + (int)(Next() * Next() * 384);
            var m = new byte[length];
            m.AsSpan().Fill((byte)frame);
            if ((i & 3) == 0 && _mailbox.TryPost(0, m))
            {
                continue;
            }
            _sentAt[_messageCount] = frame;
            _messages[_messageCount++] = m;
        }
        for (int i = 0; i < _messageCount; i++)
        {
            if (frame - _sentAt[i] >= 3)
            {
                _messages[i] = _messages[--_messageCount];
                _messages[_messageCount] = null;
                _sentAt[i--] = _sentAt[_messageCount];
            }
        }
    }

    private float Next() => _random.Next();

    public string Stats() => $"GC heap {GC.GetTotalMemory(false) / 1024:N0} KiB";

    public void Dispose()
    {
        _mailbox.Done = true;
        _worker.Join();
    }
}
