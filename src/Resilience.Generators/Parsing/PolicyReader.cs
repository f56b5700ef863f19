using System.Collections.Generic;
using System.Globalization;
using System.Threading;
using Microsoft.CodeAnalysis;
using Resilience.Shared;

namespace Resilience.Generators;

/// <summary>
/// Reads the policy attributes of one method into specs, each setting against its rule in <c>src/Shared</c>,
/// and reports what is out of range (RES0004) or names a missing or ill-fitting method (RES0005).
/// </summary>
internal sealed partial class PolicyReader
{
    private static readonly System.Func<CompanionMethods, ITypeSymbol, bool> s_returnsBool = static (_, type) => type.SpecialType == SpecialType.System_Boolean;

    private static readonly System.Func<CompanionMethods, ITypeSymbol, bool> s_returnsVoid = static (_, type) => type.SpecialType == SpecialType.System_Void;

    private static readonly System.Func<CompanionMethods, ITypeSymbol, bool> s_returnsNullableTimeSpan = static (c, type) => c.Known.IsNullableTimeSpan(type);

    /// <summary>The parameters of a <c>DelayGenerator</c>: <c>(Outcome&lt;T&gt; outcome, int attempt)</c>, or <c>(Exception exception, int attempt)</c> for a method without a result.</summary>
    private static readonly System.Func<CompanionMethods, ITypeSymbol, bool>[] s_delayGeneratorParameters =
    {
        static (c, type) => c.ResultType is null ? c.Known.IsException(type) : c.IsOutcomeOfResult(type),
        static (_, type) => type.SpecialType == SpecialType.System_Int32,
    };

    /// <summary>The parameters of a <c>ShouldRetry</c> hook: <c>(Exception exception)</c>.</summary>
    private static readonly System.Func<CompanionMethods, ITypeSymbol, bool>[] s_shouldRetryParameters = { static (c, type) => c.Known.IsException(type) };

    /// <summary>The parameters of an <c>OnRetry</c> hook: <c>(Exception exception, int attempt, TimeSpan delay)</c>, or an <c>Outcome&lt;T&gt;</c> first.</summary>
    private static readonly System.Func<CompanionMethods, ITypeSymbol, bool>[] s_onRetryParameters =
    {
        static (c, type) => c.Known.IsException(type) || c.IsOutcomeOfResult(type),
        static (_, type) => type.SpecialType == SpecialType.System_Int32,
        static (c, type) => c.Known.TimeSpan.Is(type),
    };

    private readonly IMethodSymbol _method;
    private readonly KnownTypeSymbols _known;
    private readonly CompanionMethods _companions;
    private readonly MethodDiagnostics _diagnostics;
    private readonly AttributeData?[] _policies;
    private readonly CancellationToken _cancellationToken;

    /// <param name="policies">The method's policy attributes, by their index in <see cref="AttributeNames.Policies"/>.</param>
    public PolicyReader(IMethodSymbol method, KnownTypeSymbols known, CompanionMethods companions, MethodDiagnostics diagnostics, AttributeData?[] policies, CancellationToken cancellationToken)
    {
        _method = method;
        _known = known;
        _companions = companions;
        _diagnostics = diagnostics;
        _policies = policies;
        _cancellationToken = cancellationToken;
    }

