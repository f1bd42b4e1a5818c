// Official client SDKs (OpenAI, Anthropic, Google GenAI) against the published binary. The gateway has one
// OpenAI-type channel pointing at a fake upstream run by this file; Claude and Gemini requests are converted by the
// gateway to OpenAI chat/embeddings calls, and the fake upstream records what reached it.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import OpenAI from 'openai';
import Anthropic from '@anthropic-ai/sdk';
import { GoogleGenAI, ApiError } from '@google/genai';
import { Gateway, cli, poll } from './gateway.js';
import {
  startFakeUpstream, UPSTREAM_KEY, REPLY_TEXT, TOOL_CALL, SECOND_TOOL_CALL, TOOL_PREAMBLE, DEFAULT_USAGE, fakeEmbedding, EMBEDDING_DIM,
} from './fake-upstream.js';

const CHAT_MODEL = 'sdk-chat';
const EMBED_MODEL = 'sdk-embed';
const MODEL_RATIO = 1.5;
const COMPLETION_RATIO = 2;
const EMBED_RATIO = 0.1;
const ROOT_PASSWORD = 'sdk-root-password';
const USER_PASSWORD = 'sdk-user-password';
const BILLING_TOKEN_QUOTA = 1_000_000;
const BILLING_USER_QUOTA = 2_000_000;

let upstream, gateway, key, billingKey;

const weatherTool = {
  name: 'get_weather',
  description: 'Current weather for a city',
  parameters: {
    type: 'object',
    properties: { city: { type: 'string' }, unit: { type: 'string', enum: ['celsius', 'fahrenheit'] } },
    required: ['city'],
  },
};
const toolArgs = JSON.parse(TOOL_CALL.arguments);
const secondToolArgs = JSON.parse(SECOND_TOOL_CALL.arguments);

/** New API's text quota: model_ratio × group_ratio (1) × (prompt + completion × completion_ratio), half away from zero. */
const chatQuota = (prompt, completion) => Math.round(MODEL_RATIO * (prompt + completion * COMPLETION_RATIO));

/** The one upstream request whose body contains the marker. */
function upstreamRequest(marker) {
  const found = upstream.find(marker);
  assert.equal(found.length, 1, `expected one upstream request with ${marker}, got ${found.length}`);
  return found[0];
}

/** Text parts of a Gemini response, joined (the SDK's `text` getter warns when function calls are present). */
const geminiText = (res) => (res.candidates?.[0]?.content?.parts ?? []).filter((p) => typeof p.text === 'string').map((p) => p.text).join('');

const openai = (apiKey = key) => new OpenAI({ baseURL: gateway.url + '/v1', apiKey, maxRetries: 0 });
const anthropic = (apiKey = key) => new Anthropic({ baseURL: gateway.url, apiKey, maxRetries: 0 });
// The GenAI SDK calls /v1/models/... by default; apiVersion 'v1beta' gives the /v1beta/models/... paths.
const genai = (apiKey = key, apiVersion = undefined) => new GoogleGenAI({ apiKey, httpOptions: { baseUrl: gateway.url, apiVersion } });

before(async () => {
  upstream = await startFakeUpstream();
  gateway = new Gateway();
  const dir = gateway.dataDir;
  await cli(dir, ['setup', '--username', 'root', '--password-stdin'], ROOT_PASSWORD);
  await cli(dir, ['user', 'create', '-u', 'sdkuser', '--password-stdin', '--quota', '100000000'], USER_PASSWORD);
  await cli(dir, ['user', 'create', '-u', 'billuser', '--password-stdin', '--quota', String(BILLING_USER_QUOTA)], USER_PASSWORD);
  key = (await cli(dir, ['token', 'create', '--user', 'sdkuser', '--name', 'sdk-main', '--unlimited'])).trim();
  billingKey = (await cli(dir, ['token', 'create', '--user', 'billuser', '--name', 'sdk-billing', '--quota', String(BILLING_TOKEN_QUOTA)])).trim();
  assert.match(key, /^sk-\S+$/);
  assert.match(billingKey, /^sk-\S+$/);
  await gateway.start();

  const root = await gateway.login('root', ROOT_PASSWORD);
  await root.ok('POST', '/api/channel/', {
    mode: 'single',
    channel: { type: 1, name: 'fake-upstream', key: UPSTREAM_KEY, base_url: upstream.url, models: `${CHAT_MODEL},${EMBED_MODEL}`, group: 'default' },
  });
  await root.ok('PUT', '/api/option/', { key: 'ModelRatio', value: JSON.stringify({ [CHAT_MODEL]: MODEL_RATIO, [EMBED_MODEL]: EMBED_RATIO }) });
  await root.ok('PUT', '/api/option/', { key: 'CompletionRatio', value: JSON.stringify({ [CHAT_MODEL]: COMPLETION_RATIO }) });
});

after(async () => {
  await gateway?.stop();
  await upstream?.close();
});

// ---------------------------------------------------------------- OpenAI SDK

