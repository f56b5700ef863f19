using System.Threading;
using System.Threading.Tasks;
using Resilience;

namespace Resilience.NetStandard.Library
{
    /// <summary>A client whose policies are named: they must exist once the library is loaded, before any call.</summary>
    public partial class InventoryClient
    {
        public const string BreakerName = "netstandard-library-inventory";
        public const string LimitName = "netstandard-library-inventory-limit";

        [CircuitBreaker(5, Name = BreakerName)]
        [RateLimit(10, 1_000, Name = LimitName)]
        public partial Task<int> CountAsync(CancellationToken ct);

        private Task<int> CountAsyncCore(CancellationToken ct) => Task.FromResult(42);
    }

    /// <summary>Another type of the library: using it loads the library without touching <see cref="InventoryClient"/>.</summary>
    public static class LibraryInfo
    {
        public static string Name => typeof(LibraryInfo).Assembly.GetName().Name!;
    }
}
