// Two owner scopes exist on purpose: Heap<TLayout>.OwnerScope carries its heap in a field, and the
// generated static API's OwnerScope reaches a static readonly heap whose address the JIT folds into
// every call (and in debug mode forwards to the debug API). Written twice (keep in sync), so this test catches them drifting apart: code written
// against one scope must compile against the other.
using System;
using System.Linq;
using System.Reflection;
using Pymalloc.Generated;
using Xunit;

namespace Pymalloc.Tests;

public sealed class OwnerScopeParityTests
{
    private static string[] PublicMembers(Type scope) => scope
        .GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.DeclaredOnly)
        .Select(m => $"{m.ReturnType.Name} {m.Name}{(m.IsGenericMethod ? "<T>" : "")}({string.Join(", ", m.GetParameters().Select(p => p.ParameterType.Name))})")
        .OrderBy(s => s, StringComparer.Ordinal)
        .ToArray();

    [Fact]
    public void TheHeapScopeAndTheGeneratedScopeOfferTheSameCalls()
    {
        string[] heap = PublicMembers(typeof(Heap<PymallocAllocator.Layout>.OwnerScope));
        Assert.Contains("Void* Malloc(UIntPtr)", heap);
        Assert.Contains("T* New<T>()", heap);
        // Every model of the generated static API: checked (the default), unchecked, and debug.
        Assert.Equal(heap, PublicMembers(typeof(PymallocAllocator.OwnerScope)));
        Assert.Equal(heap, PublicMembers(typeof(UncheckedAllocator.OwnerScope)));
        Assert.Equal(heap, PublicMembers(typeof(DebugAllocator.OwnerScope)));
        Assert.True(typeof(PymallocAllocator.OwnerScope).IsByRefLike && typeof(Heap<PymallocAllocator.Layout>.OwnerScope).IsByRefLike,
            "both scopes are ref structs, so neither can leave the owner's stack");
    }
}