    public RetrySpec? Retry()
    {
        if (Attribute(AttributeNames.Retry) is not { } a)
        {
            return null;
        }

        int maxAttempts = Checked(a, RetryRules.MaxAttempts);
        int delayMs = Checked(a, RetryRules.DelayMs);
        int maxDelayMs = Checked(a, RetryRules.MaxDelayMs);
        if (RetryRules.DelayMs.Allows(delayMs) && RetryRules.MaxDelayMs.Allows(maxDelayMs) && !RetryRules.DelayWithinMaximum(delayMs, maxDelayMs))
        {
            _diagnostics.Report(
                DiagnosticDescriptors.InvalidAttributeValue,
                a.LocationOf(RetryRules.DelayMs.Name),
                Subject(a, RetryRules.DelayMs),
                SettingText.Number(delayMs),
                $"at most {Subject(a, RetryRules.MaxDelayMs)} ({SettingText.Number(maxDelayMs)}); raise {RetryRules.MaxDelayMs.Name} or lower {RetryRules.DelayMs.Name}");
        }

        BackoffKind backoff = Checked(a, RetryRules.Backoff);
        double maxRetryRatio = Checked(a, RetryRules.MaxRetryRatio);
        string? shouldRetry = Hook(a, AttributeNames.Properties.ShouldRetry, s_returnsBool, s_shouldRetryParameters, "bool {0}(Exception exception)", out _);
        string? onRetryAlternative = _companions.ResultType is { } result ? $" (or taking an 'Outcome<{result.ToDisplayString(Names.ShortTypeFormat)}>' first)" : null;
        string? onRetry = Hook(a, AttributeNames.Properties.OnRetry, s_returnsVoid, s_onRetryParameters, "void {0}(Exception exception, int attempt, TimeSpan delay)", out IMethodSymbol? onRetryMethod, onRetryAlternative);
        string delayGeneratorExpected = _companions.ResultType is { } outcome
            ? "TimeSpan? {0}(Outcome<" + outcome.ToDisplayString(Names.ShortTypeFormat) + "> outcome, int attempt)"
            : "TimeSpan? {0}(Exception exception, int attempt)";
        string? delayGenerator = Hook(a, AttributeNames.Properties.DelayGenerator, s_returnsNullableTimeSpan, s_delayGeneratorParameters, delayGeneratorExpected, out _);
        return new RetrySpec
        {
            MaxAttempts = maxAttempts,
            DelayMs = delayMs,
            MaxDelayMs = maxDelayMs,
            Backoff = backoff,
            Jitter = a.Read(RetryRules.Jitter),
            MaxRetryRatio = maxRetryRatio,
            Handle = ExceptionTypes(a, AttributeNames.Properties.Handle, out _),
            Ignore = ExceptionTypes(a, AttributeNames.Properties.Ignore, out _),
            ShouldRetry = shouldRetry,
            OnRetry = onRetry,
            OnRetryTakes = onRetryMethod is null ? FailureParameter.None
                : _known.IsException(onRetryMethod.Parameters[0].Type) ? FailureParameter.Exception
                : FailureParameter.Outcome,
            HandleResult = ResultJudge(a),
            DelayGenerator = delayGenerator,
            Request = RetriedRequest(),
        };
    }

    public CircuitBreakerSpec? CircuitBreaker(string defaultName)
    {
        if (Attribute(AttributeNames.CircuitBreaker) is not { } a)
        {
            return null;
        }

        int failureThreshold = Checked(a, CircuitBreakerRules.FailureThreshold);
        double failureRatio = a.Read(CircuitBreakerRules.FailureRatio);
        int minimumThroughput = Checked(a, CircuitBreakerRules.MinimumThroughput);
        int samplingDurationMs = Checked(a, CircuitBreakerRules.SamplingDurationMs);
        int breakDurationMs = Checked(a, CircuitBreakerRules.BreakDurationMs);
        int successThreshold = Checked(a, CircuitBreakerRules.SuccessThreshold);
        int halfOpenMaxCalls = Checked(a, CircuitBreakerRules.HalfOpenMaxCalls);
        if (!CircuitBreakerRules.FailureRatio.Allows(failureRatio))
        {
            Invalid(a, CircuitBreakerRules.FailureRatio, SettingText.Number(failureRatio));
        }

        int slowCallDurationMs = Checked(a, CircuitBreakerRules.SlowCallDurationMs);
        double slowCallRatio = Checked(a, CircuitBreakerRules.SlowCallRatio);
        int maxBreakDurationMs = Checked(a, CircuitBreakerRules.MaxBreakDurationMs);
        if (CircuitBreakerRules.BreakDurationMs.Allows(breakDurationMs) && CircuitBreakerRules.MaxBreakDurationMs.Allows(maxBreakDurationMs)
            && !CircuitBreakerRules.MaxBreakWithinRange(breakDurationMs, maxBreakDurationMs))
        {
            _diagnostics.Report(
                DiagnosticDescriptors.InvalidAttributeValue,
                a.LocationOf(CircuitBreakerRules.MaxBreakDurationMs.Name),
                Subject(a, CircuitBreakerRules.MaxBreakDurationMs),
                SettingText.Number(maxBreakDurationMs),
                CircuitBreakerRules.MaxBreakRequirement(Subject(a, CircuitBreakerRules.BreakDurationMs), breakDurationMs));
        }

        return new CircuitBreakerSpec
        {
            Name = PolicyName(a, defaultName),
            FailureThreshold = failureThreshold,
            FailureRatio = failureRatio,
            MinimumThroughput = minimumThroughput,
            SamplingDurationMs = samplingDurationMs,
            BreakDurationMs = breakDurationMs,
            SuccessThreshold = successThreshold,
            HalfOpenMaxCalls = halfOpenMaxCalls,
            HonorRetryAfter = a.Read(CircuitBreakerRules.HonorRetryAfter),
            Distributed = a.Read(CircuitBreakerRules.Distributed),
            SlowCallDurationMs = slowCallDurationMs,
            SlowCallRatio = slowCallRatio,
            MaxBreakDurationMs = maxBreakDurationMs,
            Handle = ExceptionTypes(a, AttributeNames.Properties.Handle, out _),
            Ignore = ExceptionTypes(a, AttributeNames.Properties.Ignore, out _),
            HandleResult = ResultJudge(a),
            Key = PartitionKey(_known.CircuitBreakerKeyAttribute, "CircuitBreakerKeyAttribute", a, "[CircuitBreaker]"),
        };
    }

