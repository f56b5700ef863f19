namespace Resilience.Samples;

/// <summary>Console output: colour on a terminal, plain text when redirected or when NO_COLOR is set.</summary>
internal static class Output
{
    private static readonly bool s_colour = !Console.IsOutputRedirected && Environment.GetEnvironmentVariable("NO_COLOR") is null;

    public static void Section(string title) => Write(ConsoleColor.Cyan, $"{Environment.NewLine}== {title}");

    public static void Note(string text) => Write(ConsoleColor.DarkGray, "   " + text);

    public static void Result(string text) => Write(ConsoleColor.Green, " → " + text);

    public static void Rejected(string text) => Write(ConsoleColor.Yellow, " ✗ " + text);

    public static void Table(string[] header, IEnumerable<string[]> rows)
    {
        string[][] all = rows.Prepend(header).ToArray();
        int[] widths = Enumerable.Range(0, header.Length).Select(c => all.Max(r => r[c].Length)).ToArray();
        // The first column left-aligned, the last left as it is, the numbers in between right-aligned.
        string Line(string[] row) => string.Join("  ", row.Select((cell, c) => c == row.Length - 1 ? cell : c == 0 ? cell.PadRight(widths[c]) : cell.PadLeft(widths[c])));
        Write(ConsoleColor.White, Line(header));
        Console.WriteLine(new string('-', widths.Sum() + (2 * (widths.Length - 1))));
        foreach (string[] row in all.Skip(1))
        {
            Console.WriteLine(Line(row));
        }
    }

    private static void Write(ConsoleColor colour, string text)
    {
        if (s_colour)
        {
            Console.ForegroundColor = colour;
        }

        Console.WriteLine(text);
        if (s_colour)
        {
            Console.ResetColor();
        }
    }
}
