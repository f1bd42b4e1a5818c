using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using NewApi.Common;
using NewApi.Json;
using NewApi.Storage.Options;

namespace NewApi.Auth.Registration;

/// <summary>
/// New API's Turnstile middleware: when TurnstileCheckEnabled, a request needs ?turnstile=&lt;token&gt; unless this
/// session already passed once. Failures are HTTP 200 envelopes.
/// </summary>
public sealed class TurnstileFilter : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        var services = http.RequestServices;
        if (!services.GetRequiredService<OptionsStore>().Current.GetBool("TurnstileCheckEnabled")) return await next(context);
        var sessions = services.GetRequiredService<SessionService>();
        var session = sessions.Read(http);
        if (session.Turnstile) return await next(context);
        var token = http.Request.Query["turnstile"].ToString();
        if (token.Length == 0) return Results.Json(Api.Fail("Turnstile token 为空"), AdminJson.Default.Reply);
        var ip = services.GetRequiredService<ClientIpResolver>().ResolveString(http);
        if (!await services.GetRequiredService<TurnstileVerifier>().VerifyAsync(token, ip, http.RequestAborted))
            return Results.Json(Api.Fail("Turnstile 校验失败，请刷新重试！"), AdminJson.Default.Reply);
        session.Turnstile = true;
        sessions.Write(http, session);
        return await next(context);
    }
}

public static class TurnstileExtensions
{
    public static RouteHandlerBuilder RequireTurnstile(this RouteHandlerBuilder builder) => builder.AddEndpointFilter(new TurnstileFilter());
}
