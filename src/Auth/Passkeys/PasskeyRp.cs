using Microsoft.AspNetCore.Http;
using NewApi.Storage.Options;

namespace NewApi.Auth.Passkeys;

/// <summary>Relying-party settings for one ceremony, from the passkey.* options (New API's resolution rules).</summary>
public sealed record PasskeyRp(string RpId, string RpName, IReadOnlyList<string> Origins, string UserVerification, string Attachment)
{
    public const string Disabled = "管理员未启用 Passkey 登录";

    /// <summary>
    /// Origins: passkey.origins (comma list; http:// only with passkey.allow_insecure_origin), else the request's own
    /// origin (http only for localhost). RP id: passkey.rp_id without port, else the first origin's host.
    /// </summary>
    public static PasskeyRp? Resolve(OptionsSnapshot o, HttpRequest request, out string error)
    {
        error = "";
        var insecureOk = o.GetBool("passkey.allow_insecure_origin");
        var origins = new List<string>();
        foreach (var raw in o.Get("passkey.origins").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (!insecureOk && raw.StartsWith("http://", StringComparison.OrdinalIgnoreCase))
            {
                error = "passkey does not allow insecure origins: " + raw;
                return null;
            }
            origins.Add(raw.TrimEnd('/'));
        }
        if (origins.Count == 0)
        {
            var host = request.Host.Host;
            var local = host is "localhost" or "127.0.0.1";
            if (!request.IsHttps && !insecureOk && !local)
            {
                error = "passkey requires HTTPS for this origin";
                return null;
            }
            origins.Add($"{request.Scheme}://{request.Host.Value}");
        }
        var rpId = o.Get("passkey.rp_id").Trim();
        if (rpId.Length == 0 && Uri.TryCreate(origins[0], UriKind.Absolute, out var first)) rpId = first.Host;
        else if (rpId.Contains(':', StringComparison.Ordinal) && Uri.TryCreate("https://" + rpId, UriKind.Absolute, out var withPort)) rpId = withPort.Host;
        if (rpId.Length == 0)
        {
            error = "could not determine passkey rp id";
            return null;
        }
        var name = o.Get("passkey.rp_display_name").Trim();
        if (name.Length == 0) name = o.Get("SystemName", "New API");
        var uv = o.Get("passkey.user_verification", "preferred").Trim();
        if (uv is not ("required" or "preferred" or "discouraged")) uv = "preferred";
        return new PasskeyRp(rpId, name, origins, uv, o.Get("passkey.attachment_preference").Trim());
    }
}
