using Resilience.Shared;

namespace Resilience.Generators;

/// <summary>A setting of a shared policy and its value: what the policy's state is created with, and what two methods sharing it must agree on.</summary>
/// <param name="Value">An <see cref="int"/>, <see cref="double"/>, <see cref="bool"/> or enum value.</param>
internal readonly record struct SettingValue(SettingRule Rule, object Value);