test('openai: chat.completions.create returns the upstream content and usage', async () => {
  const completion = await openai().chat.completions.create({
    model: CHAT_MODEL,
    messages: [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: 'Say hello. [oa-create] USAGE:21:8' }],
    temperature: 0.2,
  });
  assert.equal(completion.object, 'chat.completion');
  assert.equal(completion.model, CHAT_MODEL);
  assert.equal(completion.choices[0].message.role, 'assistant');
  assert.equal(completion.choices[0].message.content, REPLY_TEXT);
  assert.equal(completion.choices[0].finish_reason, 'stop');
  assert.equal(completion.usage.prompt_tokens, 21);
  assert.equal(completion.usage.completion_tokens, 8);
  assert.equal(completion.usage.total_tokens, 29);

  const sent = upstreamRequest('[oa-create]');
  assert.equal(sent.path, '/v1/chat/completions');
  assert.equal(sent.body.model, CHAT_MODEL);
  assert.equal(sent.body.temperature, 0.2);
  assert.deepEqual(sent.body.messages.map((m) => m.role), ['system', 'user']);
});

test('openai: streaming with include_usage, and the stream() helper', async () => {
  const client = openai();
  const stream = await client.chat.completions.create({
    model: CHAT_MODEL,
    messages: [{ role: 'user', content: 'Stream please. [oa-stream] USAGE:14:6' }],
    stream: true,
    stream_options: { include_usage: true },
  });
  let text = '';
  let usage = null;
  let finish = null;
  let chunksAfterUsage = 0;
  for await (const chunk of stream) {
    if (usage) chunksAfterUsage++;
    assert.equal(chunk.object, 'chat.completion.chunk');
    for (const choice of chunk.choices) {
      text += choice.delta?.content ?? '';
      finish = choice.finish_reason ?? finish;
    }
    if (chunk.usage) usage = chunk.usage;
  }
  assert.equal(text, REPLY_TEXT);
  assert.equal(finish, 'stop');
  assert.deepEqual(usage && { p: usage.prompt_tokens, c: usage.completion_tokens, t: usage.total_tokens }, { p: 14, c: 6, t: 20 });
  assert.equal(chunksAfterUsage, 0, 'the usage chunk is the last one');
  const sent = upstreamRequest('[oa-stream]');
  assert.equal(sent.body.stream, true);
  assert.deepEqual(sent.body.stream_options, { include_usage: true });

  // A client that asks for no usage gets no usage chunk (the upstream is still asked for usage, for billing).
  const quiet = await client.chat.completions.create({
    model: CHAT_MODEL, messages: [{ role: 'user', content: 'No usage. [oa-stream-nousage]' }], stream: true, stream_options: { include_usage: false },
  });
  let quietText = '';
  for await (const chunk of quiet) {
    assert.ok(!chunk.usage, `unexpected usage chunk: ${JSON.stringify(chunk)}`);
    for (const choice of chunk.choices) quietText += choice.delta?.content ?? '';
  }
  assert.equal(quietText, REPLY_TEXT);
  assert.deepEqual(upstreamRequest('[oa-stream-nousage]').body.stream_options, { include_usage: true });

  // The SDK's ChatCompletionStream helper assembles the same message.
  const helper = client.chat.completions.stream({
    model: CHAT_MODEL,
    messages: [{ role: 'user', content: 'Stream helper. [oa-stream-helper]' }],
    stream_options: { include_usage: true },
  });
  let deltas = '';
  helper.on('content', (delta) => { deltas += delta; });
  const final = await helper.finalChatCompletion();
  assert.equal(deltas, REPLY_TEXT);
  assert.equal(final.choices[0].message.content, REPLY_TEXT);
  assert.equal(final.choices[0].finish_reason, 'stop');
  assert.equal(final.usage?.prompt_tokens, DEFAULT_USAGE.prompt);
  assert.equal(final.usage?.completion_tokens, DEFAULT_USAGE.completion);
});

