namespace System.Runtime.CompilerServices
{
    /// <summary>Lets the compiler run a method when the module loads, as .NET 5 and later do.</summary>
    [AttributeUsage(AttributeTargets.Method, Inherited = false)]
    internal sealed class ModuleInitializerAttribute : Attribute
    {
    }
}
