// Every test starts the application, whose policies live in the process-wide ResilienceRegistry.Default and
// whose clock is the registry's: two at once would trip each other's breakers and move each other's clock.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
