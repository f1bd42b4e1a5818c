using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using NewApi.Auth;
using NewApi.Common;
using NewApi.Json;
using NewApi.Json.Contracts.Admin;
using NewApi.Storage.Options;

namespace NewApi.Admin.Options;

/// <summary>/api/option/ (RootAuth): read every non-secret option, write one typed-validated key.</summary>
public static class OptionEndpoints
{
    public static RouteGroupBuilder MapOptions(this RouteGroupBuilder api)
    {
        var g = api.MapGroup("/option").RequireRole(Role.Root);
        g.MapGet("/", List);
        g.MapPut("/", UpdateAsync);
        return api;
    }

    private static Envelope<List<OptionItem>> List(OptionsStore store) =>
        Api.Ok(store.Current.Values.Where(kv => !OptionValidator.IsSecret(kv.Key)).OrderBy(kv => kv.Key, StringComparer.Ordinal)
            .Select(kv => new OptionItem(kv.Key, kv.Value)).ToList());

    private static async Task<IResult> UpdateAsync(HttpContext ctx, OptionsStore store, OptionValidator validator, CancellationToken ct)
    {
        var body = await JsonBody.ReadAsync(ctx.Request, AdminJson.Default.OptionUpdateRequest, ct);
        if (body is null || string.IsNullOrEmpty(body.Key))
            return Results.Json(Api.Fail("无效的参数"), AdminJson.Default.Reply, statusCode: StatusCodes.Status400BadRequest);
        var value = ToOptionString(body.Value);
        if (value is null) return Results.Json(Api.Fail("无效的参数"), AdminJson.Default.Reply, statusCode: StatusCodes.Status400BadRequest);
        var error = validator.Validate(body.Key, value, store.Current);
        if (error is not null) return Results.Json(Api.Fail(error), AdminJson.Default.Reply);
        await store.SetAsync(body.Key, value, ct);
        return Results.Json(Api.Ok(), AdminJson.Default.Reply);
    }

    /// <summary>new-api accepts string, number or bool values and stores their string form (floats without trailing zeros).</summary>
    public static string? ToOptionString(JsonElement v) => v.ValueKind switch
    {
        JsonValueKind.String => v.GetString(),
        JsonValueKind.True => "true",
        JsonValueKind.False => "false",
        JsonValueKind.Number => v.TryGetInt64(out var l) ? l.ToString(CultureInfo.InvariantCulture) : v.GetDouble().ToString("R", CultureInfo.InvariantCulture),
        JsonValueKind.Null or JsonValueKind.Undefined => "",
        _ => v.GetRawText(),
    };
}
