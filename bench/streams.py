#!/usr/bin/env python3
"""Many long streams at once: a slow SSE upstream and N concurrent clients through the gateway, sampling its RSS.

  python3 bench/streams.py serve --port 18083 --seconds 60           # the upstream: one chunk a second per stream
  python3 bench/streams.py load --url http://127.0.0.1:18080 --key sk-... --model bench-slow \\
      --streams 1000 --pid <gateway pid>                               # prints RSS samples and a summary line

Standard library only (asyncio, raw HTTP/1.1), so it runs wherever Debian's python3 does.
"""
import argparse
import asyncio
import json
import sys
import time

CHUNK = ('data: {"id":"c","object":"chat.completion.chunk","created":1735689600,"model":"bench-slow",'
         '"choices":[{"index":0,"delta":{"content":"tick "},"finish_reason":null}]}\n\n')
USAGE = ('data: {"id":"c","object":"chat.completion.chunk","created":1735689600,"model":"bench-slow","choices":[],'
         '"usage":{"prompt_tokens":12,"completion_tokens":%d,"total_tokens":%d}}\n\ndata: [DONE]\n\n')


def chunked(text):
    data = text.encode()
    return b"%x\r\n%s\r\n" % (len(data), data)


async def upstream(reader, writer, seconds):
    try:
        while True:
            head = await reader.readuntil(b"\r\n\r\n")
            length = 0
            for line in head.split(b"\r\n"):
                if line.lower().startswith(b"content-length:"):
                    length = int(line.split(b":", 1)[1])
            if length:
                await reader.readexactly(length)
            writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n")
            for _ in range(seconds):
                writer.write(chunked(CHUNK))
                await writer.drain()
                await asyncio.sleep(1)
            writer.write(chunked(USAGE % (seconds, seconds + 12)) + b"0\r\n\r\n")
            await writer.drain()
    except (asyncio.IncompleteReadError, ConnectionError):
        pass
    finally:
        writer.close()


async def serve(args):
    server = await asyncio.start_server(lambda r, w: upstream(r, w, args.seconds), "127.0.0.1", args.port, backlog=4096)
    async with server:
        await server.serve_forever()


def rss_mb(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


async def one_stream(host, port, key, model, stats):
    body = json.dumps({"model": model, "stream": True, "messages": [{"role": "user", "content": "stream for a minute"}]})
    try:
        reader, writer = await asyncio.open_connection(host, port)
        writer.write((f"POST /v1/chat/completions HTTP/1.1\r\nHost: {host}\r\nAuthorization: Bearer {key}\r\n"
                      f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n{body}").encode())
        await writer.drain()
        status = await reader.readline()
        if b" 200 " not in status:
            stats["failed"] += 1
            return
        stats["open"] += 1
        while True:
            line = await reader.readline()
            if not line:
                break
            if line.startswith(b"data: [DONE]"):
                stats["done"] += 1
                break
        stats["open"] -= 1
        writer.close()
    except (ConnectionError, OSError):
        stats["failed"] += 1


async def load(args):
    host, port = args.url.split("://", 1)[1].split(":")
    stats = {"open": 0, "done": 0, "failed": 0}
    tasks = [asyncio.create_task(one_stream(host, int(port), args.key, args.model, stats)) for _ in range(args.streams)]
    samples = []
    start = time.monotonic()
    while not all(t.done() for t in tasks):
        await asyncio.sleep(1)
        rss = rss_mb(args.pid)
        samples.append(rss)
        print(f"t={time.monotonic() - start:5.1f}s open={stats['open']:5d} done={stats['done']:5d} failed={stats['failed']:4d} rss={rss:6.1f} MB",
              file=sys.stderr)
    await asyncio.gather(*tasks)
    steady = samples[len(samples) // 4: -2] or samples
    print(f"{args.streams} streams: done {stats['done']}, failed {stats['failed']}; RSS during min {min(steady):.1f} MB, "
          f"max {max(steady):.1f} MB, first {steady[0]:.1f} MB, last {steady[-1]:.1f} MB; after {rss_mb(args.pid):.1f} MB")


def main():
    p = argparse.ArgumentParser()
    sub = p.add_subparsers(dest="cmd", required=True)
    s = sub.add_parser("serve")
    s.add_argument("--port", type=int, default=18083)
    s.add_argument("--seconds", type=int, default=60)
    l = sub.add_parser("load")
    l.add_argument("--url", required=True)
    l.add_argument("--key", required=True)
    l.add_argument("--model", default="bench-slow")
    l.add_argument("--streams", type=int, default=1000)
    l.add_argument("--pid", type=int, required=True)
    args = p.parse_args()
    asyncio.run(serve(args) if args.cmd == "serve" else load(args))


if __name__ == "__main__":
    main()
