// An indented writer for the emitter: a member is written at the depth its enclosing blocks set, so
// no template carries indentation of its own and no fragment starts at column 0 by accident.
using System.Text;

namespace Pymalloc.Generator;

internal sealed class CodeWriter
{
    private readonly StringBuilder _text = new();
    private int _depth;

    /// <summary>One line at the current depth (an empty line stays empty).</summary>
    public CodeWriter Line(string line = "")
    {
        if (line.Length != 0)
        {
            _text.Append(' ', 4 * _depth).Append(line);
        }
        _text.Append('\n');
        return this;
    }

    /// <summary>Several lines (a raw string literal's), each at the current depth.</summary>
    public CodeWriter Lines(string lines)
    {
        foreach (string line in lines.Replace("\r\n", "\n").Split('\n'))
        {
            Line(line);
        }
        return this;
    }

    /// <summary><paramref name="header"/>, then a brace that opens a block one level deeper.</summary>
    public CodeWriter Open(string header)
    {
        Line(header);
        Line("{");
        _depth++;
        return this;
    }

    /// <summary>Closes the innermost block.</summary>
    public CodeWriter Close()
    {
        _depth--;
        return Line("}");
    }

    public override string ToString() => _text.ToString();
}
