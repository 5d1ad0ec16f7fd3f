using System.Text;

namespace SoftmaxGen.Generator;

/// <summary>
/// Writes C# text with indentation handled in one place: <see cref="WriteLine(string)"/> indents each line,
/// <see cref="OpenBlock(string)"/> writes a header and a brace and indents until the returned scope is disposed.
/// Multi-line strings are indented line by line, so templates can be raw string literals.
/// </summary>
internal sealed class SourceWriter
{
    private const string IndentUnit = "    ";
    private readonly StringBuilder _text = new();
    private int _indent;

    public void WriteLine() => _text.Append('\n');

    public void WriteLine(string text)
    {
        foreach (string line in text.Replace("\r\n", "\n").Split('\n'))
        {
            if (line.Length > 0)
            {
                for (int i = 0; i < _indent; i++)
                {
                    _text.Append(IndentUnit);
                }

                _text.Append(line);
            }

            _text.Append('\n');
        }
    }

    public Scope OpenBlock(string header)
    {
        WriteLine(header);
        WriteLine("{");
        _indent++;
        return new Scope(this);
    }

    public override string ToString() => _text.ToString();

    /// <summary>Closes a block opened by <see cref="OpenBlock(string)"/>.</summary>
    public readonly struct Scope : IDisposable
    {
        private readonly SourceWriter _writer;

        public Scope(SourceWriter writer) => _writer = writer;

        public void Dispose()
        {
            _writer._indent--;
            _writer.WriteLine("}");
        }
    }
}
