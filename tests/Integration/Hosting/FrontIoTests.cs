using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using NewApi.Tests.Integration.Relay;
using NewApi.Tests.Support;

namespace NewApi.Tests.Integration.Hosting;

/// <summary>
/// The front loops (server.front_io) on the wire: what they serve themselves (pipelined, split and closing requests,
/// large answers to slow readers), what they hand to Kestrel mid-connection, and their upstream connections (chunked
/// and close-delimited answers, a pooled connection the upstream dropped).
/// </summary>
public sealed class FrontIoTests(FrontIoTests.Fixture fx) : IClassFixture<FrontIoTests.Fixture>
{
    public sealed class Fixture : RelayFixture
    {
        public RawUpstream Raw { get; } = new();
        public string Key { get; private set; } = "";
        public long UserId { get; private set; }

        public override async ValueTask InitializeAsync()
        {
            await base.InitializeAsync();
            await SetOptionAsync("ModelRatio", """{"front-model":1,"raw-model":1}""");
            await CreateChannelAsync("front-model");
            await CreateChannelAsync("raw-model", edit: r => r with { BaseUrl = Raw.Url });
            UserId = await CreateUserAsync(Unique("front"), 10_000_000);
            (_, Key) = await CreateTokenAsync(UserId);
            // The process's first request that needs a tokenizer vocabulary loads it on the pool (and so goes upstream
            // through the stock handler): done here, so that where each test's requests run does not depend on test order.
            using var http = Client(Key);
            using var warm = await http.PostAsync("/v1/chat/completions", new StringContent(Chat(), Encoding.UTF8, "application/json"));
            Assert.Equal(HttpStatusCode.OK, warm.StatusCode);
        }

        public override async ValueTask DisposeAsync()
        {
            await Raw.DisposeAsync();
            await base.DisposeAsync();
        }
    }

    private static string Chat(string model = "front-model") => $$"""{"model":"{{model}}","messages":[{"role":"user","content":"hi"}]}""";

    private string Post(string body, string extra = "") =>
        $"POST /v1/chat/completions HTTP/1.1\r\nHost: gw\r\nAuthorization: Bearer {fx.Key}\r\nContent-Type: application/json\r\n{extra}"
        + $"Content-Length: {Encoding.UTF8.GetByteCount(body)}\r\n\r\n{body}";

    private async Task<(TcpClient Client, NetworkStream Stream)> ConnectAsync(int receiveBuffer = 0)
    {
        var client = new TcpClient();
        if (receiveBuffer > 0) client.ReceiveBufferSize = receiveBuffer;
        await client.ConnectAsync(fx.BaseAddress.Host, fx.BaseAddress.Port);
        return (client, client.GetStream());
    }

    [Fact]
    public async Task PipelinedRequests_InOneWrite_AreAnsweredInOrder()
    {
        var (client, stream) = await ConnectAsync();
        using var _ = client;
        var bad = """{"model":"front-model","messages":"not a list"}""";
        await stream.WriteAsync(Encoding.UTF8.GetBytes(Post(Chat()) + Post(bad) + Post(Chat())));
        var reader = new HttpReader(stream);
        var first = await reader.ReadAsync();
        var second = await reader.ReadAsync();
        var third = await reader.ReadAsync();
        Assert.Equal(200, first.Status);
        Assert.Contains("Hello from the fake upstream", first.Body);
        Assert.Equal(400, second.Status);
        Assert.Contains("\"error\"", second.Body);
        Assert.Equal(200, third.Status);
    }

