// Pymalloc.NET for Unity. This assembly definition exists for three reasons:
//  - Runtime/Plugins/Pymalloc.dll (the netstandard2.1 runtime) is referenced through it;
//  - the source generator beside it (Runtime/Analyzers, labelled RoslynAnalyzer) applies to the
//    assemblies that reference this one, and it is auto-referenced, so Assembly-CSharp and your
//    own assembly definitions that reference "Pymalloc.Unity" get the generator;
//  - Unity compiles an assembly definition only if it has a script: this is that script.
// Your code still needs "Allow 'unsafe' code" (Player Settings, or your assembly definition) and
// one attribute: [assembly: Pymalloc.PymallocConfig] generates Pymalloc.Generated.PymallocAllocator.
