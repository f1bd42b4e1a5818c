using System.Net;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using NewApi.Relay.Adapters;
using NewApi.Relay.Auth;
using NewApi.Relay.Errors;
using NewApi.Relay.Http;
using NewApi.Relay.Pipeline;
using NewApi.Relay.Routing;
using NewApi.Relay.Streaming;
using NewApi.Relay.Upstream;
using NewApi.Storage.Channels;

namespace NewApi.Relay.Routes;

/// <summary>
/// The Responses API (relay.md §5.1) for OpenAI-type channels: POST /v1/responses and /v1/responses/compact through the
/// billed pipeline, and the stored-response routes — GET/DELETE /v1/responses/{id}, GET …/input_items, POST …/cancel —
/// passed to the channel and key that created the response (New API has no such routes). They are not billed, and only
/// the user whose request created a response can reach it.
/// </summary>
public static class ResponseRoutes
{
    public static void MapResponseRoutes(this WebApplication app)
    {
        var pipeline = app.Services.GetRequiredService<RelayPipeline>();
        var stored = app.Services.GetRequiredService<StoredResponses>();
        var v1 = app.MapGroup("/v1/responses");
        v1.MapPost("", ctx => pipeline.RunAsync(ctx, RouteKind.Responses));
        v1.MapPost("/compact", ctx => pipeline.RunAsync(ctx, RouteKind.ResponsesCompact));
        v1.MapGet("/{id}", ctx => stored.ForwardAsync(ctx, HttpMethod.Get, ""));
        v1.MapDelete("/{id}", ctx => stored.ForwardAsync(ctx, HttpMethod.Delete, ""));
        v1.MapGet("/{id}/input_items", ctx => stored.ForwardAsync(ctx, HttpMethod.Get, "/input_items"));
        v1.MapPost("/{id}/cancel", ctx => stored.ForwardAsync(ctx, HttpMethod.Post, "/cancel"));
    }
}

/// <summary>Forwards a stored-response call to the channel and key remembered by <see cref="ResponseAffinity"/>.</summary>
public sealed class StoredResponses(RelayAuthenticator auth, ResponseAffinity affinity, ConvertedResponseStore converted, ChannelCache channels,
    ChannelRuntimes runtimes, IRandomSource random, OutboundHttp http, MediaRelay media)
{
    public async Task ForwardAsync(HttpContext ctx, HttpMethod method, string suffix)
    {
        var ct = ctx.RequestAborted;
        var (caller, authError) = await auth.AuthenticateAsync(ctx, ct);
        if (caller is null)
        {
            await RelayErrorResponder.WriteAsync(ctx, authError!, ct);
            return;
        }
        var id = (string)ctx.Request.RouteValues["id"]!;
        if (!affinity.TryGet(id, caller.User.Id, out _) && await ServeConvertedAsync(ctx, caller.User.Id, id, method, suffix)) return;
        if (!affinity.TryGet(id, caller.User.Id, out var entry)
            || !channels.Current.ById.TryGetValue(entry.ChannelId, out var channel) || ProviderAdapters.For(channel.Type) is not { } adapter)
        {
            await RelayErrorResponder.WriteAsync(ctx, RelayError.Local(404, $"Response with id '{id}' not found.", "response_not_found",
                type: ErrorTypes.InvalidRequest), ct);
            return;
        }
        var (target, targetError) = DirectCall.Target(channel, runtimes.For(channel), entry.KeyIndex, random);
        if (target is null)
        {
            await RelayErrorResponder.WriteAsync(ctx, targetError!, ct);
            return;
        }
        var uri = adapter.BuildUri(target, RouteKind.Responses, "/v1/responses/" + Uri.EscapeDataString(id) + suffix, "");
        using var request = new HttpRequestMessage(method, DirectCall.WithQuery(uri, ctx.Request.QueryString))
        {
            Version = HttpVersion.Version20, VersionPolicy = HttpVersionPolicy.RequestVersionOrLower,
        };
        if (method == HttpMethod.Post) request.Content = new ByteArrayContent([]);
        adapter.ApplyAuth(request, target);
        if (HeaderOverride.Apply(request, target.Runtime.HeaderOverride, target.Runtime.HeaderOverrideInvalid, ctx.Request.Headers, target.Key) is { } hoError)
        {
            await RelayErrorResponder.WriteAsync(ctx, hoError, ct);
            return;
        }
        await SendAsync(ctx, request, target, method == HttpMethod.Delete ? id : null, ct);
    }

    private async Task SendAsync(HttpContext ctx, HttpRequestMessage request, UpstreamTarget target, string? deletedId, CancellationToken ct)
    {
        HttpResponseMessage response;
        try
        {
            response = await http.Upstream(target.Runtime.Proxy).SendAsync(request, ct);
        }
        catch (HttpRequestException)
        {
            await RelayErrorResponder.WriteAsync(ctx, RelayError.Local(502, "upstream error: do request failed", ErrorCodes.DoRequestFailed), ct);
            return;
        }
        using (response)
        {
            if (!response.IsSuccessStatusCode)
            {
                await RelayErrorResponder.WriteAsync(ctx, await DirectCall.ErrorAsync(response, target, ct), ct);
                return;
            }
            if (deletedId is not null) affinity.Forget(deletedId);
            var sse = response.Content.Headers.ContentType?.MediaType == "text/event-stream";
            _ = sse ? await media.RelaySseAsync(ctx, response, null, ct) : await media.RelayBytesAsync(ctx, response, null, ct);
        }
    }

    /// <summary>
    /// A response this gateway converted (its channel has no Responses API): answered from <see cref="ConvertedResponseStore"/>.
    /// False when the id is not one of the caller's converted responses.
    /// </summary>
    private async Task<bool> ServeConvertedAsync(HttpContext ctx, long userId, string id, HttpMethod method, string suffix)
    {
        JsonNode? answer;
        if (method == HttpMethod.Get && suffix.Length == 0) answer = converted.Find(id, userId);
        else if (method == HttpMethod.Get && suffix == "/input_items")
        {
            if (converted.InputOf(id, userId) is not { } items) return false;
            var first = items.Count > 0 ? items[0]?["id"]?.DeepClone() : null;
            var last = items.Count > 0 ? items[^1]?["id"]?.DeepClone() : null;
            answer = new JsonObject { ["object"] = "list", ["data"] = items, ["first_id"] = first, ["last_id"] = last, ["has_more"] = false };
        }
        else if (method == HttpMethod.Delete)
            answer = converted.Delete(id, userId) ? new JsonObject { ["id"] = id, ["object"] = "response", ["deleted"] = true } : null;
        else
        {
            if (converted.Find(id, userId) is null) return false;
            await RelayErrorResponder.WriteAsync(ctx, RelayError.BadRequest("Only background responses can be cancelled.") with { Param = "response_id" },
                ctx.RequestAborted);
            return true;
        }
        if (answer is null) return false;
        ctx.Response.StatusCode = StatusCodes.Status200OK;
        ctx.Response.ContentType = "application/json";
        await ctx.Response.WriteAsync(answer.ToJsonString(), ctx.RequestAborted);
        return true;
    }
}