    [Fact]
    public async Task OneConnection_RepeatingAndChangingMethodAndPath_ReachesTheRightEndpointEachTime()
    {
        // A repeated method and path reuse the previous request's endpoint without routing: a change of either must not.
        var (client, stream) = await ConnectAsync();
        using var _ = client;
        var reader = new HttpReader(stream);
        var get = $"GET /v1/chat/completions HTTP/1.1\r\nHost: gw\r\nAuthorization: Bearer {fx.Key}\r\n\r\n";
        var models = $"GET /v1/models HTTP/1.1\r\nHost: gw\r\nAuthorization: Bearer {fx.Key}\r\n\r\n";
        var steps = new (string Request, int Status, string Marker)[]
        {
            (Post(Chat()), 200, "Hello from the fake upstream"),
            (Post(Chat()), 200, "Hello from the fake upstream"),
            (get, 404, "Invalid URL (GET /v1/chat/completions)"),
            (get, 404, "Invalid URL (GET /v1/chat/completions)"),
            (models, 200, "\"object\":\"list\""),
            (models, 200, "\"object\":\"list\""),
            (Post(Chat()), 200, "Hello from the fake upstream"),
        };
        foreach (var (request, status, marker) in steps)
        {
            await stream.WriteAsync(Encoding.UTF8.GetBytes(request));
            var answer = await reader.ReadAsync();
            Assert.Equal(status, answer.Status);
            Assert.Contains(marker, answer.Body);
        }
    }

    [Fact]
    public async Task ManyPipelinedErrors_DoNotGrowTheStack()
    {
        var (client, stream) = await ConnectAsync();
        using var _ = client;
        var bad = """{"model":"front-model","messages":"not a list"}""";
        var batch = string.Concat(Enumerable.Repeat(Post(bad), 2000));
        var write = stream.WriteAsync(Encoding.UTF8.GetBytes(batch)).AsTask();
        var reader = new HttpReader(stream);
        for (var i = 0; i < 2000; i++) Assert.Equal(400, (await reader.ReadAsync()).Status);
        await write;
    }

    [Fact]
    public async Task RequestSplitAcrossWrites_IsServed()
    {
        var (client, stream) = await ConnectAsync();
        using var _ = client;
        client.NoDelay = true;
        var bytes = Encoding.UTF8.GetBytes(Post(Chat()));
        foreach (var cut in new[] { 5, 40, bytes.Length - 10 })
        {
            var from = cut == 5 ? 0 : cut == 40 ? 5 : 40;
            await stream.WriteAsync(bytes.AsMemory(from, cut - from));
            await stream.FlushAsync();
            await Task.Delay(30);   // separate segments: the loop sees an incomplete head, then an incomplete body
        }
        await stream.WriteAsync(bytes.AsMemory(bytes.Length - 10));
        var answer = await new HttpReader(stream).ReadAsync();
        Assert.Equal(200, answer.Status);
    }

    [Fact]
    public async Task RelayThenManagement_OnOneConnection_IsHandedToKestrel()
    {
        var (client, stream) = await ConnectAsync();
        using var _ = client;
        var reader = new HttpReader(stream);
        await stream.WriteAsync(Encoding.UTF8.GetBytes(Post(Chat())));
        Assert.Equal(200, (await reader.ReadAsync()).Status);
        // The management request and a relay call behind it in the same write: both reach Kestrel, in order.
        await stream.WriteAsync(Encoding.UTF8.GetBytes("GET /api/status HTTP/1.1\r\nHost: gw\r\n\r\n" + Post(Chat())));
        var status = await reader.ReadAsync();
        Assert.Equal(200, status.Status);
        using (var doc = JsonDocument.Parse(status.Body)) Assert.True(doc.RootElement.GetProperty("success").GetBoolean());
        var relayed = await reader.ReadAsync();
        Assert.Equal(200, relayed.Status);
        Assert.Contains("Hello from the fake upstream", relayed.Body);
    }

    [Theory]
    [InlineData("Transfer-Encoding: chunked\r\n")]
    [InlineData("Expect: 100-continue\r\n")]
    [InlineData("Origin: http://example.com\r\n")]
    [InlineData("X-Note: caf\u00e9\r\n")]
    public async Task RequestsTheLoopDoesNotServe_AreStillAnswered(string header)
    {
        var (client, stream) = await ConnectAsync();
        using var _ = client;
        var body = Chat();
        string request;
        if (header.StartsWith("Transfer-Encoding"))
            request = $"POST /v1/chat/completions HTTP/1.1\r\nHost: gw\r\nAuthorization: Bearer {fx.Key}\r\nContent-Type: application/json\r\n{header}\r\n"
                      + $"{Encoding.UTF8.GetByteCount(body):x}\r\n{body}\r\n0\r\n\r\n";
        else request = Post(body, header);
        var reader = new HttpReader(stream);
        await stream.WriteAsync(Encoding.Latin1.GetBytes(request));
        var answer = await reader.ReadAsync();
        if (answer.Status == 100) answer = await reader.ReadAsync();
        Assert.True(answer.Status is 200 or 400, $"status {answer.Status}");
        if (!header.StartsWith("X-Note")) Assert.Equal(200, answer.Status);
        if (header.StartsWith("Origin")) Assert.Equal("*", answer.Headers["access-control-allow-origin"]);
    }