    public TimeoutSpec? Timeout()
    {
        if (Attribute(AttributeNames.Timeout) is not { } a)
        {
            return null;
        }

        return new TimeoutSpec
        {
            Milliseconds = Checked(a, TimeoutRules.Milliseconds),
            Scope = Checked(a, TimeoutRules.Scope),
        };
    }

    /// <summary>Reads [Hedging]; on a synchronous method it is RES0003, as attempts side by side need a task to wait on.</summary>
    public HedgingSpec? Hedging(ReturnKind returnKind)
    {
        if (Attribute(AttributeNames.Hedging) is not { } a)
        {
            return null;
        }

        if (returnKind is ReturnKind.Void or ReturnKind.Value)
        {
            _diagnostics.Report(
                DiagnosticDescriptors.UnsupportedSignature,
                a.Location,
                _method.Name,
                "it has [Hedging], which runs attempts side by side and needs an asynchronous method; return Task, Task<T>, ValueTask or ValueTask<T>, or remove [Hedging]");
        }

        int maxAttempts = Checked(a, HedgingRules.MaxAttempts);
        int delayMs = a.Read(HedgingRules.DelayMs);
        if (!HedgingRules.DelayMs.Allows(delayMs))
        {
            _diagnostics.Report(DiagnosticDescriptors.InvalidAttributeValue, a.LocationOf(HedgingRules.DelayMs.Name), Subject(a, HedgingRules.DelayMs), SettingText.Number(delayMs), HedgingRules.DelayRequirement);
        }

        return new HedgingSpec
        {
            MaxAttempts = maxAttempts,
            DelayMs = delayMs,
            HandleResult = ResultJudge(a),
        };
    }

    public BulkheadSpec? Bulkhead(string defaultName)
    {
        if (Attribute(AttributeNames.Bulkhead) is not { } a)
        {
            return null;
        }

        int maxConcurrency = Checked(a, BulkheadRules.MaxConcurrency);
        int maxQueue = Checked(a, BulkheadRules.MaxQueue);
        int maxWaitMs = Checked(a, BulkheadRules.MaxWaitMs);
        return new BulkheadSpec
        {
            Name = PolicyName(a, defaultName),
            MaxConcurrency = maxConcurrency,
            MaxQueue = maxQueue,
            MaxWaitMs = maxWaitMs,
        };
    }

    /// <summary>Reports a key attribute on a method without the policy it keys (RES0004); call when the policy is absent.</summary>
    public void KeysWithoutPolicy()
    {
        if (Attribute(AttributeNames.RateLimit) is null)
        {
            PartitionKey(_known.RateLimitKeyAttribute, "RateLimitKeyAttribute", policy: null, "[RateLimit]");
        }

        if (Attribute(AttributeNames.CircuitBreaker) is null)
        {
            PartitionKey(_known.CircuitBreakerKeyAttribute, "CircuitBreakerKeyAttribute", policy: null, "[CircuitBreaker]");
        }
    }

