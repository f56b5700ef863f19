#if NET8_0_OR_GREATER
using System;
using System.Collections;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Resilience.Hosting;

/// <summary>
/// Writes a <see cref="HealthReport"/> as JSON: the overall status and duration, then each check's status,
/// description, duration, error and data. For the resilience check the data lists every circuit breaker with its
/// state, counts, error rate and time in state, so that a probe's answer says which dependency is down and why.
/// </summary>
/// <remarks>
/// <para>
/// In ASP.NET Core, as a health endpoint's response writer:
/// <code>
/// app.MapHealthChecks("/health/ready", new HealthCheckOptions
/// {
///     ResponseWriter = (context, report) =>
///     {
///         context.Response.ContentType = ResilienceHealthReportWriter.ContentType;
///         return ResilienceHealthReportWriter.WriteAsync(context.Response.Body, report, context.RequestAborted);
///     },
/// });
/// </code>
/// </para>
/// <para>
/// Names are camel-case; statuses are their names (<c>"Degraded"</c>); durations are milliseconds rounded to two
/// decimals, except a <see cref="TimeSpan"/> in a check's data, which is written in seconds. The data of other checks is
/// written the same way: text, numbers, booleans, dates, dictionaries and lists; anything else as its text.
/// Thread-safe: it keeps no state.
/// </para>
/// </remarks>
public static class ResilienceHealthReportWriter
{
    /// <summary>The content type of what <see cref="WriteAsync"/> writes.</summary>
    public const string ContentType = "application/json; charset=utf-8";

    private static readonly JsonWriterOptions s_options = new()
    {
        Indented = true,
        // For people reading it with curl: 'orders-db' rather than \u0027orders-db\u0027.
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    /// <summary>Writes <paramref name="report"/> to <paramref name="body"/> as JSON (UTF-8).</summary>
    /// <param name="body">Where to write: a response body, a file.</param>
    /// <param name="report">The report to write.</param>
    /// <param name="cancellationToken">Stops the writing (the request was aborted).</param>
    /// <exception cref="ArgumentNullException"><paramref name="body"/> or <paramref name="report"/> is null.</exception>
    public static async Task WriteAsync(Stream body, HealthReport report, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(body);
        ArgumentNullException.ThrowIfNull(report);

        await using var writer = new Utf8JsonWriter(body, s_options);
        writer.WriteStartObject();
        writer.WriteString("status", report.Status.ToString());
        writer.WriteNumber("durationMs", Milliseconds(report.TotalDuration));
        writer.WriteStartObject("checks");
        foreach (KeyValuePair<string, HealthReportEntry> entry in report.Entries)
        {
            writer.WriteStartObject(entry.Key);
            writer.WriteString("status", entry.Value.Status.ToString());
            writer.WriteString("description", entry.Value.Description);
            writer.WriteNumber("durationMs", Milliseconds(entry.Value.Duration));
            if (entry.Value.Exception is { } exception)
            {
                writer.WriteString("error", exception.Message);
            }

            writer.WritePropertyName("data");
            WriteValue(writer, entry.Value.Data, depth: 0);
            writer.WriteEndObject();
        }

        writer.WriteEndObject();
        writer.WriteEndObject();
        await writer.FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    private static double Milliseconds(TimeSpan duration) => Math.Round(duration.TotalMilliseconds, 2);

    private static void WriteValue(Utf8JsonWriter writer, object? value, int depth)
    {
        // Data nested deeper than this is written as text: a report must not recurse without end on a cyclic value.
        const int MaxDepth = 8;
        switch (value)
        {
            case null:
                writer.WriteNullValue();
                break;
            case string text:
                writer.WriteStringValue(text);
                break;
            case bool flag:
                writer.WriteBooleanValue(flag);
                break;
            case int or long or short or byte or uint or ulong or ushort or sbyte:
                writer.WriteNumberValue(Convert.ToInt64(value, CultureInfo.InvariantCulture));
                break;
            case double number when double.IsFinite(number):
                writer.WriteNumberValue(number);
                break;
            case float number when float.IsFinite(number):
                writer.WriteNumberValue(number);
                break;
            case decimal number:
                writer.WriteNumberValue(number);
                break;
            case DateTimeOffset time:
                writer.WriteStringValue(time);
                break;
            case DateTime time:
                writer.WriteStringValue(time);
                break;
            case TimeSpan duration:
                writer.WriteNumberValue(Math.Round(duration.TotalSeconds, 3));
                break;
            case Enum member:
                writer.WriteStringValue(member.ToString());
                break;
            case IEnumerable<KeyValuePair<string, object>> dictionary when depth < MaxDepth:
                writer.WriteStartObject();
                foreach (KeyValuePair<string, object> item in dictionary)
                {
                    writer.WritePropertyName(item.Key);
                    WriteValue(writer, item.Value, depth + 1);
                }

                writer.WriteEndObject();
                break;
            case IDictionary dictionary when depth < MaxDepth:
                writer.WriteStartObject();
                foreach (DictionaryEntry item in dictionary)
                {
                    writer.WritePropertyName(Convert.ToString(item.Key, CultureInfo.InvariantCulture) ?? string.Empty);
                    WriteValue(writer, item.Value, depth + 1);
                }

                writer.WriteEndObject();
                break;
            case IEnumerable items when depth < MaxDepth:
                writer.WriteStartArray();
                foreach (object? item in items)
                {
                    WriteValue(writer, item, depth + 1);
                }

                writer.WriteEndArray();
                break;
            default:
                writer.WriteStringValue(Convert.ToString(value, CultureInfo.InvariantCulture));
                break;
        }
    }
}
#endif
