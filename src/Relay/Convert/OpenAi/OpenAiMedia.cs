using System.Text.Json.Nodes;
using NewApi.Relay.Convert.Model;
using NewApi.Relay.Convert.Shared;

namespace NewApi.Relay.Convert.OpenAi;

/// <summary>Media parts in the OpenAI chat dialect: image_url (URL or data URL), input_audio (base64 only), file (base64 only).</summary>
internal static class OpenAiMedia
{
    public static JsonObject? Part(MediaPart media, WriteContext ctx)
    {
        switch (media.Kind)
        {
            case MediaKind.Image:
                var url = media.Data is not null ? DataUrl.Build(media.MimeType ?? "image/png", media.Data) : media.Url;
                if (url is null) return Unsupported(ctx, "image file id");
                var image = new JsonObject { ["url"] = url };
                J.SetIf(image, "detail", media.Detail);
                return new JsonObject { ["type"] = "image_url", ["image_url"] = image };
            case MediaKind.Audio:
                var audio = new JsonObject { ["data"] = media.Data ?? "", ["format"] = DataUrl.AudioFormat(media.MimeType) };
                if (media.Data is null && DataUrl.IsHttp(media.Url))
                    ctx.Slots.Add(new MediaSlot(media.Url!, "audio", m => m.StartsWith("audio/", StringComparison.Ordinal),
                        (mime, data) => { audio["data"] = data; audio["format"] = DataUrl.AudioFormat(mime); }));
                else if (media.Data is null) return Unsupported(ctx, "audio without data");
                return new JsonObject { ["type"] = "input_audio", ["input_audio"] = audio };
            default:
                var file = new JsonObject();
                J.SetIf(file, "filename", media.FileName ?? (media.Data is not null || media.Url is not null ? "document.pdf" : null));
                if (media.FileId is not null) file["file_id"] = media.FileId;
                else if (media.Data is not null) file["file_data"] = DataUrl.Build(media.MimeType, media.Data);
                else if (media.TextData is not null) file["file_data"] = DataUrl.Build("text/plain", System.Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(media.TextData)));
                else if (DataUrl.IsHttp(media.Url))
                {
                    file["file_data"] = media.Url;
                    ctx.Slots.Add(new MediaSlot(media.Url!, "document", _ => true, (mime, data) => file["file_data"] = DataUrl.Build(mime, data)));
                }
                else return Unsupported(ctx, "document reference");
                return new JsonObject { ["type"] = "file", ["file"] = file };
        }
    }

    private static JsonObject? Unsupported(WriteContext ctx, string what)
    {
        ctx.Note("dropped " + what);
        return null;
    }
}
