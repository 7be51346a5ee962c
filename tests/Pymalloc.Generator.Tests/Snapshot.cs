// Snapshot testing of generated source: the expected text is checked in under Snapshots/. A
// difference fails with a line diff and leaves the new text beside the old as *.received.txt;
// set PYMALLOC_UPDATE_SNAPSHOTS=1 to accept the new output.
using System;
using System.IO;
using System.Text;
using DiffPlex.DiffBuilder;
using DiffPlex.DiffBuilder.Model;
using Xunit;

namespace Pymalloc.Generator.Tests;

internal static class Snapshot
{
    // bin/<Configuration>/<tfm>/ is three levels below the project (caller file paths are mapped
    // to /_/ in CI builds, so they cannot be used).
    private static readonly string SnapshotDirectory = Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "..", "..", "..", "Snapshots"));

    public static void Match(string name, string actual)
    {
        string directory = SnapshotDirectory;
        string verified = Path.Combine(directory, name + ".verified.txt");
        string received = Path.Combine(directory, name + ".received.txt");
        actual = actual.Replace("\r\n", "\n");

        if (Environment.GetEnvironmentVariable("PYMALLOC_UPDATE_SNAPSHOTS") == "1")
        {
            Directory.CreateDirectory(directory);
            File.WriteAllText(verified, actual);
            File.Delete(received);
            return;
        }
        string expected = File.Exists(verified) ? File.ReadAllText(verified).Replace("\r\n", "\n") : "";
        if (expected == actual)
        {
            File.Delete(received);
            return;
        }
        Directory.CreateDirectory(directory);
        File.WriteAllText(received, actual);
        Assert.Fail(File.Exists(verified)
            ? $"Generated source differs from {verified} (new text in {received}):\n{Diff(expected, actual)}"
            : $"No snapshot {verified} yet; review {received} and rename it, or run with PYMALLOC_UPDATE_SNAPSHOTS=1.");
    }

    /// <summary>The changed lines with two lines of context, numbered as in the new text.</summary>
    private static string Diff(string expected, string actual)
    {
        DiffPaneModel diff = InlineDiffBuilder.Diff(expected, actual, ignoreWhiteSpace: false);
        var s = new StringBuilder();
        int shown = 0;
        for (int i = 0; i < diff.Lines.Count && shown < 80; i++)
        {
            bool near = false;
            for (int j = Math.Max(0, i - 2); j <= Math.Min(diff.Lines.Count - 1, i + 2); j++)
            {
                near |= diff.Lines[j].Type != ChangeType.Unchanged;
            }
            if (!near)
            {
                continue;
            }
            DiffPiece line = diff.Lines[i];
            string mark = line.Type switch { ChangeType.Inserted => "+", ChangeType.Deleted => "-", _ => " " };
            s.Append($"{line.Position,5} {mark} {line.Text}\n");
            shown++;
        }
        return s.ToString();
    }
}
