using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Globalization;
using System.Linq;
using Microsoft.CodeAnalysis;

namespace Resilience.Generators;

/// <summary>
/// Generates the implementing part of every partial method carrying [Retry], [CircuitBreaker], [Timeout],
/// [Bulkhead], [RateLimit], [Fallback] or [Hedging], or [Idempotent] with an [IdempotencyKey] parameter. This file is the pipeline only: parsing is in
/// <see cref="ResilienceParser"/>, writing in <see cref="ResilienceEmitter"/>.
/// </summary>
[Generator(LanguageNames.CSharp)]
public sealed class ResilienceGenerator : IIncrementalGenerator
{
    /// <inheritdoc />
    public void Initialize(IncrementalGeneratorInitializationContext context)
    {
        // One provider per policy attribute; each method is parsed by the provider of the first attribute it carries.
        IncrementalValueProvider<ImmutableArray<MethodResult>> all = Methods(context, 0);
        for (int i = 1; i < AttributeNames.ProviderCount; i++)
        {
            all = all.Combine(Methods(context, i)).Select(static (pair, _) => pair.Left.AddRange(pair.Right));
        }

        IncrementalValueProvider<EquatableArray<MethodResult>> methods = all
            .Select(static (all, _) => all
                .OrderBy(m => m.Location?.FilePath, StringComparer.Ordinal)
                .ThenBy(m => m.Location?.Span.Start ?? 0)
                .ToEquatableArray())
            .WithTrackingName(StepNames.Methods);

        IncrementalValueProvider<EquatableArray<DiagnosticInfo>> diagnostics = methods
            .Select(static (all, _) => all.SelectMany(m => m.Diagnostics).Concat(SharedNames.Conflicts(all).Select(c => c.Diagnostic)).ToEquatableArray())
            .WithTrackingName(StepNames.Diagnostics);

        context.RegisterSourceOutput(diagnostics, static (production, all) =>
        {
            foreach (DiagnosticInfo diagnostic in all)
            {
                production.ReportDiagnostic(diagnostic.ToDiagnostic());
            }
        });

        IncrementalValuesProvider<ResilientTypeSpec> types = methods
            .Select(static (all, token) => GroupByType(all, token))
            .SelectMany(static (types, _) => types)
            .WithTrackingName(StepNames.Types);

        context.RegisterSourceOutput(types, static (production, type) =>
            production.AddSource(type.HintName, ResilienceEmitter.Emit(type)));

        // The policies exist from the assembly's load where the compilation can have a module initializer (.NET 5+).
        IncrementalValueProvider<EquatableArray<ResilientMethodSpec>> registrations = methods
            .Select(static (all, _) => all
                .Where(m => m.ModuleInitializers && m.Method is { Error: null } method && ResilienceEmitter.HasRegistrations(method))
                .Select(m => m.Method!)
                .ToEquatableArray())
            .WithTrackingName(StepNames.Registrations);
        context.RegisterSourceOutput(registrations, static (production, all) =>
        {
            if (!all.IsEmpty)
            {
                production.AddSource(ResilienceEmitter.RegistrationsHintName, ResilienceEmitter.EmitRegistrations(all));
            }
        });
    }

    private static IncrementalValueProvider<ImmutableArray<MethodResult>> Methods(IncrementalGeneratorInitializationContext context, int policyIndex)
    {
        string attribute = AttributeNames.Provider(policyIndex);
        return context.SyntaxProvider
            .ForAttributeWithMetadataName(attribute, ResilienceParser.IsMethodDeclaration, (syntax, token) => ResilienceParser.Parse(syntax, policyIndex, token))
            .Where(static result => result is not null)
            .Select(static (result, _) => result!)
            .WithTrackingName(StepNames.OfPolicy(attribute))
            .Collect();
    }

    /// <summary>One file per type, methods in a stable order; a method sharing a name with conflicting settings gets an error stub.</summary>
    private static EquatableArray<ResilientTypeSpec> GroupByType(EquatableArray<MethodResult> all, System.Threading.CancellationToken token)
    {
        // A method can conflict on more than one policy; its stub names the first conflict.
        var conflicts = new Dictionary<MethodResult, string>();
        foreach (SharedNames.Conflict conflict in SharedNames.Conflicts(all))
        {
            if (!conflicts.ContainsKey(conflict.Method))
            {
                conflicts.Add(conflict.Method, conflict.Message);
            }
        }

        var types = new List<ResilientTypeSpec>();
        var hintNames = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (IGrouping<string, MethodResult> group in all.Where(m => m.Method is not null).GroupBy(m => m.TypeKey).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            token.ThrowIfCancellationRequested();
            MethodResult first = group.First();
            string hintName = first.HintName;
            for (int i = 2; !hintNames.Add(hintName); i++)
            {
                hintName = first.HintName.Substring(0, first.HintName.Length - Names.HintNameSuffix.Length) + "_" + i.ToString(CultureInfo.InvariantCulture) + Names.HintNameSuffix;
            }

            ResilientMethodSpec[] methods = group
                .Select(m => m.Method!.Error is null && conflicts.TryGetValue(m, out string? message)
                    ? m.Method with { Error = message }
                    : m.Method!)
                .OrderBy(m => m.MemberKey, StringComparer.Ordinal)
                .ToArray();
            types.Add(new ResilientTypeSpec(first.Namespace, first.ContainingTypes, hintName, methods.ToEquatableArray()));
        }

        return types.ToEquatableArray();
    }
}