test('openai: tool calls, non-stream and stream, and the tool result round trip', async () => {
  const client = openai();
  const tools = [{ type: 'function', function: weatherTool }];
  const question = { role: 'user', content: 'Weather in Paris? [oa-tools]' };

  const first = await client.chat.completions.create({ model: CHAT_MODEL, messages: [question], tools, tool_choice: 'auto' });
  const message = first.choices[0].message;
  assert.equal(first.choices[0].finish_reason, 'tool_calls');
  assert.equal(message.tool_calls.length, 1);
  assert.equal(message.tool_calls[0].id, TOOL_CALL.id);
  assert.equal(message.tool_calls[0].type, 'function');
  assert.equal(message.tool_calls[0].function.name, 'get_weather');
  assert.deepEqual(JSON.parse(message.tool_calls[0].function.arguments), toolArgs);
  const sentTools = upstreamRequest('[oa-tools]').body;
  assert.equal(sentTools.tools[0].function.name, 'get_weather');
  assert.deepEqual(sentTools.tools[0].function.parameters, weatherTool.parameters);
  assert.equal(sentTools.tool_choice, 'auto');

  // Streamed tool call: argument fragments assembled by hand and by the SDK's helper.
  const stream = await client.chat.completions.create({
    model: CHAT_MODEL, messages: [{ role: 'user', content: 'Weather in Paris? [oa-tools-stream]' }], tools, stream: true,
  });
  const calls = [];
  let finish = null;
  for await (const chunk of stream) {
    for (const choice of chunk.choices) {
      finish = choice.finish_reason ?? finish;
      for (const tc of choice.delta?.tool_calls ?? []) {
        calls[tc.index] ??= { id: '', name: '', arguments: '' };
        if (tc.id) calls[tc.index].id = tc.id;
        if (tc.function?.name) calls[tc.index].name += tc.function.name;
        if (tc.function?.arguments) calls[tc.index].arguments += tc.function.arguments;
      }
    }
  }
  assert.equal(finish, 'tool_calls');
  assert.equal(calls.length, 1);
  assert.equal(calls[0].id, TOOL_CALL.id);
  assert.equal(calls[0].name, 'get_weather');
  assert.deepEqual(JSON.parse(calls[0].arguments), toolArgs);

  const helper = await client.chat.completions
    .stream({ model: CHAT_MODEL, messages: [{ role: 'user', content: 'Weather? [oa-tools-helper]' }], tools })
    .finalChatCompletion();
  assert.deepEqual(JSON.parse(helper.choices[0].message.tool_calls[0].function.arguments), toolArgs);

  // Round trip: the tool result goes back and the upstream sees it.
  const second = await client.chat.completions.create({
    model: CHAT_MODEL,
    tools,
    messages: [question, message, { role: 'tool', tool_call_id: message.tool_calls[0].id, content: '21 degrees [oa-tool-result]' }],
  });
  assert.equal(second.choices[0].message.content, 'Tool said: 21 degrees [oa-tool-result]');
  const sent = upstreamRequest('[oa-tool-result]').body.messages;
  assert.deepEqual(sent.map((m) => m.role), ['user', 'assistant', 'tool']);
  assert.equal(sent[1].tool_calls[0].id, TOOL_CALL.id);
  assert.equal(sent[2].tool_call_id, TOOL_CALL.id);
});

test('openai: embeddings.create (SDK default base64 and float)', async () => {
  const client = openai();
  const inputs = ['first text [oa-embed]', 'second'];
  const res = await client.embeddings.create({ model: EMBED_MODEL, input: inputs });
  assert.equal(res.data.length, 2);
  res.data.forEach((d, i) => {
    assert.equal(d.index, i);
    assert.equal(d.embedding.length, EMBEDDING_DIM);
    fakeEmbedding(inputs[i], i).forEach((v, j) => assert.ok(Math.abs(d.embedding[j] - v) < 1e-6, `embedding[${i}][${j}]`));
  });
  assert.equal(res.usage.prompt_tokens, 8);
  assert.equal(upstreamRequest('[oa-embed]').path, '/v1/embeddings');

  const floats = await client.embeddings.create({ model: EMBED_MODEL, input: 'float text [oa-embed-float]', encoding_format: 'float' });
  assert.deepEqual(floats.data[0].embedding, fakeEmbedding('float text [oa-embed-float]', 0));
  assert.equal(upstreamRequest('[oa-embed-float]').body.encoding_format, 'float');
});

test('openai: models.list contains the channel models', async () => {
  const ids = [];
  for await (const model of openai().models.list()) ids.push(model.id);
  assert.ok(ids.includes(CHAT_MODEL), `models: ${ids}`);
  assert.ok(ids.includes(EMBED_MODEL), `models: ${ids}`);
});

test('openai: errors arrive as the SDK error classes with an OpenAI error body', async () => {
  // Unknown key.
  await assert.rejects(
    openai('sk-notarealkey000000000000000000000000000000').chat.completions.create({ model: CHAT_MODEL, messages: [{ role: 'user', content: 'hi' }] }),
    (err) => {
      assert.ok(err instanceof OpenAI.AuthenticationError, `got ${err?.constructor?.name}: ${err}`);
      assert.equal(err.status, 401);
      assert.equal(typeof err.error?.message, 'string');
      return true;
    },
  );
  // Upstream 429: relayed with the upstream's error object.
  await assert.rejects(
    openai().chat.completions.create({ model: CHAT_MODEL, messages: [{ role: 'user', content: 'FAIL_429 [oa-429]' }] }),
    (err) => {
      assert.ok(err instanceof OpenAI.RateLimitError, `got ${err?.constructor?.name}: ${err}`);
      assert.equal(err.status, 429);
      assert.match(err.error?.message ?? '', /Rate limit reached/);
      assert.equal(err.code, 'rate_limit_exceeded');
      return true;
    },
  );
  // A model no channel serves: New API answers 503 model_not_found.
  await assert.rejects(
    openai().chat.completions.create({ model: 'no-such-model', messages: [{ role: 'user', content: 'hi' }] }),
    (err) => {
      assert.ok(err instanceof OpenAI.APIError, `got ${err?.constructor?.name}: ${err}`);
      assert.equal(err.status, 503);
      assert.equal(err.code, 'model_not_found');
      assert.match(err.error?.message ?? '', /no-such-model/);
      return true;
    },
  );
  // The upstream saw the 429 request once (no retry by default).
  assert.equal(upstream.find('[oa-429]').length, 1);
});

