// A fake OpenAI-compatible provider on 127.0.0.1:0. The gateway's channel points at it.
//
// Behaviour is driven by markers in the request text (every message's text, joined):
//   FAIL_429            → 429 with an OpenAI error body
//   FAIL_400            → 400 with an OpenAI error body
//   USAGE:<p>:<c>       → report <p> prompt and <c> completion tokens (default 12 / 5)
//   TWO_TOOLS           → (with tools) two parallel tool calls instead of one
//   TEXT_AND_TOOL       → (with tools) some text before the tool call
// A request with `response_format` json_schema or json_object (and no tool turn) answers with OBJECT_REPLY as JSON text.
// POST /v1/responses answers the same way in the Responses API shapes.
// A request with `tools` and no tool result in its last message answers with tool calls; a request whose last
// message is a tool result answers with text that quotes the result. Every request is recorded.
import { createServer } from 'node:http';

export const UPSTREAM_KEY = 'sk-fake-upstream-key-0123456789';

/** The text the fake upstream answers with, split into the pieces it streams (multi-byte characters on purpose). */
export const REPLY_PIECES = ['Hello', ' from the', ' fake upstream', ': héllo — 世界 👋', '.'];
export const REPLY_TEXT = REPLY_PIECES.join('');

export const TOOL_CALL = { id: 'call_fake_0001', arguments: '{"city":"Paris","unit":"celsius"}' };
export const SECOND_TOOL_CALL = { id: 'call_fake_0002', arguments: '{"city":"Tokyo"}' };
export const TOOL_PREAMBLE = 'Let me check the weather.';
/** Splits tool arguments into the fragments they are streamed in (cuts fall inside keys and strings). */
const fragments = (args) => [args.slice(0, 9), args.slice(9, 17), args.slice(17, 27), args.slice(27)].filter((f) => f.length > 0);

/** The object a structured-output request (response_format json_schema / json_object) is answered with. */
export const OBJECT_REPLY = { city: 'Paris', temperature: 21, conditions: ['sunny', 'windy'] };
const OBJECT_TEXT = JSON.stringify(OBJECT_REPLY);
const OBJECT_PIECES = [OBJECT_TEXT.slice(0, 7), OBJECT_TEXT.slice(7, 30), OBJECT_TEXT.slice(30)];

export const DEFAULT_USAGE = { prompt: 12, completion: 5 };
export const EMBEDDING_DIM = 8;

const rateLimited = {
  error: { message: 'Rate limit reached for fake-model: please retry later.', type: 'requests', param: null, code: 'rate_limit_exceeded' },
};
const badRequest = {
  error: { message: "Invalid value for 'messages': rejected by the fake upstream.", type: 'invalid_request_error', param: 'messages', code: 'invalid_value' },
};

/** Text of one OpenAI message content (string or array of parts). */
function contentText(content) {
  if (typeof content === 'string') return content;
  if (Array.isArray(content)) return content.map((p) => (typeof p === 'string' ? p : p?.text ?? '')).join('');
  return '';
}

function requestText(body) {
  if (Array.isArray(body.messages)) return body.messages.map((m) => contentText(m.content)).join('\n');
  if (body.input !== undefined) return [].concat(body.input).map((i) => (typeof i === 'string' ? i : JSON.stringify(i))).join('\n');
  return '';
}

function usageFor(text) {
  const m = /USAGE:(\d+):(\d+)/.exec(text);
  const prompt = m ? Number(m[1]) : DEFAULT_USAGE.prompt;
  const completion = m ? Number(m[2]) : DEFAULT_USAGE.completion;
  return { prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion };
}

/** A deterministic vector for a text, so tests can check which input produced which embedding. */
export function fakeEmbedding(text, index) {
  const v = [];
  for (let i = 0; i < EMBEDDING_DIM; i++) v.push(Number((((text.length + 1) * (i + 1) + index) / 100).toFixed(2)));
  return v;
}

function send(res, status, body) {
  const data = Buffer.from(JSON.stringify(body));
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': data.length });
  res.end(data);
}

/**
 * Options:
 *   reply(body, record) → { content?, toolCalls?: [{ id, name, arguments }], usage? } | null
 *     Scripts the answer to a /v1/chat/completions request (marker handling above is skipped); null or undefined
 *     falls back to the default behaviour. Used by the coding-agent CLI tests, whose tool names and arguments
 *     depend on the agent.
 */
