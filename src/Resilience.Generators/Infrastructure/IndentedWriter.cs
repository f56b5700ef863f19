using System.Text;

namespace Resilience.Generators;

/// <summary>Writes C# text line by line with the current indentation (four spaces a level) and "\n" line ends.</summary>
internal sealed class IndentedWriter
{
    private readonly StringBuilder _builder = new();
    private int _indent;
    private bool _blankPending;

    /// <summary>Asks for a blank line before the next line, unless that line closes a block.</summary>
    public IndentedWriter Blank()
    {
        _blankPending = true;
        return this;
    }

    public IndentedWriter Line(string text = "")
    {
        if (_blankPending)
        {
            _blankPending = false;
            if (!text.StartsWith("}", System.StringComparison.Ordinal))
            {
                _builder.Append('\n');
            }
        }

        if (text.Length > 0)
        {
            _builder.Append(' ', _indent * 4);
            _builder.Append(text);
        }

        _builder.Append('\n');
        return this;
    }

    /// <summary>Writes "{" and indents.</summary>
    public IndentedWriter Open(string? header = null)
    {
        if (header is not null)
        {
            Line(header);
        }

        Line("{");
        _indent++;
        return this;
    }

    /// <summary>Unindents and writes "}" (with an optional suffix such as ";").</summary>
    public IndentedWriter Close(string suffix = "")
    {
        _indent--;
        Line("}" + suffix);
        return this;
    }

    public override string ToString() => _builder.ToString();
}