    public RateLimitSpec? RateLimit(string defaultName)
    {
        if (Attribute(AttributeNames.RateLimit) is not { } a)
        {
            return null;
        }

        int permits = Checked(a, RateLimitRules.Permits);
        int windowMs = Checked(a, RateLimitRules.WindowMs);
        int queueLimit = Checked(a, RateLimitRules.QueueLimit);
        RateLimitAlgorithm algorithm = Checked(a, RateLimitRules.Algorithm);
        int batch = Checked(a, RateLimitRules.DistributedBatch);
        if (RateLimitRules.Permits.Allows(permits) && RateLimitRules.DistributedBatch.Allows(batch) && !RateLimitRules.BatchWithinPermits(batch, permits))
        {
            _diagnostics.Report(
                DiagnosticDescriptors.InvalidAttributeValue,
                a.LocationOf(RateLimitRules.DistributedBatch.Name),
                Subject(a, RateLimitRules.DistributedBatch),
                SettingText.Number(batch),
                $"at most the permits of a window ({SettingText.Number(permits)}); lower {RateLimitRules.DistributedBatch.Name}, or set it to 0 to take each permit from the store");
        }

        return new RateLimitSpec
        {
            Name = PolicyName(a, defaultName),
            Permits = permits,
            WindowMs = windowMs,
            Algorithm = algorithm,
            QueueLimit = queueLimit,
            Distributed = a.Read(RateLimitRules.Distributed),
            DistributedBatch = batch,
            Key = PartitionKey(_known.RateLimitKeyAttribute, "RateLimitKeyAttribute", a, "[RateLimit]"),
        };
    }

    public FallbackSpec? Fallback(ReturnKind returnKind)
    {
        if (Attribute(AttributeNames.Fallback) is not { } a)
        {
            return null;
        }

        const string MethodProperty = AttributeNames.Properties.Method;
        string? name = a.String(MethodProperty);
        EquatableArray<string> handle = ExceptionTypes(a, AttributeNames.Properties.Handle, out IReadOnlyList<ITypeSymbol> handled);
        if (string.IsNullOrWhiteSpace(name))
        {
            _diagnostics.Report(DiagnosticDescriptors.InvalidAttributeValue, a.LocationOf(MethodProperty), a.Name + "." + MethodProperty, "empty", "the name of a method of the same type; use nameof");
            return null;
        }

        if (_companions.FindFallback(name!, returnKind, out FallbackReturn fallbackReturn, out FailureParameter failure, out var problem) is null)
        {
            _diagnostics.Report(DiagnosticDescriptors.InvalidPolicyMethod, a.LocationOf(MethodProperty), "fallback", name!, _method.Name, problem!.Value.Why, problem.Value.Expected);
            return null;
        }

        return new FallbackSpec
        {
            Method = Names.EscapeIdentifier(name!),
            Failure = failure,
            HandleResult = ResultJudge(a),
            Return = fallbackReturn,
            Handle = handle,
            HandlesBrokenCircuit = Handles(handled, _known.BrokenCircuitException),
            HandlesBulkheadRejection = Handles(handled, _known.BulkheadRejectedException),
            HandlesRateLimitRejection = Handles(handled, _known.RateLimitRejectedException),
        };
    }

