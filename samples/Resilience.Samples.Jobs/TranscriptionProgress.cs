using System.Text.Json.Serialization;

namespace Resilience.Samples.Jobs;

/// <summary>What the job needs to go on after a crash: the chunks done so far and their text.</summary>
/// <param name="ChunksDone">How many chunks are transcribed, from the first.</param>
/// <param name="Lines">The text of each chunk done, in order.</param>
public sealed record TranscriptionProgress(int ChunksDone, List<string> Lines);

/// <summary>The checkpoint data's System.Text.Json contract, generated at build time (no reflection, trimming-safe).</summary>
[JsonSerializable(typeof(TranscriptionProgress))]
public sealed partial class JobsJsonContext : JsonSerializerContext;