export async function startFakeUpstream(options = {}) {
  const requests = [];
  let seq = 0;

  const server = createServer(async (req, res) => {
    const chunks = [];
    for await (const c of req) chunks.push(c);
    const raw = Buffer.concat(chunks).toString('utf8');
    let body = null;
    try { body = raw ? JSON.parse(raw) : null; } catch { /* recorded as raw */ }
    const record = { method: req.method, path: req.url, headers: req.headers, body, raw };
    requests.push(record);

    if (req.headers.authorization !== `Bearer ${UPSTREAM_KEY}`) {
      return send(res, 401, { error: { message: 'Incorrect API key provided.', type: 'invalid_request_error', param: null, code: 'invalid_api_key' } });
    }
    if (req.method === 'POST' && req.url === '/v1/chat/completions' && body && options.reply) {
      const scripted = await options.reply(body, record);
      if (scripted) return scriptedChat(body, scripted, res);
    }
    if (req.method === 'POST' && req.url === '/v1/chat/completions' && body) return chat(body, res);
    if (req.method === 'POST' && req.url === '/v1/embeddings' && body) return embeddings(body, res);
    if (req.method === 'POST' && req.url === '/v1/responses' && body) return responses(body, res);
    return send(res, 404, { error: { message: `Unknown request URL: ${req.method} ${req.url}`, type: 'invalid_request_error', param: null, code: 'unknown_url' } });
  });

  async function chat(body, res) {
    const text = requestText(body);
    if (text.includes('FAIL_429')) return send(res, 429, rateLimited);
    if (text.includes('FAIL_400')) return send(res, 400, badRequest);
    const usage = usageFor(text);
    const id = `chatcmpl-fake-${++seq}`;
    const created = Math.floor(Date.now() / 1000);
    const model = body.model;
    const last = body.messages?.at(-1);
    const toolTurn = Array.isArray(body.tools) && body.tools.length > 0 && last?.role !== 'tool';
    const toolName = toolTurn ? body.tools[0].function?.name : null;
    const calls = !toolTurn ? [] : text.includes('TWO_TOOLS') ? [TOOL_CALL, SECOND_TOOL_CALL] : [TOOL_CALL];
    const preamble = toolTurn && text.includes('TEXT_AND_TOOL') ? TOOL_PREAMBLE : null;
    const structured = ['json_schema', 'json_object'].includes(body.response_format?.type);
    const answer = last?.role === 'tool' ? `Tool said: ${contentText(last.content)}` : structured ? OBJECT_TEXT : REPLY_TEXT;
    const pieces = last?.role === 'tool' ? [answer] : structured ? OBJECT_PIECES : REPLY_PIECES;

    if (!body.stream) {
      const message = toolTurn
        ? { role: 'assistant', content: preamble, tool_calls: calls.map((c) => ({ id: c.id, type: 'function', function: { name: toolName, arguments: c.arguments } })) }
        : { role: 'assistant', content: answer, refusal: null };
      return send(res, 200, {
        id, object: 'chat.completion', created, model, system_fingerprint: 'fp_fake',
        choices: [{ index: 0, message, logprobs: null, finish_reason: toolTurn ? 'tool_calls' : 'stop' }],
        usage,
      });
    }

    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
    const chunk = (delta, finish = null) => ({
      id, object: 'chat.completion.chunk', created, model, system_fingerprint: 'fp_fake',
      choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }],
    });
    const events = [];
    if (toolTurn) {
      events.push(chunk({ role: 'assistant', content: preamble === null ? null : '' }));
      if (preamble !== null) for (const p of preamble.split(/(?<= )/)) events.push(chunk({ content: p }));
      calls.forEach((c, index) => {
        events.push(chunk({ tool_calls: [{ index, id: c.id, type: 'function', function: { name: toolName, arguments: '' } }] }));
        for (const p of fragments(c.arguments)) events.push(chunk({ tool_calls: [{ index, function: { arguments: p } }] }));
      });
      events.push(chunk({}, 'tool_calls'));
    } else {
      events.push(chunk({ role: 'assistant', content: '' }));
      for (const p of pieces) events.push(chunk({ content: p }));
      events.push(chunk({}, 'stop'));
    }
    if (body.stream_options?.include_usage) {
      events.push({ id, object: 'chat.completion.chunk', created, model, system_fingerprint: 'fp_fake', choices: [], usage });
    }
    // Each event is written in two flushed parts, so the gateway's SSE reader sees lines split across reads; the cut
    // falls inside the first multi-byte UTF-8 character when there is one, else at the middle.
    const write = (bytes) => new Promise((ok) => res.write(bytes, ok));
    for (const e of events) {
      const line = Buffer.from(`data: ${JSON.stringify(e)}\n\n`);
      const wide = line.findIndex((b) => b >= 0x80);
      const cut = wide >= 0 ? wide + 1 : line.length >> 1;
      await write(line.subarray(0, cut));
      await write(line.subarray(cut));
    }
    res.end('data: [DONE]\n\n');
  }

  /** Answers a chat request with a scripted reply, as one JSON body or as a chat.completion.chunk stream. */
  async function scriptedChat(body, scripted, res) {
    const id = `chatcmpl-fake-${++seq}`;
    const created = Math.floor(Date.now() / 1000);
    const model = body.model;
    const calls = scripted.toolCalls ?? [];
    const content = scripted.content ?? null;
    const u = scripted.usage ?? DEFAULT_USAGE;
    const usage = { prompt_tokens: u.prompt, completion_tokens: u.completion, total_tokens: u.prompt + u.completion };
    const finish = calls.length > 0 ? 'tool_calls' : 'stop';
    const toolCalls = calls.map((c) => ({ id: c.id, type: 'function', function: { name: c.name, arguments: c.arguments } }));

    if (!body.stream) {
      const message = { role: 'assistant', content, ...(toolCalls.length > 0 ? { tool_calls: toolCalls } : { refusal: null }) };
      return send(res, 200, {
        id, object: 'chat.completion', created, model, system_fingerprint: 'fp_fake',
        choices: [{ index: 0, message, logprobs: null, finish_reason: finish }],
        usage,
      });
    }

    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
    const chunk = (delta, finishReason = null) => ({
      id, object: 'chat.completion.chunk', created, model, system_fingerprint: 'fp_fake',
      choices: [{ index: 0, delta, logprobs: null, finish_reason: finishReason }],
    });
    const events = [chunk({ role: 'assistant', content: '' })];
    if (content) events.push(chunk({ content }));
    calls.forEach((c, index) => {
      events.push(chunk({ tool_calls: [{ index, id: c.id, type: 'function', function: { name: c.name, arguments: '' } }] }));
      for (const p of fragments(c.arguments)) events.push(chunk({ tool_calls: [{ index, function: { arguments: p } }] }));
    });
    events.push(chunk({}, finish));
    if (body.stream_options?.include_usage) {
      events.push({ id, object: 'chat.completion.chunk', created, model, system_fingerprint: 'fp_fake', choices: [], usage });
    }
    for (const e of events) await new Promise((ok) => res.write(`data: ${JSON.stringify(e)}\n\n`, ok));
    res.end('data: [DONE]\n\n');
  }

  /**
   * A minimal OpenAI Responses API: the same answers as chat (text, OBJECT_REPLY for a json_schema / json_object
   * text.format, function calls when `tools` are given and the last input item is not a function_call_output, the
   * quoted output otherwise), as one response object or as the typed event stream. `item_reference` input items are
   * accepted as opaque, as a storing provider would resolve them.
   */
  async function responses(body, res) {
    const text = requestText(body);
    if (text.includes('FAIL_429')) return send(res, 429, rateLimited);
    if (text.includes('FAIL_400')) return send(res, 400, badRequest);
    const n = ++seq;
    const u = usageFor(text);
    const usage = {
      input_tokens: u.prompt_tokens, input_tokens_details: { cached_tokens: 0 },
      output_tokens: u.completion_tokens, output_tokens_details: { reasoning_tokens: 0 }, total_tokens: u.total_tokens,
    };
    const items = [].concat(body.input ?? []);
    const last = items.at(-1);
    const toolResult = last?.type === 'function_call_output' ? last : null;
    const toolTurn = Array.isArray(body.tools) && body.tools.length > 0 && !toolResult;
    const structured = ['json_schema', 'json_object'].includes(body.text?.format?.type);
    const calls = !toolTurn ? [] : text.includes('TWO_TOOLS') ? [TOOL_CALL, SECOND_TOOL_CALL] : [TOOL_CALL];
    const toolName = toolTurn ? body.tools[0].name : null;
    let pieces = null;
    if (toolResult) pieces = [`Tool said: ${typeof toolResult.output === 'string' ? toolResult.output : JSON.stringify(toolResult.output)}`];
    else if (!toolTurn) pieces = structured ? OBJECT_PIECES : REPLY_PIECES;
    else if (text.includes('TEXT_AND_TOOL')) pieces = TOOL_PREAMBLE.split(/(?<= )/);

    const output = [];
    if (pieces) {
      output.push({
        id: `msg_fake_${n}`, type: 'message', status: 'completed', role: 'assistant',
        content: [{ type: 'output_text', text: pieces.join(''), annotations: [] }],
      });
    }
    calls.forEach((c, i) => output.push({
      id: `fc_fake_${n}_${i}`, type: 'function_call', status: 'completed', call_id: c.id, name: toolName, arguments: c.arguments,
    }));
    const response = (status, out, use) => ({
      id: `resp_fake_${n}`, object: 'response', created_at: Math.floor(Date.now() / 1000), status, error: null,
      incomplete_details: null, model: body.model, output: out, parallel_tool_calls: true, tool_choice: body.tool_choice ?? 'auto',
      tools: body.tools ?? [], text: body.text ?? { format: { type: 'text' } }, usage: use,
    });
    if (!body.stream) return send(res, 200, response('completed', output, usage));

    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
    const events = [];
    const ev = (type, fields) => events.push({ type, ...fields });
    ev('response.created', { response: response('in_progress', [], null) });
    ev('response.in_progress', { response: response('in_progress', [], null) });
    output.forEach((item, index) => {
      if (item.type === 'message') {
        const part = (t) => ({ type: 'output_text', text: t, annotations: [] });
        ev('response.output_item.added', { output_index: index, item: { ...item, status: 'in_progress', content: [] } });
        ev('response.content_part.added', { item_id: item.id, output_index: index, content_index: 0, part: part('') });
        for (const p of pieces) ev('response.output_text.delta', { item_id: item.id, output_index: index, content_index: 0, delta: p });
        ev('response.output_text.done', { item_id: item.id, output_index: index, content_index: 0, text: pieces.join('') });
        ev('response.content_part.done', { item_id: item.id, output_index: index, content_index: 0, part: part(pieces.join('')) });
      } else {
        ev('response.output_item.added', { output_index: index, item: { ...item, status: 'in_progress', arguments: '' } });
        for (const p of fragments(item.arguments)) ev('response.function_call_arguments.delta', { item_id: item.id, output_index: index, delta: p });
        ev('response.function_call_arguments.done', { item_id: item.id, output_index: index, arguments: item.arguments });
      }
      ev('response.output_item.done', { output_index: index, item });
    });
    ev('response.completed', { response: response('completed', output, usage) });
    const write = (bytes) => new Promise((ok) => res.write(bytes, ok));
    for (const [i, e] of events.entries()) await write(`event: ${e.type}\ndata: ${JSON.stringify({ ...e, sequence_number: i })}\n\n`);
    res.end();
  }

  function embeddings(body, res) {
    const inputs = [].concat(body.input);
    const text = inputs.map((i) => (typeof i === 'string' ? i : JSON.stringify(i))).join('\n');
    if (text.includes('FAIL_429')) return send(res, 429, rateLimited);
    const base64 = body.encoding_format === 'base64';
    const data = inputs.map((input, index) => {
      const vector = fakeEmbedding(String(input), index);
      const embedding = base64 ? Buffer.from(new Float32Array(vector).buffer).toString('base64') : vector;
      return { object: 'embedding', index, embedding };
    });
    const prompt = inputs.length * 4;
    send(res, 200, { object: 'list', data, model: body.model, usage: { prompt_tokens: prompt, total_tokens: prompt } });
  }

  await new Promise((ok) => server.listen(0, '127.0.0.1', ok));
  const { port } = server.address();
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    /** The recorded requests whose text contains the marker. */
    find(marker) {
      return requests.filter((r) => r.raw.includes(marker));
    },
    close: () => new Promise((ok) => { server.closeAllConnections(); server.close(ok); }),
  };
}
