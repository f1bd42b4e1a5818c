using NewApi.Storage.Options;

namespace NewApi.Billing.Prices;

/// <summary>
/// Holds the current <see cref="PriceTables"/>; readers take <see cref="Current"/> without a lock. Rebuilt whole
/// whenever the options snapshot changes (a console edit of ModelRatio, GroupRatio, …).
/// </summary>
public sealed class PriceBook
{
    private PriceTables _current;

    public PriceBook(OptionsStore options)
    {
        _current = PriceTables.From(options.Current);
        options.Changed += snapshot => Volatile.Write(ref _current, PriceTables.From(snapshot));
    }

    public PriceTables Current => Volatile.Read(ref _current);
}
