using Microsoft.AspNetCore.Http;

namespace NewApi.Relay.Errors;

/// <summary>Which wire dialect a path speaks, so errors answer in the caller's own format.</summary>
public enum ApiSurface { Web, Management, OpenAi, Claude, Gemini, Midjourney, Suno }

public static class ApiSurfaces
{
    public static ApiSurface Of(PathString path)
    {
        var p = path.Value ?? "";
        if (p.StartsWith("/api/", StringComparison.Ordinal) || p == "/api") return ApiSurface.Management;
        if (p.StartsWith("/v1/messages", StringComparison.Ordinal)) return ApiSurface.Claude;
        if (p.StartsWith("/v1beta/", StringComparison.Ordinal) && !p.StartsWith("/v1beta/openai/", StringComparison.Ordinal)) return ApiSurface.Gemini;
        if (p.StartsWith("/v1/models/", StringComparison.Ordinal) && p.Contains(':')) return ApiSurface.Gemini;
        if (p.StartsWith("/v1", StringComparison.Ordinal) || p.StartsWith("/pg/", StringComparison.Ordinal)
            || p.StartsWith("/dashboard/", StringComparison.Ordinal)) return ApiSurface.OpenAi;
        if (p.StartsWith("/mj/", StringComparison.Ordinal) || p.Contains("/mj/", StringComparison.Ordinal)) return ApiSurface.Midjourney;
        if (p.StartsWith("/suno/", StringComparison.Ordinal)) return ApiSurface.Suno;
        return ApiSurface.Web;
    }
}
