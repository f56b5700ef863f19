namespace Resilience.Samples;

/// <summary>Console output: colour on a terminal, plain text when redirected.</summary>
internal static class Output
{
    private static readonly bool s_colour = !Console.IsOutputRedirected && Environment.GetEnvironmentVariable("NO_COLOR") is null;

    public static void Section(string title) => Write(ConsoleColor.Cyan, $"{Environment.NewLine}== {title}");

    public static void Note(string text) => Write(ConsoleColor.DarkGray, "   " + text);

    public static void Result(string text) => Write(ConsoleColor.Green, " → " + text);

    public static void Rejected(string text) => Write(ConsoleColor.Yellow, " ✗ " + text);

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
