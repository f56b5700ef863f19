namespace Resilience.Generators;

/// <summary>The tracking names of the generator's steps, read by the incrementality tests.</summary>
internal static class StepNames
{
    public const string Methods = nameof(Methods);
    public const string Diagnostics = nameof(Diagnostics);
    public const string Types = nameof(Types);
    public const string Registrations = nameof(Registrations);

    /// <summary>The step of a policy attribute's provider: "Resilience.RetryAttribute" is tracked as "Retry".</summary>
    public static string OfPolicy(string attributeMetadataName)
    {
        const string Namespace = "Resilience.", Suffix = "Attribute";
        return attributeMetadataName.Substring(Namespace.Length, attributeMetadataName.Length - Namespace.Length - Suffix.Length);
    }
}