test('openai: an upstream 400 keeps its status, message, code and param', async () => {
  await assert.rejects(
    openai().chat.completions.create({ model: CHAT_MODEL, messages: [{ role: 'user', content: 'FAIL_400 [oa-400]' }] }),
    (err) => {
      assert.ok(err instanceof OpenAI.BadRequestError, `got ${err?.constructor?.name}: ${err}`);
      assert.equal(err.status, 400);
      assert.match(err.error?.message ?? '', /rejected by the fake upstream/);
      assert.equal(err.type, 'invalid_request_error');
      assert.equal(err.code, 'invalid_value');
      assert.equal(err.param, 'messages', `error body: ${JSON.stringify(err.error)}`);
      return true;
    },
  );
  assert.equal(upstream.find('[oa-400]').length, 1);
});

// ---------------------------------------------------------------- Anthropic SDK

test('anthropic: messages.create returns a text block, usage and stop_reason', async () => {
  const message = await anthropic().messages.create({
    model: CHAT_MODEL,
    max_tokens: 256,
    system: 'You are terse. [an-system]',
    messages: [{ role: 'user', content: 'Say hello. [an-create] USAGE:31:9' }],
    stop_sequences: ['STOP'],
  });
  assert.equal(message.type, 'message');
  assert.equal(message.role, 'assistant');
  assert.equal(message.model, CHAT_MODEL);
  assert.equal(message.content.length, 1);
  assert.equal(message.content[0].type, 'text');
  assert.equal(message.content[0].text, REPLY_TEXT);
  assert.equal(message.stop_reason, 'end_turn');
  assert.equal(message.usage.input_tokens, 31);
  assert.equal(message.usage.output_tokens, 9);

  const sent = upstreamRequest('[an-create]');
  assert.equal(sent.path, '/v1/chat/completions');
  assert.equal(sent.body.model, CHAT_MODEL);
  assert.equal(sent.body.max_tokens, 256);
  assert.deepEqual(sent.body.messages.map((m) => m.role), ['system', 'user']);
  assert.match(JSON.stringify(sent.body.messages[0].content), /\[an-system\]/);
  assert.ok(sent.body.stop === 'STOP' || (Array.isArray(sent.body.stop) && sent.body.stop[0] === 'STOP'), `stop: ${JSON.stringify(sent.body.stop)}`);
});

test('anthropic: messages.stream finalMessage, and raw stream events in order', async () => {
  const client = anthropic();
  const helper = client.messages.stream({
    model: CHAT_MODEL, max_tokens: 128, messages: [{ role: 'user', content: 'Stream please. [an-stream] USAGE:17:4' }],
  });
  const final = await helper.finalMessage();
  assert.equal(final.content[0].type, 'text');
  assert.equal(final.content[0].text, REPLY_TEXT);
  assert.equal(final.stop_reason, 'end_turn');
  assert.equal(final.usage.output_tokens, 4);
  assert.equal(final.usage.input_tokens, 17);
  assert.equal(upstreamRequest('[an-stream]').body.stream, true);

  const raw = await client.messages.create({
    model: CHAT_MODEL, max_tokens: 128, stream: true, messages: [{ role: 'user', content: 'Raw stream. [an-raw]' }],
  });
  const types = [];
  let text = '';
  for await (const event of raw) {
    types.push(event.type);
    if (event.type === 'content_block_delta' && event.delta.type === 'text_delta') text += event.delta.text;
    if (event.type === 'message_delta') assert.equal(event.delta.stop_reason, 'end_turn');
  }
  assert.equal(text, REPLY_TEXT);
  const meaningful = types.filter((t) => t !== 'ping');
  assert.equal(meaningful[0], 'message_start');
  assert.equal(meaningful[1], 'content_block_start');
  assert.ok(meaningful.includes('content_block_delta'));
  assert.deepEqual(meaningful.slice(-3), ['content_block_stop', 'message_delta', 'message_stop']);
  const firstDelta = meaningful.indexOf('content_block_delta');
  assert.ok(firstDelta > 1 && firstDelta < meaningful.indexOf('content_block_stop'), `events: ${types}`);
});

