// The diagnostics as a user sees them: a real `dotnet build` of a consuming project
// (tests/Consumers/BadConfig), each error with its id at the offending argument.
using System;
using System.Diagnostics;
using System.IO;
using System.Linq;
using Xunit;

namespace Pymalloc.Generator.Tests;

public sealed class RealBuildTests
{
    private static readonly string Project = Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "..", "..", "..", "..", "Consumers", "BadConfig"));

    private static (int ExitCode, string Output) Build(params string[] properties)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = Project,
        };
        foreach (string arg in new[] { "build", "--nologo", "-v", "q", "-p:PymallocBin=" + AppContext.BaseDirectory }.Concat(properties))
        {
            start.ArgumentList.Add(arg);
        }
        // The test host runs under `dotnet test`; its MSBuild settings must not leak into this build.
        foreach (string key in start.Environment.Keys.Where(k => k.StartsWith("MSBUILD", StringComparison.OrdinalIgnoreCase) || k.StartsWith("VSTEST", StringComparison.OrdinalIgnoreCase)).ToList())
        {
            start.Environment.Remove(key);
        }
        using Process process = Process.Start(start)!;
        string output = process.StandardOutput.ReadToEndAsync().Result + process.StandardError.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, output);
    }

    /// <summary>"Config.cs(line,column)" of <paramref name="text"/> in the project's Config.cs.</summary>
    private static string LocationOf(string text, int occurrence = 0)
    {
        string[] lines = File.ReadAllLines(Path.Combine(Project, "Config.cs"));
        int seen = 0;
        for (int i = 0; i < lines.Length; i++)
        {
            int column = lines[i].IndexOf(text, StringComparison.Ordinal);
            if (column >= 0 && seen++ == occurrence)
            {
                return $"Config.cs({i + 1},{column + 1})";
            }
        }
        throw new ArgumentException($"'{text}' is not in Config.cs");
    }

    [Fact]
    public void EveryDiagnosticReachesTheBuildOutputAtItsArgument()
    {
        (int exitCode, string output) = Build();
        Assert.NotEqual(0, exitCode);
        (string Id, string At)[] expected =
        {
            ("PYM002", LocationOf("PoolSize = 3000")),
            ("PYM007", LocationOf("PymallocConfig(TypeName")),
            ("PYM010", LocationOf("TypeName = \"Bad Name\"")),
            ("PYM001", LocationOf("Alignment = 12")),
            ("PYM003", LocationOf("ArenaSize = 1000")),
            ("PYM004", LocationOf("SmallRequestThreshold = 100")),
            ("PYM005", LocationOf("SmallRequestThreshold = 2048")),
            ("PYM006", LocationOf("SmallRequestThreshold = 1024")),
            ("PYM008", LocationOf("F { }")),
            ("PYM011", LocationOf("Alignment = Settings.Alignment")),
            ("PYM012", LocationOf("Preset = (PymallocPreset)9")),
        };
        foreach ((string id, string at) in expected)
        {
            Assert.True(output.Contains($"{at}: error {id}:", StringComparison.Ordinal), $"expected '{at}: error {id}' in:\n{output}");
        }
        Assert.DoesNotContain("PYM009", output);
        Assert.DoesNotContain("CS0579", output); // duplicates are ours to report, not the compiler's
    }

    [Fact]
    public void AProjectWithoutUnsafeCodeGetsPym009()
    {
        (int exitCode, string output) = Build("-p:PymallocAllowUnsafe=false", "-p:IntermediateOutputPath=obj/nounsafe/", "-p:OutputPath=bin/nounsafe/");
        Assert.NotEqual(0, exitCode);
        Assert.Contains("error PYM009: The generated allocator uses pointers", output);
    }
}
