// pymalloc inspect <assembly.dll>: the allocators the generator put into a built assembly (what
// samples/Inspect shows for itself), with each layout's size-class table. Reading an allocator's
// Info initialises it (it creates its heap, and maps no arena yet).
using System;
using System.Collections.Generic;
using System.IO;
using System.Reflection;
using System.Runtime.Loader;
using Spectre.Console;

namespace Pymalloc.Tool;

internal static class Inspect
{
    public static IReadOnlyList<Entry> Load(string path)
    {
        if (!File.Exists(path))
        {
            throw new UsageException($"no such file: {path}", 1);
        }
        string full = Path.GetFullPath(path);
        string folder = Path.GetDirectoryName(full)!;
        // The assembly's own dependencies come from its folder; Pymalloc itself is the tool's, so
        // the allocator descriptions are of the type this tool knows.
        AssemblyLoadContext.Default.Resolving += (context, name) =>
        {
            string candidate = Path.Combine(folder, name.Name + ".dll");
            return File.Exists(candidate) ? context.LoadFromAssemblyPath(candidate) : null;
        };
        Assembly assembly;
        try
        {
            assembly = AssemblyLoadContext.Default.LoadFromAssemblyPath(full);
        }
        catch (BadImageFormatException)
        {
            throw new UsageException($"{path} is not a .NET assembly.", 1);
        }
        // Each generated allocator is a class with a nested Layout struct and a static Info. Read one
        // by one (not through the generated PymallocAllocators.All, which fails as a whole if one
        // allocator cannot initialise), so one broken allocator is reported and the rest listed.
        Type?[] types;
        try
        {
            types = assembly.GetTypes();
        }
        catch (ReflectionTypeLoadException e)
        {
            types = e.Types;
        }
        var found = new List<Entry>();
        foreach (Type? type in types)
        {
            Type? layout = type?.GetNestedType("Layout", BindingFlags.Public);
            PropertyInfo? info = type?.GetProperty("Info", BindingFlags.Public | BindingFlags.Static);
            if (type is null || layout is null || info is null || info.PropertyType != typeof(PymallocAllocatorInfo)
                || !typeof(IPymallocLayout).IsAssignableFrom(layout) || !Reachable(type))
            {
                continue;
            }
            try
            {
                found.Add(new Entry(type.FullName!, (PymallocAllocatorInfo)info.GetValue(null)!, null));
            }
            catch (TargetInvocationException e)
            {
                Exception cause = e.InnerException is TypeInitializationException { InnerException: { } inner } ? inner : e.InnerException ?? e;
                found.Add(new Entry(type.FullName!, null, cause.GetType().Name + ": " + cause.Message));
            }
        }
        if (found.Count == 0)
        {
            throw new UsageException($"{path} has no allocators generated into it (no [PymallocConfig] in its build).", 1);
        }
        return found;
    }

    // The allocators the generated registry lists: reachable from anywhere in their assembly, so
    // none nested in a private type (those are a type's own business, as for the registry).
    private static bool Reachable(Type type)
        => !type.IsNested || ((type.IsNestedPublic || type.IsNestedAssembly || type.IsNestedFamORAssem) && Reachable(type.DeclaringType!));

    /// <summary>One allocator: its description, or why it could not be initialised here.</summary>
    public sealed record Entry(string Name, PymallocAllocatorInfo? Info, string? Failure);

    public static void Print(IAnsiConsole console, string path, IReadOnlyList<Entry> allocators)
    {
        var overview = new Table().Title($"Allocators generated into {Markup.Escape(Path.GetFileName(path))}")
            .AddColumns("allocator", "preset", "align", "threshold", "classes", "pool", "arena");
        foreach (Entry entry in allocators)
        {
            if (entry.Info is not PymallocAllocatorInfo info)
            {
                overview.AddRow(Markup.Escape(entry.Name), "[red]cannot initialise here[/]", "", "", "", "", "");
                continue;
            }
            overview.AddRow(Markup.Escape(info.Name), Markup.Escape(info.Preset), $"{info.Alignment}", $"{info.SmallRequestThreshold}",
                $"{info.SizeClasses.Count}", Bytes(info.PoolSize), $"{Bytes(info.ArenaSize)} ({info.MaxPoolsInArena} pools)");
        }
        console.Write(overview);
        foreach (Entry entry in allocators)
        {
            if (entry.Info is not PymallocAllocatorInfo info)
            {
                console.MarkupLine($"\n[bold]{Markup.Escape(entry.Name)}[/]: cannot initialise here: {Markup.Escape(entry.Failure ?? "")}");
                continue;
            }
            console.MarkupLine($"\n[bold]{Markup.Escape(info.Name)}[/] from [grey]{Markup.Escape(info.Configuration)}[/]");
            console.MarkupLine($"pool header {info.PoolOverhead} B; a request of n bytes uses class (n - 1) / {info.Alignment}");
            var table = new Table().AddColumns("class", "request bytes", "block", "blocks/pool", "lost at pool end");
            foreach (SizeClassLayout c in info.SizeClasses)
            {
                table.AddRow($"{c.Index}", $"{c.FirstRequest}-{c.BlockSize}", $"{c.BlockSize}", $"{c.BlocksPerPool}", $"{c.BytesLostPerPool}");
            }
            console.Write(table);
        }
    }

    private static string Bytes(int n) => n >= 1 << 20 ? $"{n >> 20} MiB" : n >= 1 << 10 ? $"{n >> 10} KiB" : $"{n} B";
}
