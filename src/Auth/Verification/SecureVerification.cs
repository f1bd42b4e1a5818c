using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using NewApi.Json;
using NewApi.Json.Contracts.Admin;

namespace NewApi.Auth.Verification;

/// <summary>
/// Sensitive-action verification (New API's secure_verified_at): a successful POST /api/verify marks the session for
/// <see cref="ValidSeconds"/>. Routes that reveal secrets add <see cref="RequireSecureVerification"/> behind RequireRole.
/// </summary>
public static class SecureVerification
{
    public const long ValidSeconds = 300;
    /// <summary>A passkey assertion made through /api/user/passkey/verify/* is good for /api/verify this long.</summary>
    public const long PasskeyReadySeconds = 60;
    public const string PasskeyReadyKey = "pk_ready";

    public enum State { Verified, Required, Expired }

    public static State Check(SessionData session, long now)
    {
        if (session.SecureVerifiedAt <= 0 || session.UserId <= 0) return State.Required;
        var age = now - session.SecureVerifiedAt;
        return age >= 0 && age < ValidSeconds ? State.Verified : State.Expired;
    }

    /// <summary>403 with New API's code VERIFICATION_REQUIRED / VERIFICATION_EXPIRED unless the session was verified recently.</summary>
    public static RouteHandlerBuilder RequireSecureVerification(this RouteHandlerBuilder builder) =>
        builder.AddEndpointFilter(async (context, next) =>
        {
            var http = context.HttpContext;
            var sessions = http.RequestServices.GetRequiredService<SessionService>();
            var now = http.RequestServices.GetRequiredService<TimeProvider>().GetUtcNow().ToUnixTimeSeconds();
            var state = Check(sessions.Read(http), now);
            if (state == State.Verified) return await next(context);
            return Results.Json(Denied(state), SecurityJson.Default.VerificationRequiredReply, statusCode: StatusCodes.Status403Forbidden);
        });

    public static VerificationRequiredReply Denied(State state) => state == State.Expired
        ? new(false, "安全验证已过期，请重新验证", "VERIFICATION_EXPIRED")
        : new(false, "需要安全验证", "VERIFICATION_REQUIRED");
}
