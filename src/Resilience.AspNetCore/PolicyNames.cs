using System;
namespace Resilience.AspNetCore;

/// <summary>What a policy's name may say to a client.</summary>
internal static class PolicyNames
{
    /// <summary>
    /// False for a name that looks like a policy's default name, <c>Namespace.Type.Method</c>: two or more
    /// identifiers joined by dots, a generic type's with its arity (<c>Box`1</c>), the last with an overload's
    /// parameter list (<c>Get(int)</c>). Such a name tells a client how the code is organised.
    /// </summary>
    public static bool IsChosenName(string name)
    {
        int parameters = name.IndexOf('(');
        if (parameters > 0 && name[^1] == ')')
        {
            name = name[..parameters];
        }

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
        // A generic type's arity, as the default name writes it: Box`1.
        int arity = part.IndexOf('`');
        if (arity > 0 && arity < part.Length - 1 && part.AsSpan(arity + 1).IndexOfAnyExceptInRange('0', '9') < 0)
        {
            part = part[..arity];
        }

        // An overload's type parameters: Get<T>.
        int typeParameters = part.IndexOf('<');
        if (typeParameters > 0 && part[^1] == '>')
        {
            part = part[..typeParameters];
        }

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
