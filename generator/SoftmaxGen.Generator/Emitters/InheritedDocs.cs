using System.Text;

namespace SoftmaxGen.Generator;

/// <summary>
/// Gives the double members of the user's type the documentation of their float twins: each doc comment an emitter
/// wrote for a double member becomes <c>&lt;inheritdoc cref="..."/&gt;</c> naming the float overload with the same
/// parameters, as the runtime documents its double overloads. The text is written once per member, and the file does
/// not carry each of the twenty or so comments twice.
/// </summary>
internal static class InheritedDocs
{
    /// <summary>
    /// <paramref name="members"/> (members written for double, unindented) with each doc comment replaced by one that
    /// inherits from the float overload declared with the same parameters.
    /// </summary>
    public static string FromFloatTwins(string members)
    {
        string[] lines = members.Replace("\r\n", "\n").TrimEnd('\n').Split('\n');
        var text = new StringBuilder();
        for (int i = 0; i < lines.Length; i++)
        {
            if (!lines[i].StartsWith("///", StringComparison.Ordinal))
            {
                text.Append(lines[i]).Append('\n');
                continue;
            }

            int declaration = i;
            while (declaration < lines.Length && (lines[declaration].StartsWith("///", StringComparison.Ordinal) || lines[declaration].StartsWith("[", StringComparison.Ordinal)))
            {
                declaration++;
            }

            text.Append("/// <inheritdoc cref=\"").Append(FloatCref(lines[declaration])).Append("\"/>\n");
            while (lines[i + 1].StartsWith("///", StringComparison.Ordinal))
            {
                i++;
            }
        }

        return text.ToString().TrimEnd('\n');
    }

    /// <summary>
    /// The cref of the float twin of a double method declaration:
    /// <c>public static double NllLoss(global::System.ReadOnlySpan&lt;double&gt; logProbabilities, int ignoreIndex = -100)</c>
    /// gives <c>NllLoss(global::System.ReadOnlySpan{float}, int)</c>.
    /// </summary>
    internal static string FloatCref(string declaration)
    {
        int open = declaration.IndexOf('(');
        int close = declaration.LastIndexOf(')');
        if (!declaration.StartsWith("public static ", StringComparison.Ordinal) || open < 0 || close < open)
        {
            throw new InvalidOperationException($"A documented double member is not a method declaration on one line: '{declaration}'.");
        }

        string name = declaration.Substring(0, open).Split(' ').Last();
        var types = new List<string>();
        foreach (string parameter in declaration.Substring(open + 1, close - open - 1).Split(new[] { ", " }, StringSplitOptions.RemoveEmptyEntries))
        {
            string withoutDefault = parameter.Split(new[] { " = " }, StringSplitOptions.None)[0];
            string type = withoutDefault.Substring(0, withoutDefault.LastIndexOf(' '));
            types.Add((type == "double" ? "float" : type.Replace("<double>", "<float>")).Replace('<', '{').Replace('>', '}'));
        }

        return $"{name}({string.Join(", ", types)})";
    }
}
