// The applications of these tests share ResilienceRegistry.Default, its clock and its policies, which live for the
// whole process: the tests run one at a time.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
