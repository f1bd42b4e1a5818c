using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using NewApi.Relay.Errors;
using NewApi.Relay.Pipeline;
using NewApi.Relay.Routes;

namespace NewApi.Relay;

/// <summary>
/// The relay's routes. A JSON relay route is one line: <c>v1.MapPost(path, ctx => pipeline.RunAsync(ctx, RouteKind.X))</c>;
/// the adapters declare which kinds they serve. CORS comes from Hosting; request decompression and the body limit
/// (counted after decompression) from <see cref="RequestBody"/>.
/// </summary>
public static class RelayEndpoints
{
    public static WebApplication MapRelay(this WebApplication app)
    {
        var pipeline = app.Services.GetRequiredService<RelayPipeline>();
        var v1 = app.MapGroup("/v1");
        v1.MapPost("/chat/completions", ctx => pipeline.RunAsync(ctx, RouteKind.ChatCompletions));
        v1.MapPost("/completions", ctx => pipeline.RunAsync(ctx, RouteKind.Completions));
        v1.MapPost("/embeddings", ctx => pipeline.RunAsync(ctx, RouteKind.Embeddings));
        app.MapModelRoutes();
        app.MapNativeRoutes();
        app.MapRelayRoutes();
        MapNotImplemented(v1, app.Services.GetRequiredService<Auth.RelayAuthenticator>());
        return app;
    }

    /// <summary>New API answers these with 501 api_not_implemented (relay.md §1.2), after token auth.</summary>
    private static void MapNotImplemented(RouteGroupBuilder v1, Auth.RelayAuthenticator auth)
    {
        RequestDelegate notImplemented = async ctx =>
        {
            var (_, error) = await auth.AuthenticateAsync(ctx, ctx.RequestAborted);
            await RelayErrorResponder.WriteAsync(ctx, error ?? RelayError.Local(501, "API not implemented", ErrorCodes.ApiNotImplemented), ctx.RequestAborted);
        };
        v1.MapPost("/images/variations", notImplemented);
        v1.MapGet("/files", notImplemented);
        v1.MapPost("/files", notImplemented);
        v1.MapGet("/files/{id}", notImplemented);
        v1.MapDelete("/files/{id}", notImplemented);
        v1.MapGet("/files/{id}/content", notImplemented);
        v1.MapPost("/fine-tunes", notImplemented);
        v1.MapGet("/fine-tunes", notImplemented);
        v1.MapGet("/fine-tunes/{id}", notImplemented);
        v1.MapPost("/fine-tunes/{id}/cancel", notImplemented);
        v1.MapGet("/fine-tunes/{id}/events", notImplemented);
        v1.MapDelete("/models/{model}", notImplemented);
    }
}
