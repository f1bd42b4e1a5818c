namespace NewApi.Billing.Prices;

/// <summary>
/// Per-image price multipliers of New API's DALL·E pricing (relay.md §3.4, §3.9): by size (256² 0.4, 512² 0.45,
/// 1024² 1, 1024×1792 and 1792×1024 2) and, for dall-e-3 in hd quality, ×2 on square images and ×1.5 on the tall and
/// wide ones. Other per-call image models cost their price whatever the size.
/// </summary>
public static class ImagePricing
{
    public static double SizeQualityRatio(string model, string size, string quality)
    {
        if (!model.StartsWith("dall-e", StringComparison.Ordinal)) return 1;
        var ratio = size switch
        {
            "256x256" => 0.4,
            "512x512" => 0.45,
            "1024x1792" or "1792x1024" => 2,
            _ => 1,
        };
        if (model == "dall-e-3" && quality == "hd") ratio *= size is "1024x1792" or "1792x1024" ? 1.5 : 2;
        return ratio;
    }
}
