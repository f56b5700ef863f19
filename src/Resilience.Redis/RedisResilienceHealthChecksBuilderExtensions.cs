using System;
using System.Collections.Generic;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Resilience.Redis;

/// <summary>Adds the distributed mode's health check.</summary>
public static class RedisResilienceHealthChecksBuilderExtensions
{
    /// <summary>
    /// Adds a check that is Healthy while the policies marked <c>Distributed</c> share their state through Redis, and
    /// Degraded while they decide locally: Redis cannot be reached, or no store is registered.
    /// </summary>
    /// <param name="builder">The health checks builder.</param>
    /// <param name="name">The check's name. Default <c>resilience-redis</c>.</param>
    /// <param name="tags">Tags to filter checks by.</param>
    public static IHealthChecksBuilder AddResilienceRedisHealthCheck(this IHealthChecksBuilder builder, string name = "resilience-redis", IEnumerable<string>? tags = null)
    {
        if (builder is null)
        {
            throw new ArgumentNullException(nameof(builder));
        }

        return builder.Add(new HealthCheckRegistration(name, _ => new RedisResilienceHealthCheck(ResilienceRegistry.Default), HealthStatus.Degraded, tags));
    }
}