    /// <summary>
    /// Reads [CachedFallback]: its settings, what it answers, and its key, every parameter but the CancellationToken. A
    /// result that cannot be kept is RES0018, a parameter that cannot be part of a key RES0019.
    /// </summary>
    public CachedFallbackSpec? CachedFallback(ReturnKind returnKind)
    {
        if (Attribute(AttributeNames.CachedFallback) is not { } a)
        {
            return null;
        }

        int durationMs = Checked(a, CachedFallbackRules.DurationMs);
        int maxEntries = Checked(a, CachedFallbackRules.MaxEntries);
        EquatableArray<string> handle = ExceptionTypes(a, AttributeNames.Properties.Handle, out IReadOnlyList<ITypeSymbol> handled);
        string? handleResult = returnKind is ReturnKind.Void or ReturnKind.Task or ReturnKind.ValueTask ? null : ResultJudge(a);
        if (UncacheableResult(returnKind) is { } why)
        {
            _diagnostics.Report(DiagnosticDescriptors.UncacheableResult, a.Location, _method.Name, why);
        }

        var key = new List<CacheKeyPart>();
        foreach (IParameterSymbol parameter in _method.Parameters)
        {
            if (_known.IsCancellationToken(parameter.Type))
            {
                continue;
            }

            string name = Names.EscapeIdentifier(parameter.Name);
            if (KeyText(parameter.Type, out string? problem) is { } text)
            {
                key.Add(new CacheKeyPart(parameter.Type.ToDisplayString(Names.TypeFormat), name, text));
            }
            else
            {
                _diagnostics.Report(DiagnosticDescriptors.UncacheableKey, FirstLocation(parameter), parameter.Name, _method.Name, parameter.Type.ToDisplayString(Names.ShortTypeFormat), problem!);
            }
        }

        return new CachedFallbackSpec
        {
            DurationMs = durationMs,
            MaxEntries = maxEntries,
            Handle = handle,
            HandleResult = handleResult,
            HandlesBrokenCircuit = Handles(handled, _known.BrokenCircuitException),
            HandlesBulkheadRejection = Handles(handled, _known.BulkheadRejectedException),
            HandlesRateLimitRejection = Handles(handled, _known.RateLimitRejectedException),
            Key = key.ToEquatableArray(),
        };
    }

    /// <summary>Why the method's result cannot be kept and given to another caller; null when it can.</summary>
    private string? UncacheableResult(ReturnKind returnKind)
    {
        if (returnKind is ReturnKind.Void or ReturnKind.Task or ReturnKind.ValueTask)
        {
            return "it returns no result to keep";
        }

        if (_companions.ResultType is not { } result)
        {
            return null;
        }

        string type = "'" + result.ToDisplayString(Names.ShortTypeFormat) + "'";
        if (result.IsRefLikeType)
        {
            return $"its result, of type {type}, is a ref struct, which cannot be kept";
        }

        if (ContainsMethodTypeParameter(result))
        {
            return $"its result, of type {type}, uses a type parameter of the method, and one cache per method cannot hold every type it stands for";
        }

        if (_known.HttpResponseMessage.IsBaseOf(result) || _known.Stream.IsBaseOf(result) || IsDisposable(result))
        {
            return $"its result, of type {type}, is disposable (a response or a stream is read once and disposed by its caller), so it cannot be given again to another caller";
        }

        return null;
    }

    private bool IsDisposable(ITypeSymbol type)
    {
        if (type.SpecialType == SpecialType.System_IDisposable || _known.AsyncDisposable.Is(type))
        {
            return true;
        }

        foreach (INamedTypeSymbol implemented in type.AllInterfaces)
        {
            if (implemented.SpecialType == SpecialType.System_IDisposable || _known.AsyncDisposable.Is(implemented))
            {
                return true;
            }
        }

        return false;
    }

    private bool ContainsMethodTypeParameter(ITypeSymbol type)
    {
        switch (type)
        {
            case ITypeParameterSymbol parameter:
                return parameter.TypeParameterKind == TypeParameterKind.Method;
            case IArrayTypeSymbol array:
                return ContainsMethodTypeParameter(array.ElementType);
            case INamedTypeSymbol named:
                foreach (ITypeSymbol argument in named.TypeArguments)
                {
                    if (ContainsMethodTypeParameter(argument))
                    {
                        return true;
                    }
                }

                return false;
            default:
                return false;
        }
    }

