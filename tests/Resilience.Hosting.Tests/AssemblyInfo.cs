// ResilienceRegistry.Default, its settings, its clock and its listeners are process-wide: these tests run one at a time.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
