namespace Resilience.AspNetCore;

/// <summary>What a policy's name may say to a client.</summary>
internal static class PolicyNames
{
    /// <summary>
    /// False for a name that looks like a policy's default name, <c>Namespace.Type.Method</c>: two or more
    /// identifiers joined by dots. Such a name tells a client how the code is organised.
    /// </summary>
    public static bool IsChosenName(string name)
    {
        string[] parts = name.Split('.');
        if (parts.Length < 2)
        {
            return true;
        }

        foreach (string part in parts)
        {
            if (!IsIdentifier(part))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>True when <paramref name="name"/> can go into a header value, in a comma-separated list: printable ASCII, no comma.</summary>
    public static bool IsHeaderSafe(string name)
    {
        if (name.Length == 0 || name[0] == ' ' || name[^1] == ' ')
        {
            return false;
        }

        foreach (char c in name)
        {
            if (c < ' ' || c > '~' || c == ',')
            {
                return false;
            }
        }

        return true;
    }

    private static bool IsIdentifier(string part)
    {
        if (part.Length == 0 || !(char.IsLetter(part[0]) || part[0] == '_'))
        {
            return false;
        }

        foreach (char c in part)
        {
            if (!(char.IsLetterOrDigit(c) || c == '_'))
            {
                return false;
            }
        }

        return true;
    }
}