    [Fact]
    public async Task ConnectionClose_IsAnsweredAndClosed()
    {
        var (client, stream) = await ConnectAsync();
        using var _ = client;
        await stream.WriteAsync(Encoding.UTF8.GetBytes(Post(Chat(), "Connection: close\r\n")));
        var reader = new HttpReader(stream);
        var answer = await reader.ReadAsync();
        Assert.Equal(200, answer.Status);
        Assert.Equal("close", answer.Headers["connection"]);
        Assert.True(await reader.AtEndAsync(), "the server closes the connection");
    }

    [Fact]
    public async Task LargeAnswer_ToASlowReader_ArrivesWhole()
    {
        var text = new string('x', 3 * 1024 * 1024);
        var json = """{"id":"big","object":"chat.completion","choices":[{"index":0,"message":{"role":"assistant","content":"TEXT"},"finish_reason":"stop"}],"usage":{"prompt_tokens":3,"completion_tokens":2,"total_tokens":5}}""".Replace("TEXT", text);
        fx.Raw.Answer = () => RawUpstream.Ok(json);
        try
        {
            var (client, stream) = await ConnectAsync(receiveBuffer: 4096);
            using var _ = client;
            await stream.WriteAsync(Encoding.UTF8.GetBytes(Post(Chat("raw-model"))));
            await Task.Delay(300);   // let the gateway fill the socket buffers and wait for room
            var answer = await new HttpReader(stream).ReadAsync();
            Assert.Equal(200, answer.Status);
            Assert.Equal(json.Length, answer.Body.Length);
            Assert.Contains(text, answer.Body);
        }
        finally
        {
            fx.Raw.Answer = () => RawUpstream.Ok("""{"id":"raw","object":"chat.completion","choices":[],"usage":{"prompt_tokens":3,"completion_tokens":2,"total_tokens":5}}""");
        }
    }

