using System.Collections.Generic;
using System.Globalization;

namespace Resilience.Generators;

/// <summary>
/// The prefix of the names the generator makes in one type's file (its fields, the helper, locals, labels): <c>__</c>,
/// unless one of the user's names there starts with it, in which case <c>__1_</c>, <c>__2_</c>, ... the first that none
/// starts with. A generated name then cannot be any name of the user's, whatever the user named things.
/// </summary>
internal static class GeneratedNames
{
    public const string DefaultPrefix = "__";

    /// <summary><paramref name="text"/>, the type's file, with every <see cref="Literals.GeneratedName"/> mark replaced by the type's prefix.</summary>
    public static string Apply(string text, ResilientTypeSpec type) => text.Replace(Literals.GeneratedName.ToString(), Prefix(type));

    /// <summary>The prefix for <paramref name="type"/>'s file.</summary>
    public static string Prefix(ResilientTypeSpec type)
    {
        List<string>? reserved = null;
        foreach (ResilientMethodSpec method in type.Methods)
        {
            foreach (string name in method.ReservedNames)
            {
                (reserved ??= new List<string>()).Add(name);
            }
        }

        if (reserved is null)
        {
            return DefaultPrefix;
        }

        for (int n = 1; ; n++)
        {
            string prefix = DefaultPrefix + n.ToString(CultureInfo.InvariantCulture) + "_";
            if (!reserved.Exists(name => name.StartsWith(prefix, System.StringComparison.Ordinal)))
            {
                return prefix;
            }
        }
    }
}