    /// <summary>
    /// How a key parameter of type <paramref name="type"/> is written as text, with <c>{0}</c> for its value; null, with
    /// <paramref name="problem"/> saying why, for a type whose equality or text is not known to be stable.
    /// </summary>
    private string? KeyText(ITypeSymbol type, out string? problem)
    {
        const string Key = "global::Resilience.CachedFallbackKey.";
        problem = null;
        if (type is INamedTypeSymbol { IsGenericType: true } named && SymbolEqualityComparer.Default.Equals(named.OriginalDefinition, _known.NullableOfT))
        {
            return KeyText(named.TypeArguments[0], out problem) is { } inner
                ? "({0}.HasValue ? " + inner.Replace("{0}", "{0}.GetValueOrDefault()") + " : null)"
                : null;
        }

        switch (type.SpecialType)
        {
            case SpecialType.System_String:
            case SpecialType.System_Boolean:
            case SpecialType.System_Char:
            case SpecialType.System_SByte:
            case SpecialType.System_Byte:
            case SpecialType.System_Int16:
            case SpecialType.System_UInt16:
            case SpecialType.System_Int32:
            case SpecialType.System_UInt32:
            case SpecialType.System_Int64:
            case SpecialType.System_UInt64:
            case SpecialType.System_Single:
            case SpecialType.System_Double:
            case SpecialType.System_Decimal:
            case SpecialType.System_DateTime:
                return Key + "Part({0})";
        }

        if (_known.Guid.Is(type) || _known.DateTimeOffset.Is(type) || _known.TimeSpan.Is(type))
        {
            return Key + "Part({0})";
        }

        if (type.TypeKind == TypeKind.Enum)
        {
            return Key + "Enum({0})";
        }

        problem = type switch
        {
            ITypeParameterSymbol => "a type parameter may stand for a type that compares by reference",
            IArrayTypeSymbol => "an array compares by reference, so a new array never finds the result kept for an equal one",
            { IsReferenceType: true } => "a class compares by reference unless it says otherwise, and has no text a shared store can use",
            _ => "a struct may hold references or values without a stable text, so two equal arguments could miss each other or two different ones collide",
        };
        return null;
    }

    /// <summary>The method's attribute of metadata name <paramref name="metadataName"/>, one of <see cref="AttributeNames.Policies"/>; null when it has none.</summary>
    private AttributeReader? Attribute(string metadataName)
        => _policies[System.Array.IndexOf(AttributeNames.Policies, metadataName)] is { } data ? new AttributeReader(data, _cancellationToken) : null;

    private static string Subject(AttributeReader attribute, SettingRule rule) => attribute.Name + "." + rule.Name;

    /// <summary>Reads the setting, and reports RES0004 when its rule does not allow the value.</summary>
    private int Checked(AttributeReader attribute, IntSettingRule rule)
    {
        int value = attribute.Read(rule);
        if (!rule.Allows(value))
        {
            Invalid(attribute, rule, SettingText.Number(value));
        }

        return value;
    }

    /// <inheritdoc cref="Checked(AttributeReader, IntSettingRule)"/>
    private double Checked(AttributeReader attribute, RatioSettingRule rule)
    {
        double value = attribute.Read(rule);
        if (!rule.Allows(value))
        {
            Invalid(attribute, rule, SettingText.Number(value));
        }

        return value;
    }

    /// <inheritdoc cref="Checked(AttributeReader, IntSettingRule)"/>
    private TEnum Checked<TEnum>(AttributeReader attribute, EnumSettingRule<TEnum> rule)
        where TEnum : struct, System.Enum
    {
        TEnum value = attribute.Read(rule);
        if (!rule.Allows(value))
        {
            Invalid(attribute, rule, value.ToString());
        }

        return value;
    }

    private void Invalid(AttributeReader attribute, SettingRule rule, string value)
        => _diagnostics.Report(DiagnosticDescriptors.InvalidAttributeValue, attribute.LocationOf(rule.Name), Subject(attribute, rule), value, rule.Requirement);

    /// <summary>The attribute's Name, or <paramref name="defaultName"/> when it is not set; an empty name is RES0004.</summary>
    private string PolicyName(AttributeReader attribute, string defaultName)
    {
        const string NameProperty = AttributeNames.Properties.Name;
        string? name = attribute.String(NameProperty);
        if (name is not null && name.Trim().Length == 0)
        {
            _diagnostics.Report(DiagnosticDescriptors.InvalidAttributeValue, attribute.LocationOf(NameProperty), attribute.Name + "." + NameProperty, "empty", "a non-empty name, or left unset for the default '" + defaultName + "'");
        }

        return string.IsNullOrWhiteSpace(name) ? defaultName : name!;
    }

