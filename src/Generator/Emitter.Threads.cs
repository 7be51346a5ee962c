// The Threads file: the static heap's thread rule — the per-call owner check, handing the heap
// over, and owner scopes for hot loops. The model writes all of it (ApiModel.*.cs): in debug mode and
// with Threading = Unchecked the same members exist, so code compiles either way, but check nothing.
namespace Pymalloc.Generator;

internal static partial class Emitter
{
    private static string EmitThreads(AllocatorSpec spec, ApiModel model)
    {
        var w = new CodeWriter();
        model.WriteThreadRule(w);
        return File(spec, "thread rule", new string[0], new[] { "System", "System.Runtime.CompilerServices", "Pymalloc", "Pymalloc.Runtime" }, w.ToString());
    }
}