test('anthropic: tool use round trip', async () => {
  const client = anthropic();
  const tools = [{ name: weatherTool.name, description: weatherTool.description, input_schema: weatherTool.parameters }];
  const question = { role: 'user', content: 'Weather in Paris? [an-tools]' };

  const first = await client.messages.create({ model: CHAT_MODEL, max_tokens: 128, tools, messages: [question] });
  assert.equal(first.stop_reason, 'tool_use');
  const use = first.content.find((b) => b.type === 'tool_use');
  assert.ok(use, `content: ${JSON.stringify(first.content)}`);
  assert.equal(use.name, 'get_weather');
  assert.equal(use.id, TOOL_CALL.id);
  assert.deepEqual(use.input, toolArgs);
  const sentTools = upstreamRequest('[an-tools]').body;
  assert.equal(sentTools.tools[0].type, 'function');
  assert.equal(sentTools.tools[0].function.name, 'get_weather');
  assert.deepEqual(sentTools.tools[0].function.parameters, weatherTool.parameters);

  // Streamed: the SDK assembles input_json_delta fragments into the parsed input.
  const streamed = await client.messages
    .stream({ model: CHAT_MODEL, max_tokens: 128, tools, messages: [{ role: 'user', content: 'Weather? [an-tools-stream]' }] })
    .finalMessage();
  assert.equal(streamed.stop_reason, 'tool_use');
  const streamedUse = streamed.content.find((b) => b.type === 'tool_use');
  assert.ok(streamedUse, `content: ${JSON.stringify(streamed.content)}`);
  assert.equal(streamedUse.name, 'get_weather');
  assert.deepEqual(streamedUse.input, toolArgs);

  // The tool result goes back as an OpenAI tool message.
  const second = await client.messages.create({
    model: CHAT_MODEL,
    max_tokens: 128,
    tools,
    messages: [
      question,
      { role: 'assistant', content: first.content },
      { role: 'user', content: [{ type: 'tool_result', tool_use_id: use.id, content: '21 degrees [an-tool-result]' }] },
    ],
  });
  assert.equal(second.stop_reason, 'end_turn');
  assert.equal(second.content[0].type, 'text');
  assert.equal(second.content[0].text, 'Tool said: 21 degrees [an-tool-result]');
  const sent = upstreamRequest('[an-tool-result]').body.messages;
  const assistant = sent.find((m) => m.role === 'assistant');
  const toolMsg = sent.find((m) => m.role === 'tool');
  assert.equal(assistant.tool_calls[0].id, TOOL_CALL.id);
  assert.equal(assistant.tool_calls[0].function.name, 'get_weather');
  assert.deepEqual(JSON.parse(assistant.tool_calls[0].function.arguments), toolArgs);
  assert.equal(toolMsg.tool_call_id, TOOL_CALL.id);
});

test('anthropic: messages.countTokens', async () => {
  const count = await anthropic().messages.countTokens({
    model: CHAT_MODEL, messages: [{ role: 'user', content: 'How many tokens are in this sentence?' }],
  });
  assert.ok(Number.isInteger(count.input_tokens) && count.input_tokens > 0, JSON.stringify(count));
});

test('anthropic: models.list and models.retrieve return Anthropic model objects', async () => {
  const client = anthropic();
  const models = [];
  for await (const model of client.models.list()) models.push(model);
  const ids = models.map((m) => m.id);
  assert.ok(ids.includes(CHAT_MODEL) && ids.includes(EMBED_MODEL), `models: ${JSON.stringify(models)}`);
  for (const m of models) {
    assert.equal(m.type, 'model', JSON.stringify(m));
    assert.equal(typeof m.display_name, 'string', JSON.stringify(m));
    assert.ok(!Number.isNaN(Date.parse(m.created_at)), JSON.stringify(m));
  }
  const one = await client.models.retrieve(CHAT_MODEL);
  assert.equal(one.id, CHAT_MODEL);
  assert.equal(one.type, 'model', JSON.stringify(one));
});

test('anthropic: bad key, upstream 429 and 400 arrive as the SDK error classes in Claude error shape', async () => {
  await assert.rejects(
    anthropic('sk-notarealkey000000000000000000000000000000').messages.create({
      model: CHAT_MODEL, max_tokens: 16, messages: [{ role: 'user', content: 'hi' }],
    }),
    (err) => {
      assert.ok(err instanceof Anthropic.AuthenticationError, `got ${err?.constructor?.name}: ${err}`);
      assert.equal(err.status, 401);
      assert.ok(err.apiMessage, `no error message: ${JSON.stringify(err.error)}`);
      assert.equal(err.error?.type, 'error', `body: ${JSON.stringify(err.error)}`);
      assert.equal(err.type, 'authentication_error');
      return true;
    },
  );
  await assert.rejects(
    anthropic().messages.create({ model: CHAT_MODEL, max_tokens: 16, messages: [{ role: 'user', content: 'FAIL_429 [an-429]' }] }),
    (err) => {
      assert.ok(err instanceof Anthropic.RateLimitError, `got ${err?.constructor?.name}: ${err}`);
      assert.equal(err.status, 429);
      assert.equal(err.error?.type, 'error', `body: ${JSON.stringify(err.error)}`);
      assert.equal(err.type, 'rate_limit_error');
      assert.match(err.apiMessage ?? '', /Rate limit reached/);
      return true;
    },
  );
  await assert.rejects(
    anthropic().messages.create({ model: CHAT_MODEL, max_tokens: 16, messages: [{ role: 'user', content: 'FAIL_400 [an-400]' }] }),
    (err) => {
      assert.ok(err instanceof Anthropic.BadRequestError, `got ${err?.constructor?.name}: ${err}`);
      assert.equal(err.status, 400);
      assert.equal(err.error?.type, 'error', `body: ${JSON.stringify(err.error)}`);
      assert.equal(err.type, 'invalid_request_error');
      assert.match(err.apiMessage ?? '', /rejected by the fake upstream/);
      return true;
    },
  );
});

// ---------------------------------------------------------------- Google GenAI SDK

