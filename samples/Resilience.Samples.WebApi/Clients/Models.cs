namespace Resilience.Samples.WebApi.Clients;

/// <summary>An order, as the orders database holds it.</summary>
public sealed record Order(int Id, string Customer, string Email, decimal Total, string Status);

/// <summary>A video's details from the video API; <paramref name="Placeholder"/> when the API could not be asked.</summary>
public sealed record Video(string Id, string Title, string Channel, int DurationSeconds, bool Placeholder = false);

/// <summary>Videos recommended to a user; <paramref name="Source"/> says whether they come from the cache or are the defaults.</summary>
public sealed record Recommendations(string UserId, IReadOnlyList<string> VideoIds, string Source);

/// <summary>A message for the broker. <paramref name="Id"/> is its idempotency key: the broker keeps one message per id.</summary>
public sealed record BrokerMessage(string Id, string Topic, int OrderId);

/// <summary>An e-mail to send.</summary>
public sealed record EmailMessage(string To, string Subject, string Body);

/// <summary>What the broker and the e-mail service answer: the message's id, and whether it was a repeat.</summary>
public sealed record Acceptance(string Id, bool Duplicate = false);
