using System.Globalization;
using System.Text.Json;
using NewApi.Billing;
using NewApi.Billing.Prices;
using NewApi.Billing.Tokens;
using NewApi.Relay.Pipeline;

namespace NewApi.Relay.Routes;

/// <summary>
/// Image generation and edit billing (relay.md §3.4, §3.9). Per-call models (dall-e-3, imagen …): the price × the
/// DALL·E size/quality ratio is reserved, and that × n is charged, whatever usage the upstream reports. Token-priced
/// models (gpt-image-1): 1584 output tokens are reserved and the reported usage (image input tokens at the image
/// ratio) is billed. The log's content reads <c>大小 1024x1024, 品质 standard, 生成数量 1</c> as in New API.
/// </summary>
internal sealed class ImageRule(TokenCounter counter, string model, string size, string quality, long n) : RouteRule
{
    /// <summary>New API reserves this many completion tokens for a token-priced image.</summary>
    private const long ReservedImageTokens = 1584;

    public static ImageRule From(TokenCounter counter, RelayRequest request)
    {
        var root = request.Root;
        var model = request.Model;
        var size = RouteValidation.Str(root, "size");
        var quality = RouteValidation.Str(root, "quality");
        if (size.Length == 0 && model is "dall-e" or "dall-e-2" or "dall-e-3") size = "1024x1024";
        if (quality.Length == 0) quality = model == "gpt-image-1" && request.Form is null ? "auto" : "standard";
        return new ImageRule(counter, model, size, quality, Math.Max(1, RouteValidation.ImageCount(root)));
    }

    private double Ratio => ImagePricing.SizeQualityRatio(model, size, quality);

    public override int? EstimatePrompt(RelayContext rc) => counter.Count(rc.Request.Model, RouteValidation.Str(rc.Request.Root, "prompt"));

    public override long? PreConsume(RelayContext rc, PriceTables tables)
    {
        var p = rc.Pricing;
        var g = (decimal)rc.GroupPricing.Ratio;
        return p.UsePrice
            ? (long)((decimal)p.ModelPrice * (decimal)Ratio * (decimal)tables.QuotaPerUnit * g)
            : QuotaMath.PreConsume(p, rc.GroupPricing.Ratio, rc.PromptEstimate, ReservedImageTokens, tables.PreConsumedQuota, tables.QuotaPerUnit);
    }

    /// <summary>New API forces prompt and total to at least 1, so an image is never free for want of usage.</summary>
    public override UsageCounts Adjust(RelayContext rc, UsageCounts usage, ref bool estimated)
    {
        if (rc.Pricing.UsePrice) estimated = false;   // the price does not depend on usage
        return usage.PromptTokens == 0 ? usage with { PromptTokens = 1 } : usage;
    }

    public override long? FinalQuota(RelayContext rc, in UsageCounts usage, PriceTables tables)
    {
        var p = rc.Pricing;
        if (!p.UsePrice) return null;   // token usage covers every image
        return QuotaMath.Round((decimal)p.ModelPrice * (decimal)Ratio * (decimal)tables.QuotaPerUnit * (decimal)rc.GroupPricing.Ratio * n);
    }

    public override string LogContent =>
        (size.Length > 0 ? $"大小 {size}, " : "") + $"品质 {quality}, 生成数量 {n.ToString(CultureInfo.InvariantCulture)}";

    public override void WriteLogOther(Utf8JsonWriter w, RelayContext rc, in UsageCounts usage)
    {
        if (!rc.Pricing.UsePrice) return;
        w.WriteNumber("image_price_ratio", Ratio);
        w.WriteNumber("image_n", n);
    }
}