    [Fact]
    public async Task UpstreamAnswers_Chunked_AndEndedByClose_AreRelayed()
    {
        var json = """{"id":"framed","object":"chat.completion","choices":[{"index":0,"message":{"role":"assistant","content":"framed answer"},"finish_reason":"stop"}],"usage":{"prompt_tokens":3,"completion_tokens":2,"total_tokens":5}}""";
        using var http = fx.Client(fx.Key);
        try
        {
            fx.Raw.Answer = () => RawUpstream.Chunked(json, 7);
            for (var i = 0; i < 3; i++)
            {
                var resp = await http.PostAsync("/v1/chat/completions", RelayFixture.Json(Chat("raw-model")));
                Assert.Equal(HttpStatusCode.OK, resp.StatusCode);
                var text = await resp.Content.ReadAsStringAsync();
                Assert.True(text.Contains("framed answer"), text);
            }
            // The same framing named in other letter cases and among other tokens.
            fx.Raw.Answer = () => Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(RawUpstream.Chunked(json, 5))
                .Replace("Transfer-Encoding: chunked", "transfer-encoding: identity, Chunked"));
            for (var i = 0; i < 2; i++)
            {
                var resp = await http.PostAsync("/v1/chat/completions", RelayFixture.Json(Chat("raw-model")));
                var text = await resp.Content.ReadAsStringAsync();
                Assert.True(resp.StatusCode == HttpStatusCode.OK && text.Contains("framed answer"), text);
            }
            fx.Raw.Answer = () => Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(RawUpstream.UntilClose(json)).Replace("Connection: close", "connection: Keep-Alive, CLOSE"));
            fx.Raw.CloseAfterAnswer = true;
            for (var i = 0; i < 2; i++)
            {
                var resp = await http.PostAsync("/v1/chat/completions", RelayFixture.Json(Chat("raw-model")));
                var text = await resp.Content.ReadAsStringAsync();
                Assert.True(resp.StatusCode == HttpStatusCode.OK && text.Contains("framed answer"), text);
            }
            fx.Raw.Answer = () => RawUpstream.UntilClose(json);
            for (var i = 0; i < 3; i++)
            {
                var resp = await http.PostAsync("/v1/chat/completions", RelayFixture.Json(Chat("raw-model")));
                Assert.Equal(HttpStatusCode.OK, resp.StatusCode);
                var text = await resp.Content.ReadAsStringAsync();
                Assert.True(text.Contains("framed answer"), text);
            }
        }
        finally
        {
            fx.Raw.CloseAfterAnswer = false;
            fx.Raw.Answer = () => RawUpstream.Ok("""{"id":"raw","object":"chat.completion","choices":[],"usage":{"prompt_tokens":3,"completion_tokens":2,"total_tokens":5}}""");
        }
    }

    [Fact]
    public async Task PooledUpstreamConnection_DroppedByTheUpstream_IsRetriedOnceOnANewOne()
    {
        await using var raw = new RawUpstream { DropSecondRequest = true };
        var model = fx.Unique("drop-model");
        await fx.SetOptionAsync("ModelRatio", $$"""{"front-model":1,"raw-model":1,"{{model}}":1}""");
        await fx.CreateChannelAsync(model, edit: r => r with { BaseUrl = raw.Url });
        // One connection to the gateway: its requests stay on one loop thread, and so on one pool of upstream connections.
        var (client, stream) = await ConnectAsync();
        using var _ = client;
        var reader = new HttpReader(stream);
        for (var i = 0; i < 3; i++)
        {
            await stream.WriteAsync(Encoding.UTF8.GetBytes(Post(Chat(model))));
            var answer = await reader.ReadAsync();
            Assert.True(answer.Status == 200, $"call {i}: {answer.Status} {answer.Body}");
        }
        // Each kept-alive connection is dropped at its second request, which then goes out once more on a new one:
        // 3 answers, 2 dropped requests, 3 connections; never a request answered twice.
        Assert.Equal(5, raw.Requests);
        Assert.Equal(3, raw.Connections);
    }

    [Fact]
    public async Task ARequestCompletedOffTheLoop_HandsItsConnectionBackToTheLoop()
    {
        // A channel behind a proxy goes upstream through the stock handler: that request completes on a pool thread.
        await using var proxy = new RawUpstream();
        await using var raw = new RawUpstream { DropSecondRequest = true };
        var proxied = fx.Unique("proxied-model");
        var model = fx.Unique("back-model");
        await fx.SetOptionAsync("ModelRatio", $$"""{"front-model":1,"raw-model":1,"{{model}}":1,"{{proxied}}":1}""");
        await fx.CreateChannelAsync(proxied, edit: r => r with { BaseUrl = "http://upstream.invalid", Setting = $$"""{"proxy":"{{proxy.Url}}"}""" });
        await fx.CreateChannelAsync(model, edit: r => r with { BaseUrl = raw.Url });
        var (client, stream) = await ConnectAsync();
        using var _ = client;
        var reader = new HttpReader(stream);
        // Pipelined: the next requests are already read when the first completes, on a pool thread. They run on the
        // connection's loop again, and so on the loop's upstream connections, which retry a dropped keep-alive
        // connection (the stock handler does not retry a POST: the second of them would fail there).
        await stream.WriteAsync(Encoding.UTF8.GetBytes(Post(Chat(proxied)) + Post(Chat(model)) + Post(Chat(model)) + Post(Chat(model))));
        for (var i = 0; i < 4; i++)
        {
            var answer = await reader.ReadAsync();
            Assert.True(answer.Status == 200, $"call {i}: {answer.Status} {answer.Body}");
        }
        Assert.Equal(1, proxy.Requests);
        Assert.Equal(5, raw.Requests);
        Assert.Equal(3, raw.Connections);
    }

    [Fact]
    public async Task AClientThatStopsReading_IsCutOffAtTheMinimumDataRate()
    {
        // Kestrel's MinResponseDataRate on the loops: a write that waits for the client longer than the 5-s grace at less
        // than 240 bytes/s aborts the request and closes the connection.
        var text = new string('x', 3 * 1024 * 1024);
        var json = """{"id":"big","object":"chat.completion","choices":[{"index":0,"message":{"role":"assistant","content":"TEXT"},"finish_reason":"stop"}],"usage":{"prompt_tokens":3,"completion_tokens":2,"total_tokens":5}}""".Replace("TEXT", text);
        await using var raw = new RawUpstream { Answer = () => RawUpstream.Ok(json) };
        var model = fx.Unique("stalled-model");
        await fx.SetOptionAsync("ModelRatio", $$"""{"front-model":1,"raw-model":1,"{{model}}":1}""");
        await fx.CreateChannelAsync(model, edit: r => r with { BaseUrl = raw.Url });
        var (client, stream) = await ConnectAsync(receiveBuffer: 4096);
        using var _ = client;
        await stream.WriteAsync(Encoding.UTF8.GetBytes(Post(Chat(model))));
        // Never read. The server's close shows as a failed send: the bytes sent here meet a closed socket and a reset.
        var started = DateTime.UtcNow;
        var cutOff = false;
        while (DateTime.UtcNow - started < TimeSpan.FromSeconds(30))
        {
            try
            {
                client.Client.Send("x"u8);
            }
            catch (SocketException)
            {
                cutOff = true;
                break;
            }
            await Task.Delay(100);   // polling the socket's state; the cut itself comes from the server's once-a-second sweep
        }
        Assert.True(cutOff, "the connection was still open after 30 s");
        var after = DateTime.UtcNow - started;
        Assert.True(after >= TimeSpan.FromSeconds(5), $"cut off after {after}, inside the grace period");
    }

    [Fact]
    public async Task UnreachableUpstream_IsAnOpenAiError()
    {
        var model = fx.Unique("gone-model");
        await fx.SetOptionAsync("ModelRatio", $$"""{"front-model":1,"raw-model":1,"{{model}}":1}""");
        var port = FreePort();
        await fx.CreateChannelAsync(model, edit: r => r with { BaseUrl = $"http://127.0.0.1:{port}" });
        var (client, stream) = await ConnectAsync();
        using var _ = client;
        await stream.WriteAsync(Encoding.UTF8.GetBytes(Post(Chat(model))));
        var answer = await new HttpReader(stream).ReadAsync();
        Assert.True(answer.Status >= 500, $"status {answer.Status}");
        using var doc = JsonDocument.Parse(answer.Body);
        Assert.Equal("do_request_failed", doc.RootElement.GetProperty("error").GetProperty("code").GetString());
        Assert.DoesNotContain(port.ToString(), answer.Body);
    }

    [Theory]
    [InlineData("Origin: http://example.com\r\n", "")]          // handed to Kestrel by a header
    [InlineData("", "?%7A=1")]                                     // by an escape in the target
    [InlineData("", "")]                                           // served by the loop
    public async Task Streams_AreRelayed_WhicheverServerAnswers(string header, string query)
    {
        var (client, stream) = await ConnectAsync();
        using var _ = client;
        var body = """{"model":"front-model","stream":true,"messages":[{"role":"user","content":"hi"}]}""";
        var request = $"POST /v1/chat/completions{query} HTTP/1.1\r\nHost: gw\r\nAuthorization: Bearer {fx.Key}\r\nContent-Type: application/json\r\n{header}"
                      + $"Content-Length: {Encoding.UTF8.GetByteCount(body)}\r\n\r\n{body}";
        await stream.WriteAsync(Encoding.UTF8.GetBytes(request));
        var answer = await new HttpReader(stream).ReadAsync();
        Assert.Equal(200, answer.Status);
        Assert.Contains("data: [DONE]", answer.Body);
        Assert.Contains(" fake", answer.Body);
    }

    /// <summary>Heads Kestrel answers with an empty 400/431/505 (or after its header timeout): on API paths, the same status with an error body in the path's dialect.</summary>
    [Theory]
    [InlineData("POST /v1/chat/completions HTTP/1.1\r\nHost: gw\r\nContent-Length: abc\r\n\r\n{}", 400, "openai")]
    [InlineData("POST /v1/messages HTTP/1.1\r\nHost: gw\r\nBad Header: y\r\n\r\n", 400, "claude")]
    [InlineData("POST /v1beta/models/m:generateContent HTTP/1.1\r\nContent-Length: 2\r\n\r\n{}", 400, "gemini")]
    [InlineData("POST /api/user/login HTTP/1.1\r\nHost: gw\r\nContent-Length: 1\r\nContent-Length: 1\r\n\r\n{", 400, "api")]
    [InlineData("POST /v1/chat/completions HTTP/2.0\r\nHost: gw\r\n\r\n", 400, "openai")]   // Kestrel: 505
    [InlineData("\u0016\u0003\u0001\u0000\u00a5\u0001\u0000", 400, "openai")]                        // not HTTP: at once, not after a timeout
    [InlineData("POST /v1/chat/completions HTTP/1.1\r\nHost: gw\r\nX-Big: HUGE\r\n\r\n", 431, "openai")]
    public async Task BrokenHeads_OnApiPaths_AreAnsweredInTheCallersFormat(string raw, int status, string dialect)
    {
        var (client, stream) = await ConnectAsync();
        using var _ = client;
        var bytes = Encoding.ASCII.GetBytes(raw.Replace("HUGE", new string('a', 90_000)));
        var write = stream.WriteAsync(bytes).AsTask();
        var reader = new HttpReader(stream);
        var answer = await reader.ReadAsync();
        Assert.Equal(status, answer.Status);
        Assert.Equal("close", answer.Headers["connection"]);
        using var doc = JsonDocument.Parse(answer.Body);
        var root = doc.RootElement;
        switch (dialect)
        {
            case "api":
                Assert.False(root.GetProperty("success").GetBoolean());
                break;
            case "claude":
                Assert.Equal("error", root.GetProperty("type").GetString());
                Assert.Equal("invalid_request_error", root.GetProperty("error").GetProperty("type").GetString());
                break;
            case "gemini":
                Assert.Equal(status, root.GetProperty("error").GetProperty("code").GetInt32());
                Assert.Equal("INVALID_ARGUMENT", root.GetProperty("error").GetProperty("status").GetString());
                break;
            default:
                Assert.Contains("(request id: " + answer.Headers["x-oneapi-request-id"] + ")", root.GetProperty("error").GetProperty("message").GetString());
                break;
        }
        Assert.True(await reader.AtEndAsync());
        try { await write; } catch (IOException) { }
    }

    [Fact]
    public async Task HalfClosingClients_GetTheirAnswers_ThenTheConnectionCloses()
    {
        // Tools that send, shut their side down and read until the end (nc -N, many fuzzers) used to get nothing when
        // the FIN reached the loop with the requests: it was taken for a disconnect before they were read. Sixteen
        // clients at once make that the usual case.
        var clients = new List<(TcpClient Client, NetworkStream Stream)>();
        try
        {
            for (var i = 0; i < 16; i++) clients.Add(await ConnectAsync());
            var bytes = Encoding.ASCII.GetBytes(Post("{{{{{") + Post("[]"));
            foreach (var (client, stream) in clients)
            {
                await stream.WriteAsync(bytes);
                client.Client.Shutdown(SocketShutdown.Send);
            }
            foreach (var (_, stream) in clients)
            {
                var reader = new HttpReader(stream);
                foreach (var expected in new[] { "not valid JSON", "a JSON object is required" })
                {
                    var answer = await reader.ReadAsync();
                    Assert.Equal(400, answer.Status);
                    using var doc = JsonDocument.Parse(answer.Body);
                    Assert.Contains(expected, doc.RootElement.GetProperty("error").GetProperty("message").GetString());
                }
                Assert.True(await reader.AtEndAsync());
            }
        }
        finally
        {
            foreach (var (client, _) in clients) client.Dispose();
        }
    }

    [Fact]
    public async Task ARequestCutShortByAHalfClose_IsRefusedInTheCallersFormat()
    {
        var (client, stream) = await ConnectAsync();
        using var _ = client;
        await stream.WriteAsync(Encoding.ASCII.GetBytes(Post("{}").Replace("Content-Length: 2", "Content-Length: 200")));
        client.Client.Shutdown(SocketShutdown.Send);
        var reader = new HttpReader(stream);
        var answer = await reader.ReadAsync();
        Assert.Equal(400, answer.Status);
        using var doc = JsonDocument.Parse(answer.Body);
        Assert.Contains("Incomplete request", doc.RootElement.GetProperty("error").GetProperty("message").GetString());
        Assert.True(await reader.AtEndAsync());
    }

    [Fact]
    public async Task BrokenHead_OffTheApi_IsStillKestrelsAnswer()
    {
        var (client, stream) = await ConnectAsync();
        using var _ = client;
        await stream.WriteAsync(Encoding.ASCII.GetBytes("GET /console HTTP/1.1\r\nBad Header: y\r\n\r\n"));
        var answer = await new HttpReader(stream).ReadAsync();
        Assert.Equal(400, answer.Status);
        Assert.Equal("", answer.Body);
    }

    private static int FreePort()
    {
        var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        var port = ((IPEndPoint)l.LocalEndpoint).Port;
        l.Stop();
        return port;
    }

    /// <summary>Reads HTTP/1.1 answers off a raw stream (Content-Length, chunked or close-delimited bodies).</summary>
    internal sealed class HttpReader(Stream stream)
    {
        private byte[] _buffer = new byte[64 * 1024];
        private int _start, _end;

        public sealed record Answer(int Status, Dictionary<string, string> Headers, string Body);

        public async Task<bool> AtEndAsync()
        {
            if (_end > _start) return false;
            return await stream.ReadAsync(_buffer.AsMemory(0, 1)) == 0;
        }

        private async Task<bool> FillAsync()
        {
            if (_start > 0)
            {
                Buffer.BlockCopy(_buffer, _start, _buffer, 0, _end - _start);
                _end -= _start;
                _start = 0;
            }
            if (_end == _buffer.Length) Array.Resize(ref _buffer, _buffer.Length * 2);
            var n = await stream.ReadAsync(_buffer.AsMemory(_end));
            _end += n;
            return n > 0;
        }

        private async Task<string> LineAsync()
        {
            int at;
            while ((at = _buffer.AsSpan(_start, _end - _start).IndexOf("\r\n"u8)) < 0)
                if (!await FillAsync()) throw new IOException("connection closed");
            var line = Encoding.Latin1.GetString(_buffer, _start, at);
            _start += at + 2;
            return line;
        }

        private async Task<byte[]> BytesAsync(int count)
        {
            while (_end - _start < count)
                if (!await FillAsync()) throw new IOException("connection closed");
            var bytes = _buffer.AsSpan(_start, count).ToArray();
            _start += count;
            return bytes;
        }

        public async Task<Answer> ReadAsync()
        {
            var status = int.Parse((await LineAsync()).Split(' ')[1]);
            var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            string line;
            while ((line = await LineAsync()).Length > 0)
            {
                var colon = line.IndexOf(':');
                headers[line[..colon].Trim().ToLowerInvariant()] = line[(colon + 1)..].Trim();
            }
            if (status is 100 or 204 or 304) return new Answer(status, headers, "");
            var body = new MemoryStream();
            if (headers.TryGetValue("content-length", out var length)) body.Write(await BytesAsync(int.Parse(length)));
            else if (headers.TryGetValue("transfer-encoding", out var te) && te.Contains("chunked"))
            {
                while (true)
                {
                    var size = Convert.ToInt32((await LineAsync()).Split(';')[0], 16);
                    if (size == 0)
                    {
                        while ((await LineAsync()).Length > 0) { }
                        break;
                    }
                    body.Write(await BytesAsync(size));
                    await LineAsync();
                }
            }
            else
            {
                while (await FillAsync()) { }
                body.Write(_buffer, _start, _end - _start);
                _start = _end;
            }
            return new Answer(status, headers, Encoding.UTF8.GetString(body.ToArray()));
        }
    }
}