test('genai: models.generateContent text and usageMetadata', async () => {
  const res = await genai().models.generateContent({
    model: CHAT_MODEL,
    contents: 'Say hello. [gm-generate] USAGE:19:3',
    config: { systemInstruction: 'Be brief. [gm-system]', temperature: 0.3, maxOutputTokens: 64 },
  });
  assert.equal(res.text, REPLY_TEXT);
  assert.equal(res.candidates[0].finishReason, 'STOP');
  assert.equal(res.usageMetadata.promptTokenCount, 19);
  assert.equal(res.usageMetadata.candidatesTokenCount, 3);
  assert.equal(res.usageMetadata.totalTokenCount, 22);

  const sent = upstreamRequest('[gm-generate]');
  assert.equal(sent.path, '/v1/chat/completions');
  assert.equal(sent.body.model, CHAT_MODEL);
  assert.equal(sent.body.temperature, 0.3);
  assert.equal(sent.body.max_tokens, 64);
  assert.deepEqual(sent.body.messages.map((m) => m.role), ['system', 'user']);
  assert.match(JSON.stringify(sent.body.messages[0].content), /\[gm-system\]/);

  const beta = await genai(key, 'v1beta').models.generateContent({ model: CHAT_MODEL, contents: 'Say hello. [gm-generate-v1beta]' });
  assert.equal(beta.text, REPLY_TEXT);
  assert.equal(upstreamRequest('[gm-generate-v1beta]').body.model, CHAT_MODEL);
});

