using System.Buffers;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text.Json;

namespace NewApi.Relay.Pipeline;

/// <summary>One uploaded file of a form: its part name, file name and type, and where its bytes sit in the spool.</summary>
public sealed record FormFile(string Name, string FileName, string ContentType, long Offset, long Length);

/// <summary>
/// A parsed multipart/form-data request (audio transcription and translation, image edits): the text fields in order,
/// the files as ranges of a <see cref="MultipartSpool"/>. For each attempt it rebuilds the upstream form as New API
/// does (relay.md §5.3, §5.4): the mapped model first, every other text field, then only the files the route sends.
/// </summary>
public sealed class MultipartForm(List<KeyValuePair<string, string>> fields, List<FormFile> files, MultipartSpool spool) : IDisposable
{
    public IReadOnlyList<KeyValuePair<string, string>> Fields => fields;
    public IReadOnlyList<FormFile> Files => files;

    public string? Field(string name)
    {
        foreach (var (k, v) in fields)
            if (k == name) return v;
        return null;
    }

    public FormFile? FirstFile(string name) => files.Find(f => f.Name == name);

    /// <summary>The images of an edit: parts named <c>image</c>, <c>image[]</c> or <c>image[n]</c>.</summary>
    public List<FormFile> Images() => files.FindAll(f => f.Name == "image" || f.Name.StartsWith("image[", StringComparison.Ordinal));

    public Stream OpenFile(FormFile file) => new MultipartSliceStream(spool, file.Offset, file.Length);

    /// <summary>The text fields as a JSON object of strings (first value of a repeated name), for validation and estimates.</summary>
    public byte[] FieldsJson()
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            foreach (var (k, v) in fields)
                if (seen.Add(k)) w.WriteString(k, v);
            w.WriteEndObject();
        }
        return buffer.WrittenSpan.ToArray();
    }

    public HttpContent CreateContent(RouteKind kind, string model)
    {
        var content = new MultipartFormDataContent("newapi-" + System.Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(12)));
        content.Add(Text("model", model));
        foreach (var (k, v) in fields)
            if (k != "model") content.Add(Text(k, v));
        if (kind is RouteKind.AudioTranscription or RouteKind.AudioTranslation)
        {
            if (FirstFile("file") is { } audio) content.Add(File("file", audio));
        }
        else if (kind == RouteKind.ImageEdits)
        {
            var images = Images();
            foreach (var image in images) content.Add(File(images.Count == 1 ? "image" : "image[]", image));
            if (FirstFile("mask") is { } mask) content.Add(File("mask", mask));
        }
        return content;
    }

    /// <summary>A text part without a Content-Type line, as browsers and Go's multipart writer send them.</summary>
    private static StringContent Text(string name, string value)
    {
        var part = new StringContent(value);
        part.Headers.ContentType = null;
        part.Headers.ContentDisposition = new ContentDispositionHeaderValue("form-data") { Name = Quote(name) };
        return part;
    }

    private HttpContent File(string name, FormFile file)
    {
        var part = new MultipartSliceContent(spool, file.Offset, file.Length);
        part.Headers.ContentDisposition = new ContentDispositionHeaderValue("form-data") { Name = Quote(name), FileName = Quote(file.FileName) };
        part.Headers.ContentType = MediaTypeHeaderValue.TryParse(file.ContentType, out var type) ? type : new MediaTypeHeaderValue("application/octet-stream");
        return part;
    }

    private static string Quote(string s) => "\"" + s.Replace("\\", "\\\\").Replace("\"", "\\\"").Replace("\r", "").Replace("\n", "") + "\"";

    public void Dispose() => spool.Dispose();
}
