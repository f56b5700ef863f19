using System.Globalization;
using Microsoft.CodeAnalysis;

namespace Resilience.Generators;

/// <summary>A diagnostic as plain data: its descriptor, where, and the message's arguments.</summary>
internal sealed record DiagnosticInfo(DiagnosticDescriptor Descriptor, LocationInfo? Location, EquatableArray<string> Arguments)
{
    public static DiagnosticInfo Create(DiagnosticDescriptor descriptor, LocationInfo? location, params string[] arguments)
        => new(descriptor, location, new EquatableArray<string>(arguments));

    /// <summary>"RES0004: RetryAttribute.MaxAttempts is 0; it must be at least 1": the message as an error stub throws it.</summary>
    public string IdAndMessage
        => Descriptor.Id + ": " + string.Format(CultureInfo.InvariantCulture, Descriptor.MessageFormat.ToString(CultureInfo.InvariantCulture), ToObjects());

    public Diagnostic ToDiagnostic() => Diagnostic.Create(Descriptor, Location?.ToLocation() ?? Microsoft.CodeAnalysis.Location.None, ToObjects());

    private object[] ToObjects()
    {
        var arguments = new object[Arguments.Count];
        for (int i = 0; i < arguments.Length; i++)
        {
            arguments[i] = Arguments[i];
        }

        return arguments;
    }
}