/** Model names from the GenAI SDK, without the optional "models/" prefix. */
const bareName = (model) => model?.name?.replace(/^models\//, '');

async function genaiModelNames(client) {
  const names = [];
  for await (const model of await client.models.list()) names.push(bareName(model));
  return names;
}

test('genai: models.list and models.get on the v1beta paths', async () => {
  const client = genai(key, 'v1beta');
  const names = await genaiModelNames(client);
  assert.ok(names.includes(CHAT_MODEL) && names.includes(EMBED_MODEL), JSON.stringify(names));
  const model = await client.models.get({ model: CHAT_MODEL });
  assert.equal(bareName(model), CHAT_MODEL, JSON.stringify(model));
});

test('genai: models.list on the SDK default path (GET /v1/models with x-goog-api-key)', async () => {
  const names = await genaiModelNames(genai());
  assert.ok(names.includes(CHAT_MODEL) && names.includes(EMBED_MODEL), JSON.stringify(names));
});

test('genai: models.get on the SDK default path (GET /v1/models/{model} with x-goog-api-key)', async () => {
  const model = await genai().models.get({ model: CHAT_MODEL });
  assert.equal(bareName(model), CHAT_MODEL, JSON.stringify(model));
});

test('genai: models.generateContentStream concatenated text', async () => {
  const stream = await genai().models.generateContentStream({ model: CHAT_MODEL, contents: 'Stream please. [gm-stream] USAGE:8:2' });
  let text = '';
  let usage = null;
  for await (const chunk of stream) {
    text += chunk.text ?? '';
    if (chunk.usageMetadata) usage = chunk.usageMetadata;
  }
  assert.equal(text, REPLY_TEXT);
  assert.equal(usage?.promptTokenCount, 8);
  assert.equal(usage?.candidatesTokenCount, 2);
  assert.equal(upstreamRequest('[gm-stream]').body.stream, true);
});

test('genai: function calling, non-stream and stream, and the function response round trip', async () => {
  const client = genai();
  const tools = [{
    functionDeclarations: [{
      name: weatherTool.name,
      description: weatherTool.description,
      parameters: {
        type: 'OBJECT',
        properties: { city: { type: 'STRING' }, unit: { type: 'STRING', enum: ['celsius', 'fahrenheit'] } },
        required: ['city'],
      },
    }],
  }];

  const first = await client.models.generateContent({ model: CHAT_MODEL, contents: 'Weather in Paris? [gm-tools]', config: { tools } });
  assert.equal(first.functionCalls?.length, 1, JSON.stringify(first.candidates));
  assert.equal(first.functionCalls[0].name, 'get_weather');
  assert.deepEqual(first.functionCalls[0].args, toolArgs);
  const sentTools = upstreamRequest('[gm-tools]').body;
  assert.equal(sentTools.tools[0].type, 'function');
  assert.equal(sentTools.tools[0].function.name, 'get_weather');
  assert.deepEqual(sentTools.tools[0].function.parameters, weatherTool.parameters, 'Gemini schema types become JSON-schema types');

  // Streamed: the argument fragments must reach the client as one parsed args object.
  const stream = await client.models.generateContentStream({ model: CHAT_MODEL, contents: 'Weather? [gm-tools-stream]', config: { tools } });
  const calls = [];
  for await (const chunk of stream) calls.push(...(chunk.functionCalls ?? []));
  assert.equal(calls.length, 1, JSON.stringify(calls));
  assert.equal(calls[0].name, 'get_weather');
  assert.deepEqual(calls[0].args, toolArgs);

  // Round trip: the function response becomes a tool message answering the assistant's tool call.
  const second = await client.models.generateContent({
    model: CHAT_MODEL,
    config: { tools },
    contents: [
      { role: 'user', parts: [{ text: 'Weather in Paris? [gm-tools-q]' }] },
      { role: 'model', parts: [{ functionCall: { name: 'get_weather', args: toolArgs } }] },
      { role: 'user', parts: [{ functionResponse: { name: 'get_weather', response: { report: '21 degrees [gm-tool-result]' } } }] },
    ],
  });
  assert.match(second.text ?? '', /^Tool said: .*21 degrees \[gm-tool-result\]/);
  const sent = upstreamRequest('[gm-tool-result]').body.messages;
  assert.deepEqual(sent.map((m) => m.role), ['user', 'assistant', 'tool']);
  assert.equal(sent[1].tool_calls[0].function.name, 'get_weather');
  assert.deepEqual(JSON.parse(sent[1].tool_calls[0].function.arguments), toolArgs);
  assert.ok(sent[1].tool_calls[0].id, 'the assistant tool call has an id');
  assert.equal(sent[2].tool_call_id, sent[1].tool_calls[0].id, 'the tool message answers the assistant tool call');
});

test('genai: models.countTokens', async () => {
  const res = await genai().models.countTokens({ model: CHAT_MODEL, contents: 'How many tokens are in this sentence?' });
  assert.ok(Number.isInteger(res.totalTokens) && res.totalTokens > 0, JSON.stringify(res));
});

test('genai: models.embedContent', async () => {
  const contents = ['gemini embed one [gm-embed]', 'two'];
  const res = await genai().models.embedContent({ model: EMBED_MODEL, contents });
  assert.equal(res.embeddings.length, 2);
  res.embeddings.forEach((e, i) => {
    assert.equal(e.values.length, EMBEDDING_DIM);
    fakeEmbedding(contents[i], i).forEach((v, j) => assert.ok(Math.abs(e.values[j] - v) < 1e-6, `values[${i}][${j}]`));
  });
  const sent = upstreamRequest('[gm-embed]');
  assert.equal(sent.path, '/v1/embeddings');
  assert.deepEqual(sent.body.input, contents);
});

test('genai: bad key and upstream 429 are ApiErrors with a Gemini error body', async () => {
  await assert.rejects(
    genai('sk-notarealkey000000000000000000000000000000').models.generateContent({ model: CHAT_MODEL, contents: 'hi' }),
    (err) => {
      assert.ok(err instanceof ApiError, `got ${err?.constructor?.name}: ${err}`);
      assert.equal(err.status, 401);
      const body = JSON.parse(err.message);
      assert.equal(body.error?.code, 401, err.message);
      assert.equal(body.error?.status, 'UNAUTHENTICATED', err.message);
      assert.equal(typeof body.error?.message, 'string', err.message);
      return true;
    },
  );
  await assert.rejects(
    genai().models.generateContent({ model: CHAT_MODEL, contents: 'FAIL_429 [gm-429]' }),
    (err) => {
      assert.ok(err instanceof ApiError, `got ${err?.constructor?.name}: ${err}`);
      assert.equal(err.status, 429);
      const body = JSON.parse(err.message);
      assert.equal(body.error?.code, 429, err.message);
      assert.equal(body.error?.status, 'RESOURCE_EXHAUSTED', err.message);
      assert.match(body.error?.message ?? '', /Rate limit reached/);
      return true;
    },
  );
});

test('text followed by two parallel tool calls, in all three dialects', async () => {
  const prompt = (tag) => `Weather in Paris and Tokyo? TEXT_AND_TOOL TWO_TOOLS [${tag}]`;

  // OpenAI, streamed: two tool calls assembled by index, after the text.
  const oa = await openai().chat.completions
    .stream({ model: CHAT_MODEL, messages: [{ role: 'user', content: prompt('mix-oa') }], tools: [{ type: 'function', function: weatherTool }] })
    .finalChatCompletion();
  const oaMessage = oa.choices[0].message;
  assert.equal(oaMessage.content, TOOL_PREAMBLE);
  assert.deepEqual(oaMessage.tool_calls.map((c) => [c.id, JSON.parse(c.function.arguments)]), [[TOOL_CALL.id, toolArgs], [SECOND_TOOL_CALL.id, secondToolArgs]]);

  // Anthropic: a text block, then one tool_use block per call, non-stream and stream.
  const anTools = [{ name: weatherTool.name, description: weatherTool.description, input_schema: weatherTool.parameters }];
  const expectBlocks = (message, label) => {
    assert.deepEqual(message.content.map((b) => b.type), ['text', 'tool_use', 'tool_use'], `${label}: ${JSON.stringify(message.content)}`);
    assert.equal(message.content[0].text, TOOL_PREAMBLE, label);
    assert.deepEqual(message.content.slice(1).map((b) => [b.id, b.name, b.input]),
      [[TOOL_CALL.id, 'get_weather', toolArgs], [SECOND_TOOL_CALL.id, 'get_weather', secondToolArgs]], label);
    assert.equal(message.stop_reason, 'tool_use', label);
  };
  const anPlain = await anthropic().messages.create({ model: CHAT_MODEL, max_tokens: 128, tools: anTools, messages: [{ role: 'user', content: prompt('mix-an') }] });
  expectBlocks(anPlain, 'non-stream');
  const anStream = await anthropic().messages
    .stream({ model: CHAT_MODEL, max_tokens: 128, tools: anTools, messages: [{ role: 'user', content: prompt('mix-an-stream') }] })
    .finalMessage();
  expectBlocks(anStream, 'stream');

  // Gemini: a text part and two functionCall parts, non-stream and stream.
  const gmTools = [{ functionDeclarations: [{ name: weatherTool.name, description: weatherTool.description, parametersJsonSchema: weatherTool.parameters }] }];
  const gmPlain = await genai().models.generateContent({ model: CHAT_MODEL, contents: prompt('mix-gm'), config: { tools: gmTools } });
  assert.equal(geminiText(gmPlain), TOOL_PREAMBLE);
  assert.deepEqual(gmPlain.functionCalls?.map((c) => [c.name, c.args]), [['get_weather', toolArgs], ['get_weather', secondToolArgs]]);
  const gmStream = await genai().models.generateContentStream({ model: CHAT_MODEL, contents: prompt('mix-gm-stream'), config: { tools: gmTools } });
  let gmText = '';
  const gmCalls = [];
  for await (const chunk of gmStream) {
    gmText += geminiText(chunk);
    gmCalls.push(...(chunk.functionCalls ?? []));
  }
  assert.equal(gmText, TOOL_PREAMBLE);
  assert.deepEqual(gmCalls.map((c) => [c.name, c.args]), [['get_weather', toolArgs], ['get_weather', secondToolArgs]]);
});

// ---------------------------------------------------------------- Billing

test('billing: consume rows carry the upstream usage, quota follows the formula, a 429 is not billed', async () => {
  const user = await gateway.login('billuser', USER_PASSWORD);

  // Not billed: the upstream answers 429 (the pre-consumed quota is given back).
  await assert.rejects(
    openai(billingKey).chat.completions.create({ model: CHAT_MODEL, messages: [{ role: 'user', content: 'FAIL_429 [bill-429]' }] }),
    (err) => err instanceof OpenAI.RateLimitError,
  );

  // Billed: one call per dialect (and one OpenAI stream), each with distinct upstream usage.
  const calls = [
    { prompt: 11, completion: 7, stream: false },  // 1.5 × 25 = 37.5 → 38 (half away from zero)
    { prompt: 20, completion: 3, stream: true },   // 1.5 × 26 = 39
    { prompt: 7, completion: 4, stream: false },   // 1.5 × 15 = 22.5 → 23
    { prompt: 5, completion: 1, stream: false },   // 1.5 × 7 = 10.5 → 11
  ];
  const u = (c) => `USAGE:${c.prompt}:${c.completion}`;
  await openai(billingKey).chat.completions.create({ model: CHAT_MODEL, messages: [{ role: 'user', content: `bill one ${u(calls[0])}` }] });
  const stream = await openai(billingKey).chat.completions.create({
    model: CHAT_MODEL, messages: [{ role: 'user', content: `bill two ${u(calls[1])}` }], stream: true, stream_options: { include_usage: true },
  });
  for await (const chunk of stream) void chunk;
  await anthropic(billingKey).messages.create({ model: CHAT_MODEL, max_tokens: 64, messages: [{ role: 'user', content: `bill three ${u(calls[2])}` }] });
  await genai(billingKey).models.generateContent({ model: CHAT_MODEL, contents: `bill four ${u(calls[3])}` });
  const expected = calls.map((c) => chatQuota(c.prompt, c.completion));
  const total = expected.reduce((a, b) => a + b, 0);

  const rows = await poll(async () => {
    const page = await user.ok('GET', '/api/log/self?p=1&page_size=50&type=2');
    return page.items.length >= calls.length ? page.items : null;
  });
  assert.ok(rows, 'consume rows did not appear within 5 s');
  assert.equal(rows.length, calls.length, `rows: ${JSON.stringify(rows)}`);
  const byTokens = new Map(rows.map((r) => [`${r.prompt_tokens}:${r.completion_tokens}`, r]));
  calls.forEach((c, i) => {
    const row = byTokens.get(`${c.prompt}:${c.completion}`);
    assert.ok(row, `no row with ${c.prompt}/${c.completion} tokens: ${JSON.stringify(rows)}`);
    assert.equal(row.model_name, CHAT_MODEL);
    assert.equal(row.token_name, 'sdk-billing');
    assert.equal(row.is_stream, c.stream);
    assert.equal(row.quota, expected[i], `quota of ${c.prompt}/${c.completion}`);
    const other = JSON.parse(row.other);
    assert.equal(other.model_ratio, MODEL_RATIO);
    assert.equal(other.completion_ratio, COMPLETION_RATIO);
    assert.equal(other.group_ratio, 1);
  });

  // The token and the user were charged exactly the sum (the 429's pre-consumption fully returned).
  await poll(async () => {
    const tokens = await user.ok('GET', '/api/token/');
    const token = tokens.items.find((t) => t.name === 'sdk-billing');
    const self = await user.ok('GET', '/api/user/self');
    const done = token.used_quota === total && token.remain_quota === BILLING_TOKEN_QUOTA - total && self.quota === BILLING_USER_QUOTA - total;
    return done;
  });
  const tokens = await user.ok('GET', '/api/token/');
  const token = tokens.items.find((t) => t.name === 'sdk-billing');
  const self = await user.ok('GET', '/api/user/self');
  assert.equal(token.used_quota, total);
  assert.equal(token.remain_quota, BILLING_TOKEN_QUOTA - total);
  assert.equal(self.quota, BILLING_USER_QUOTA - total);
  assert.equal(self.used_quota, total);
  assert.equal(self.request_count, calls.length);
});