    /// <summary>The fully qualified names of the exception types of a <c>Type[]</c> property; each entry that is not an exception type is RES0004.</summary>
    private EquatableArray<string> ExceptionTypes(AttributeReader attribute, string property, out IReadOnlyList<ITypeSymbol> types)
    {
        IReadOnlyList<ITypeSymbol?> written = attribute.Types(property);
        if (written.Count == 0)
        {
            types = System.Array.Empty<ITypeSymbol>();
            return EquatableArray<string>.Empty;
        }

        var valid = new List<ITypeSymbol>(written.Count);
        types = valid;
        var names = new List<string>(written.Count);
        foreach (ITypeSymbol? type in written)
        {
            if (type is { TypeKind: TypeKind.Error })
            {
                // A type that does not exist: the compiler says so (CS0246), and a second error would only repeat it.
                continue;
            }

            if (type is null || !_known.Exception.IsBaseOf(type) || type is INamedTypeSymbol { IsUnboundGenericType: true })
            {
                _diagnostics.Report(DiagnosticDescriptors.InvalidAttributeValue, attribute.LocationOf(property), attribute.Name + "." + property, $"'{type?.ToDisplayString(Names.ShortTypeFormat) ?? "null"}'", "a list of exception types (deriving from System.Exception)");
                continue;
            }

            if (IsFileLocal(type))
            {
                // The generated file is another file: it cannot name a type local to the user's.
                _diagnostics.Report(DiagnosticDescriptors.InvalidAttributeValue, attribute.LocationOf(property), attribute.Name + "." + property, $"'{type.ToDisplayString(Names.ShortTypeFormat)}', a file-local type", "a list of exception types the generated file can name: make it internal");
                continue;
            }

            valid.Add(type);
            names.Add(type.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat));
        }

