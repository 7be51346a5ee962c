// The walks over a heap's arenas and their carved pools, written once for everything that looks at
// the whole heap: statistics, Validate, Reset, Dispose, the meters' byte count and the debug layer.
// Pattern-based foreach over pointers: `foreach (ArenaObject* arena in PymallocCore<L>.Arenas(heap))`.
//
// Invariants the walks rely on (see ArenaObject and PoolHeader):
//   - an arena record is associated with memory exactly when Address != 0; the others are on
//     unused_arena_objects and hold nothing;
//   - an arena's pools are carved in address order from FirstPool up to PoolAddress; every carved
//     pool has a header (used, full or empty), and nothing at or past PoolAddress has one.
// A walk reads Address when it moves on, so clearing it for the current arena (Dispose) is safe.
namespace Pymalloc.Runtime;

/// <summary>The associated arena records of a heap, in index order.</summary>
internal readonly unsafe struct ArenaWalk
{
    private readonly HeapState* _heap;

    public ArenaWalk(HeapState* heap) => _heap = heap;

    public Enumerator GetEnumerator() => new(_heap);

    public unsafe struct Enumerator
    {
        private readonly HeapState* _heap;
        private uint _next;

        public Enumerator(HeapState* heap)
        {
            _heap = heap;
            _next = 0;
            Current = null;
        }

        public ArenaObject* Current { get; private set; }

        public bool MoveNext()
        {
            while (_next < _heap->ArenaSlots)
            {
                ArenaObject* arena = &_heap->Arenas[_next++];
                if (arena->Address != 0)
                {
                    Current = arena;
                    return true;
                }
            }
            return false;
        }
    }
}

/// <summary>The carved pools of one arena, in address order: every pool that has a header.</summary>
internal readonly unsafe struct PoolWalk
{
    private readonly nuint _first;
    private readonly nuint _end;
    private readonly nuint _poolSize;

    public PoolWalk(nuint first, nuint end, nuint poolSize)
    {
        _first = first;
        _end = end;
        _poolSize = poolSize;
    }

    public Enumerator GetEnumerator() => new(_first, _end, _poolSize);

    public unsafe struct Enumerator
    {
        private readonly nuint _end;
        private readonly nuint _poolSize;
        private nuint _next;

        public Enumerator(nuint first, nuint end, nuint poolSize)
        {
            _next = first;
            _end = end;
            _poolSize = poolSize;
            Current = null;
        }

        public PoolHeader* Current { get; private set; }

        public bool MoveNext()
        {
            if (_next >= _end)
            {
                return false;
            }
            Current = (PoolHeader*)_next;
            _next += _poolSize;
            return true;
        }
    }
}
