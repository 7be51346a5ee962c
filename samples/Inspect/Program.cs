// Inspect: what the generator produced for this assembly. Prints each allocator's layout, its
// size-class table (what obmalloc.c's header comment shows, for this configuration), and where
// the generated files are. `dotnet run --project samples/Inspect [-- AllocatorName]`
using System;
using System.IO;
using System.Linq;
using System.Reflection;
using Inspect;
using Pymalloc;
using Pymalloc.Generated;
using Spectre.Console;

// Use each allocator once, so the statistics have something to show.
unsafe
{
    void* a = PymallocAllocator.Malloc(100);
    void* p = ParticleHeap.Malloc(48);
    void* m = MessageHeap.Malloc(700);
    AnsiConsole.MarkupLine($"Allocated 100 B, 48 B and 700 B from the three heaps; pool blocks: {PymallocAllocator.Contains(a)}, {ParticleHeap.Contains(p)}, {MessageHeap.Contains(m)}.");
}

var overview = new Table().Title("Allocators generated into this assembly")
    .AddColumns("allocator", "preset", "align", "threshold", "classes", "pool", "arena");
foreach (PymallocAllocatorInfo info in PymallocAllocators.All)
{
    overview.AddRow(info.Name[(info.Name.LastIndexOf('.') + 1)..], info.Preset, $"{info.Alignment}", $"{info.SmallRequestThreshold}",
        $"{info.SizeClasses.Count}", Bytes(info.PoolSize), $"{Bytes(info.ArenaSize)} ({info.MaxPoolsInArena} pools)");
}
AnsiConsole.Write(overview);

string? only = args.FirstOrDefault();
foreach (PymallocAllocatorInfo info in PymallocAllocators.All.Where(i => only is null || i.Name.EndsWith(only, StringComparison.Ordinal)))
{
    AnsiConsole.MarkupLine($"\n[bold]{info.Name}[/] from [grey]{Markup.Escape(info.Configuration)}[/]");
    AnsiConsole.MarkupLine($"pool header {info.PoolOverhead} B; a request of n bytes uses class (n - 1) / {info.Alignment}");
    var table = new Table().AddColumns("class", "request bytes", "block", "blocks/pool", "lost at pool end", "blocks in use");
    MallocStats stats = info.GetStats();
    foreach (SizeClassLayout c in info.SizeClasses)
    {
        table.AddRow($"{c.Index}", $"{c.FirstRequest}-{c.BlockSize}", $"{c.BlockSize}", $"{c.BlocksPerPool}",
            $"{c.BytesLostPerPool}", $"{stats.SizeClasses[(int)c.Index].BlocksInUse}");
    }
    AnsiConsole.Write(table);
}

string? generated = Assembly.GetExecutingAssembly().GetCustomAttributes<AssemblyMetadataAttribute>()
    .FirstOrDefault(a => a.Key == "GeneratedFilesDirectory")?.Value;
AnsiConsole.MarkupLine("\n[bold]The generated source[/] (EmitCompilerGeneratedFiles is on in this project):");
if (generated is not null && Directory.Exists(generated))
{
    string[] files = Directory.GetFiles(generated, "*.g.cs", SearchOption.AllDirectories);
    Array.Sort(files, StringComparer.Ordinal);
    AnsiConsole.MarkupLine($"  in {Markup.Escape(Path.GetDirectoryName(files.FirstOrDefault() ?? generated)!)}:");
    foreach (string file in files)
    {
        AnsiConsole.MarkupLine($"    {Markup.Escape(Path.GetFileName(file))}");
    }
}
else
{
    AnsiConsole.MarkupLine($"  not found at {Markup.Escape(generated ?? "(unknown)")}: build the project first.");
}
return 0;

static string Bytes(int n) => n >= 1 << 20 ? $"{n >> 20} MiB" : n >= 1 << 10 ? $"{n >> 10} KiB" : $"{n} B";