        return names.ToEquatableArray();
    }

    /// <summary>True for a type declared <c>file</c>, or nested in one.</summary>
    private static bool IsFileLocal(ITypeSymbol type)
    {
        for (INamedTypeSymbol? t = type as INamedTypeSymbol; t is not null; t = t.ContainingType)
        {
            if (t.IsFileLocal)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>True when a fallback with these Handle types takes <paramref name="rejection"/>: Handle is empty, or names it or a base of it.</summary>
    private static bool Handles(IReadOnlyList<ITypeSymbol> handled, KnownType rejection)
    {
        if (handled.Count == 0)
        {
            return true;
        }

        foreach (ITypeSymbol type in handled)
        {
            if (rejection.DerivesFrom(type))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The escaped name of the hook method named by <paramref name="property"/>, after RES0005 if none fits; null when unset.</summary>
    private string? Hook(AttributeReader attribute, string property, System.Func<CompanionMethods, ITypeSymbol, bool> returnType, System.Func<CompanionMethods, ITypeSymbol, bool>[] parameterTypes, string expectedFormat, out IMethodSymbol? match, string? alternative = null)
    {
        match = null;
        string? name = attribute.String(property);
        if (name is null)
        {
            return null;
        }

        if (_companions.HookMismatch(name, returnType, parameterTypes, out match) is { } mismatch)
        {
            string expected = "'" + (_method.IsStatic ? "static " : string.Empty) + string.Format(CultureInfo.InvariantCulture, expectedFormat, name) + "'" + alternative;
            _diagnostics.Report(DiagnosticDescriptors.InvalidPolicyMethod, attribute.LocationOf(property), property, name, _method.Name, mismatch, expected);
        }

        return Names.EscapeIdentifier(name);
    }

    /// <summary>The escaped name of the attribute's <c>HandleResult</c> method, after RES0005 if it cannot judge the method's results; null when unset.</summary>
    private string? ResultJudge(AttributeReader attribute)
    {
        const string Property = AttributeNames.Properties.HandleResult;
        string? name = attribute.String(Property);
        if (name is null)
        {
            return null;
        }

        if (_companions.ResultJudgeMismatch(name) is { } mismatch)
        {
            _diagnostics.Report(DiagnosticDescriptors.InvalidPolicyMethod, attribute.LocationOf(Property), Property, name, _method.Name, mismatch, "'" + _companions.ExpectedResultJudge(name) + "'");
        }

        return Names.EscapeIdentifier(name);
    }

    /// <summary>
    /// The first <c>HttpRequestMessage</c> parameter, whose method and headers say whether it may be sent again; null
    /// when there is none, or when the method is [Idempotent] (its author made every repeat safe).
    /// </summary>
    private string? RetriedRequest()
    {
        foreach (AttributeData attribute in _method.GetAttributes())
        {
            if (_known.IdempotentAttribute.Is(attribute.AttributeClass))
            {
                return null;
            }
        }

        foreach (IParameterSymbol parameter in _method.Parameters)
        {
            if (_known.HttpRequestMessage.IsBaseOf(parameter.Type))
            {
                return Names.EscapeIdentifier(parameter.Name);
            }
        }

        return null;
    }

    /// <summary>
    /// The parameter marked with <paramref name="keyAttribute"/> that <paramref name="policy"/> is kept per value of;
    /// null when none is. Reports the key on a method without the policy, and a key on more than one parameter (RES0004).
    /// </summary>
    /// <param name="keyAttribute">[RateLimitKey] or [CircuitBreakerKey].</param>
    /// <param name="keyAttributeName">Its name, as messages show it: "RateLimitKeyAttribute".</param>
    /// <param name="policy">The policy attribute on the method; null when the method does not carry it.</param>
    /// <param name="policyName">The policy attribute as messages show it: "[RateLimit]".</param>
    private PartitionKeySpec? PartitionKey(KnownType keyAttribute, string keyAttributeName, AttributeReader? policy, string policyName)
    {
        List<IParameterSymbol>? keys = null;
        foreach (IParameterSymbol parameter in _method.Parameters)
        {
            foreach (AttributeData attribute in parameter.GetAttributes())
            {
                if (keyAttribute.Is(attribute.AttributeClass))
                {
                    (keys ??= new List<IParameterSymbol>()).Add(parameter);
                    break;
                }
            }
        }

        if (keys is null)
        {
            return null;
        }

        if (policy is null)
        {
            _diagnostics.Report(DiagnosticDescriptors.InvalidAttributeValue, FirstLocation(keys[0]), keyAttributeName, $"on '{keys[0].Name}' of a method without {policyName}", $"used together with {policyName} on the method");
            return null;
        }

        if (keys.Count > 1)
        {
            _diagnostics.Report(DiagnosticDescriptors.InvalidAttributeValue, FirstLocation(keys[1]), keyAttributeName, $"on {keys.Count} parameters", "on one parameter only; combine the values into one key (a tuple or a string)");
        }

        IParameterSymbol key = keys[0];
        if (key.Type.IsRefLikeType)
        {
            // A partition is kept in a dictionary, which cannot hold a ref struct.
            _diagnostics.Report(DiagnosticDescriptors.InvalidAttributeValue, FirstLocation(key), keyAttributeName, $"on '{key.Name}', a {key.Type.ToDisplayString(Names.ShortTypeFormat)}", "on a parameter whose value can be kept: pass a string (new string(span)) or another type");
            return null;
        }

        string name = Names.EscapeIdentifier(key.Name);
        if (_known.HttpRequestMessage.Is(key.Type))
        {
            // A request is keyed by where it goes: a partition per message would never be used twice.
            return new PartitionKeySpec("global::Resilience.HttpAuthority", name, ByAuthority: true);
        }

        // A key typed by a type parameter is boxed into object?: one static state per closed generic type would
        // otherwise register the same name with different key types.
        return new PartitionKeySpec(ContainsTypeParameter(key.Type) ? "object?" : key.Type.ToDisplayString(Names.TypeFormat), name, ByAuthority: false);
    }

    private static Location? FirstLocation(IParameterSymbol parameter) => parameter.Locations.Length > 0 ? parameter.Locations[0] : null;

    private static bool ContainsTypeParameter(ITypeSymbol type)
    {
        switch (type)
        {
            case ITypeParameterSymbol:
                return true;
            case IArrayTypeSymbol array:
                return ContainsTypeParameter(array.ElementType);
            case INamedTypeSymbol named:
                foreach (ITypeSymbol argument in named.TypeArguments)
                {
                    if (ContainsTypeParameter(argument))
                    {
                        return true;
                    }
                }

                return named.ContainingType is { } outer && ContainsTypeParameter(outer);
            default:
                return false;
        }
    }
}
