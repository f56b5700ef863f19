namespace Resilience.AspNetCore.Tests.App;

/// <summary>The policy names of <see cref="Catalog"/>.</summary>
public static class Names
{
    public const string SearchLimit = "catalog-search";
    public const string CallerLimit = "per-caller";
    public const string Inventory = "inventory";
    public const string Reports = "reports";
    public const string Recommendations = "recommendations";
    public const string IsolatedDependency = "isolated-dep";
    public const string NonAsciiBreaker = "café-api";

    /// <summary>The default name of <see cref="Catalog.UnnamedAsync"/>'s breaker: its method's.</summary>
    public const string UnnamedBreaker = "Resilience.AspNetCore.Tests.App.Catalog.UnnamedAsync";

    /// <summary>Names that reveal the code, which no response body may hold.</summary>
    public static readonly string[] Internal =
    [
        "Resilience.AspNetCore.Tests",
        nameof(Catalog),
        nameof(Catalog.UnnamedAsync),
        nameof(Catalog.SlowAsync),
        nameof(Catalog.StockAsync),
        nameof(Catalog.SearchAsync),
        nameof(Catalog.ReportAsync),
        "Exception",
    ];
}
