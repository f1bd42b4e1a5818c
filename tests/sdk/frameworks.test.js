// Client frameworks against the published binary: the Vercel AI SDK (`ai` with the @ai-sdk/openai, @ai-sdk/anthropic
// and @ai-sdk/google providers) and LangChain JS (@langchain/openai, @langchain/anthropic, @langchain/google-genai).
// Two channels point at the fake upstream run by this file:
//   - an OpenAI channel (type 1) serving CHAT_MODEL and EMBED_MODEL: chat, Claude and Gemini requests are converted
//     to /v1/chat/completions, and /v1/responses is forwarded to the upstream's own Responses API;
//   - a DeepSeek channel (type 43, an OpenAI-compatible vendor without a Responses API) serving RESP_MODEL: a
//     /v1/responses request is converted by the gateway to a chat completions call.
// The fake upstream records every request, so each test also checks what the framework's call became upstream.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { z } from 'zod';
import {
  generateText, streamText, generateObject, streamObject, embed, embedMany, tool as aiTool, stepCountIs, Output, APICallError,
} from 'ai';
import { createOpenAI } from '@ai-sdk/openai';
import { createAnthropic } from '@ai-sdk/anthropic';
import { createGoogleGenerativeAI } from '@ai-sdk/google';
import { ChatOpenAI, OpenAIEmbeddings } from '@langchain/openai';
import { ChatAnthropic } from '@langchain/anthropic';
import { ChatGoogleGenerativeAI, GoogleGenerativeAIEmbeddings } from '@langchain/google-genai';
import { tool as lcTool } from '@langchain/core/tools';
import { HumanMessage, SystemMessage } from '@langchain/core/messages';
import { Gateway, cli, poll } from './gateway.js';
import {
  startFakeUpstream, UPSTREAM_KEY, REPLY_TEXT, TOOL_CALL, SECOND_TOOL_CALL, TOOL_PREAMBLE, DEFAULT_USAGE, OBJECT_REPLY,
  fakeEmbedding, EMBEDDING_DIM,
} from './fake-upstream.js';

// The AI SDK reports unsupported settings through process warnings; the assertions below check requests instead.
globalThis.AI_SDK_LOG_WARNINGS = false;

const CHAT_MODEL = 'fw-chat';
const EMBED_MODEL = 'fw-embed';
const RESP_MODEL = 'fw-resp';
const ROOT_PASSWORD = 'fw-root-password';
const USER_PASSWORD = 'fw-user-password';

let upstream, gateway, key;

/** The upstream requests whose body contains the marker, in arrival order. */
function sentWith(marker, count) {
  const found = upstream.find(marker);
  if (count !== undefined) assert.equal(found.length, count, `expected ${count} upstream request(s) with ${marker}, got ${found.length}`);
  return found;
}

const toolArgs = JSON.parse(TOOL_CALL.arguments);
const secondToolArgs = JSON.parse(SECOND_TOOL_CALL.arguments);
const weatherSchema = z.object({ city: z.string(), unit: z.enum(['celsius', 'fahrenheit']).optional() });
/** The JSON schema the frameworks derive from weatherSchema (the `$schema` key they add is left out). */
const weatherJsonSchema = {
  type: 'object',
  properties: { city: { type: 'string' }, unit: { type: 'string', enum: ['celsius', 'fahrenheit'] } },
  required: ['city'],
};
const withoutMeta = ({ $schema, additionalProperties, ...rest }) => rest;
/** What the weather tool returns for a city; the fake upstream quotes it in its final answer. */
const weatherReport = (city) => ({ city, temperature: city.length + 15 });
const objectSchema = z.object({ city: z.string(), temperature: z.number(), conditions: z.array(z.string()) });

/** An AI SDK tool that records its calls. */
function weatherTool() {
  const calls = [];
  const t = aiTool({
    description: 'Current weather for a city',
    inputSchema: weatherSchema,
    execute: async (input) => { calls.push(input); return weatherReport(input.city); },
  });
  return { tool: t, calls };
}

const lcWeather = lcTool(async ({ city }) => JSON.stringify(weatherReport(city)), {
  name: 'get_weather', description: 'Current weather for a city', schema: weatherSchema,
});

// Providers and models, built per test so each test sees the gateway's URL and key.
const aiOpenAI = () => createOpenAI({ baseURL: gateway.url + '/v1', apiKey: key });
const aiAnthropic = () => createAnthropic({ baseURL: gateway.url + '/v1', apiKey: key });
const aiGoogle = () => createGoogleGenerativeAI({ baseURL: gateway.url + '/v1beta', apiKey: key });
const lcOpenAI = (fields = {}) => new ChatOpenAI({ model: CHAT_MODEL, apiKey: key, configuration: { baseURL: gateway.url + '/v1' }, maxRetries: 0, ...fields });
const lcAnthropic = (fields = {}) => new ChatAnthropic({ model: CHAT_MODEL, apiKey: key, anthropicApiUrl: gateway.url, maxRetries: 0, ...fields });
const lcGoogle = (fields = {}) => new ChatGoogleGenerativeAI({ model: CHAT_MODEL, apiKey: key, baseUrl: gateway.url, maxRetries: 0, ...fields });

/** Reads a streamText result: the concatenated textStream, and whatever the stream reported through onError. */
async function drain(result, errors) {
  let text = '';
  for await (const piece of result.textStream) text += piece;
  if (errors.length > 0) throw errors[0];
  return text;
}

/** streamText with errors captured (the AI SDK logs stream errors and ends the stream otherwise). */
function streamTextCollecting(options) {
  const errors = [];
  const result = streamText({ ...options, onError: ({ error }) => { errors.push(error); } });
  return { result, text: () => drain(result, errors) };
}

/**
 * streamText of the fake upstream's reply with a scripted usage: the text, finish reason and usage the SDK reports,
 * then the one upstream request the tag marks (returned with the SDK result for further checks).
 */
async function expectStreamedReply(model, tag, [input, output], options = {}) {
  const { result, text } = streamTextCollecting({ model, prompt: `Stream please. [${tag}] USAGE:${input}:${output}`, ...options });
  assert.equal(await text(), REPLY_TEXT);
  assert.equal(await result.finishReason, 'stop');
  const usage = await result.usage;
  assert.deepEqual([usage.inputTokens, usage.outputTokens, usage.totalTokens], [input, output, input + output]);
  const [sent] = sentWith(`[${tag}]`, 1);
  assert.equal(sent.body.stream, true);
  return { result, sent };
}

/** Folds a LangChain chunk stream into one chunk. */
async function lcCollect(stream) {
  let all = null;
  let chunks = 0;
  for await (const chunk of stream) {
    chunks++;
    all = all === null ? chunk : all.concat(chunk);
  }
  return { all, chunks };
}

before(async () => {
  upstream = await startFakeUpstream();
  gateway = new Gateway();
  const dir = gateway.dataDir;
  await cli(dir, ['setup', '--username', 'root', '--password-stdin'], ROOT_PASSWORD);
  await cli(dir, ['user', 'create', '-u', 'fwuser', '--password-stdin', '--quota', '100000000'], USER_PASSWORD);
  key = (await cli(dir, ['token', 'create', '--user', 'fwuser', '--name', 'fw-main', '--unlimited'])).trim();
  assert.match(key, /^sk-\S+$/);
  await gateway.start();

  const root = await gateway.login('root', ROOT_PASSWORD);
  await root.ok('POST', '/api/channel/', {
    mode: 'single',
    channel: { type: 1, name: 'fake-openai', key: UPSTREAM_KEY, base_url: upstream.url, models: `${CHAT_MODEL},${EMBED_MODEL}`, group: 'default' },
  });
  await root.ok('POST', '/api/channel/', {
    mode: 'single',
    channel: { type: 43, name: 'fake-chat-only', key: UPSTREAM_KEY, base_url: upstream.url, models: RESP_MODEL, group: 'default' },
  });
  await root.ok('PUT', '/api/option/', { key: 'ModelRatio', value: JSON.stringify({ [CHAT_MODEL]: 1, [RESP_MODEL]: 1, [EMBED_MODEL]: 0.1 }) });
});

after(async () => {
  await gateway?.stop();
  await upstream?.close();
});

// ---------------------------------------------------------------- Vercel AI SDK: OpenAI chat completions

test('ai-sdk openai.chat: generateText text, usage and the request upstream', async () => {
  const res = await generateText({
    model: aiOpenAI().chat(CHAT_MODEL),
    system: 'Be brief. [ai-oc-system]',
    prompt: 'Say hello. [ai-oc-gen] USAGE:21:8',
    temperature: 0.2,
    maxOutputTokens: 64,
  });
  assert.equal(res.text, REPLY_TEXT);
  assert.equal(res.finishReason, 'stop');
  assert.equal(res.usage.inputTokens, 21);
  assert.equal(res.usage.outputTokens, 8);
  assert.equal(res.usage.totalTokens, 29);
  assert.equal(res.response.modelId, CHAT_MODEL);

  const [sent] = sentWith('[ai-oc-gen]', 1);
  assert.equal(sent.path, '/v1/chat/completions');
  assert.equal(sent.body.model, CHAT_MODEL);
  assert.equal(sent.body.temperature, 0.2);
  assert.equal(sent.body.max_tokens, 64);
  assert.deepEqual(sent.body.messages.map((m) => m.role), ['system', 'user']);
});

test('ai-sdk openai.chat: streamText full text and final usage', async () => {
  const { result, sent } = await expectStreamedReply(aiOpenAI().chat(CHAT_MODEL), 'ai-oc-stream', [14, 6]);
  const total = await result.totalUsage;
  assert.deepEqual([total.inputTokens, total.outputTokens], [14, 6]);
  assert.deepEqual(sent.body.stream_options, { include_usage: true });
});

test('ai-sdk openai.chat: tool() with a zod schema, multi-step round trip (generateText and streamText)', async () => {
  const weather = weatherTool();
  const res = await generateText({
    model: aiOpenAI().chat(CHAT_MODEL),
    prompt: 'Weather in Paris? [ai-oc-tools]',
    tools: { get_weather: weather.tool },
    stopWhen: stepCountIs(2),
  });
  assert.equal(res.steps.length, 2);
  assert.equal(res.steps[0].finishReason, 'tool-calls');
  assert.deepEqual(res.steps[0].toolCalls.map((c) => [c.toolCallId, c.toolName, c.input]), [[TOOL_CALL.id, 'get_weather', toolArgs]]);
  assert.deepEqual(weather.calls, [toolArgs]);
  assert.equal(res.text, `Tool said: ${JSON.stringify(weatherReport('Paris'))}`);
  assert.equal(res.finishReason, 'stop');

  const [first, second] = sentWith('[ai-oc-tools]', 2);
  assert.equal(first.body.tools[0].type, 'function');
  assert.equal(first.body.tools[0].function.name, 'get_weather');
  assert.equal(first.body.tools[0].function.description, 'Current weather for a city');
  assert.deepEqual(withoutMeta(first.body.tools[0].function.parameters), weatherJsonSchema);
  assert.deepEqual(second.body.messages.map((m) => m.role), ['user', 'assistant', 'tool']);
  assert.equal(second.body.messages[1].tool_calls[0].id, TOOL_CALL.id);
  assert.equal(second.body.messages[2].tool_call_id, TOOL_CALL.id);
  assert.deepEqual(JSON.parse(second.body.messages[2].content), weatherReport('Paris'));

  // Streamed, with text before two parallel calls: both run, and both results go back in the second step.
  const streamedTool = weatherTool();
  const { result, text } = streamTextCollecting({
    model: aiOpenAI().chat(CHAT_MODEL),
    prompt: 'Weather in Paris and Tokyo? TEXT_AND_TOOL TWO_TOOLS [ai-oc-tools-stream]',
    tools: { get_weather: streamedTool.tool },
    stopWhen: stepCountIs(2),
  });
  const streamedText = await text();
  const steps = await result.steps;
  assert.equal(steps.length, 2);
  assert.equal(steps[0].text, TOOL_PREAMBLE);
  assert.deepEqual(steps[0].toolCalls.map((c) => [c.toolCallId, c.input]), [[TOOL_CALL.id, toolArgs], [SECOND_TOOL_CALL.id, secondToolArgs]]);
  assert.deepEqual(streamedTool.calls, [toolArgs, secondToolArgs]);
  assert.equal(streamedText, TOOL_PREAMBLE + `Tool said: ${JSON.stringify(weatherReport('Tokyo'))}`);
  const [, streamSecond] = sentWith('[ai-oc-tools-stream]', 2);
  assert.deepEqual(streamSecond.body.messages.map((m) => m.role), ['user', 'assistant', 'tool', 'tool']);
  assert.equal(streamSecond.body.messages[1].content, TOOL_PREAMBLE);
});

test('ai-sdk openai.chat: generateObject, streamObject and Output.object with a json_schema response_format', async () => {
  const model = aiOpenAI().chat(CHAT_MODEL);
  const generated = await generateObject({ model, schema: objectSchema, prompt: 'Weather as an object. [ai-oc-object]' });
  assert.deepEqual(generated.object, OBJECT_REPLY);
  assert.equal(generated.usage.inputTokens, DEFAULT_USAGE.prompt);
  const [sent] = sentWith('[ai-oc-object]', 1);
  assert.equal(sent.body.response_format.type, 'json_schema');
  assert.deepEqual(Object.keys(sent.body.response_format.json_schema.schema.properties), ['city', 'temperature', 'conditions']);

  const streamed = streamObject({ model, schema: objectSchema, prompt: 'Stream the object. [ai-oc-object-stream]' });
  const partials = [];
  for await (const partial of streamed.partialObjectStream) partials.push(partial);
  assert.deepEqual(await streamed.object, OBJECT_REPLY);
  assert.ok(partials.length > 1, `partial objects: ${JSON.stringify(partials)}`);

  const viaText = await generateText({ model, output: Output.object({ schema: objectSchema }), prompt: 'Object via generateText. [ai-oc-output]' });
  assert.deepEqual(viaText.output, OBJECT_REPLY);
  assert.equal(sentWith('[ai-oc-output]', 1)[0].body.response_format.type, 'json_schema');
});

test('ai-sdk openai: embed and embedMany', async () => {
  const model = aiOpenAI().embedding(EMBED_MODEL);
  const one = await embed({ model, value: 'one text [ai-embed]' });
  assert.deepEqual(one.embedding, fakeEmbedding('one text [ai-embed]', 0));
  assert.equal(one.usage.tokens, 4);
  const [sent] = sentWith('[ai-embed]', 1);
  assert.equal(sent.path, '/v1/embeddings');
  assert.equal(sent.body.model, EMBED_MODEL);

  const values = ['first [ai-embed-many]', 'second'];
  const many = await embedMany({ model, values });
  assert.equal(many.embeddings.length, 2);
  many.embeddings.forEach((e, i) => assert.deepEqual(e, fakeEmbedding(values[i], i)));
  assert.deepEqual(sentWith('[ai-embed-many]', 1)[0].body.input, values);
});

// ---------------------------------------------------------------- Vercel AI SDK: OpenAI Responses API

test('ai-sdk openai(model) Responses API on an OpenAI channel: forwarded to the upstream /v1/responses', async () => {
  const model = aiOpenAI()(CHAT_MODEL);
  const res = await generateText({ model, prompt: 'Say hello. [ai-or-native] USAGE:7:3' });
  assert.equal(res.text, REPLY_TEXT);
  assert.deepEqual([res.usage.inputTokens, res.usage.outputTokens, res.usage.totalTokens], [7, 3, 10]);
  const [sent] = sentWith('[ai-or-native]', 1);
  assert.equal(sent.path, '/v1/responses');
  assert.equal(sent.body.model, CHAT_MODEL);

  const { result, text } = streamTextCollecting({ model, prompt: 'Stream please. [ai-or-native-stream] USAGE:8:4' });
  assert.equal(await text(), REPLY_TEXT);
  const usage = await result.usage;
  assert.deepEqual([usage.inputTokens, usage.outputTokens], [8, 4]);
  assert.equal(sentWith('[ai-or-native-stream]', 1)[0].body.stream, true);

  // A tool step with text first: the SDK sends the text back as an item_reference, which the upstream resolves.
  const weather = weatherTool();
  const tools = await generateText({
    model, prompt: 'Weather? TEXT_AND_TOOL [ai-or-native-tools]', tools: { get_weather: weather.tool }, stopWhen: stepCountIs(2),
  });
  assert.equal(tools.steps.length, 2);
  assert.equal(tools.text, `Tool said: ${JSON.stringify(weatherReport('Paris'))}`);
  const [, second] = sentWith('[ai-or-native-tools]', 2);
  assert.deepEqual(second.body.input.map((i) => i.type ?? i.role), ['user', 'item_reference', 'function_call', 'function_call_output']);
});

test('ai-sdk openai.responses: generateText and streamText converted to chat completions (channel without a Responses API)', async () => {
  const model = aiOpenAI().responses(RESP_MODEL);
  const res = await generateText({ model, system: 'Be brief. [ai-or-system]', prompt: 'Say hello. [ai-or-gen] USAGE:9:4', maxOutputTokens: 50 });
  assert.equal(res.text, REPLY_TEXT);
  assert.equal(res.finishReason, 'stop');
  assert.deepEqual([res.usage.inputTokens, res.usage.outputTokens, res.usage.totalTokens], [9, 4, 13]);
  const [sent] = sentWith('[ai-or-gen]', 1);
  assert.equal(sent.path, '/v1/chat/completions');
  assert.equal(sent.body.model, RESP_MODEL);
  assert.equal(sent.body.max_tokens ?? sent.body.max_completion_tokens, 50);
  assert.deepEqual(sent.body.messages.map((m) => m.role), ['system', 'user']);

  const { sent: streamSent } = await expectStreamedReply(model, 'ai-or-stream', [10, 3]);
  assert.equal(streamSent.path, '/v1/chat/completions');
});

test('ai-sdk openai.responses: tool round trip converted to chat completions (generateText and streamText)', async () => {
  const model = aiOpenAI().responses(RESP_MODEL);
  const weather = weatherTool();
  const res = await generateText({ model, prompt: 'Weather in Paris? [ai-or-tools]', tools: { get_weather: weather.tool }, stopWhen: stepCountIs(2) });
  assert.equal(res.steps.length, 2);
  assert.deepEqual(res.steps[0].toolCalls.map((c) => [c.toolCallId, c.toolName, c.input]), [[TOOL_CALL.id, 'get_weather', toolArgs]]);
  assert.equal(res.text, `Tool said: ${JSON.stringify(weatherReport('Paris'))}`);
  const [first, second] = sentWith('[ai-or-tools]', 2);
  assert.equal(first.path, '/v1/chat/completions');
  assert.equal(first.body.tools[0].function.name, 'get_weather');
  assert.deepEqual(withoutMeta(first.body.tools[0].function.parameters), weatherJsonSchema);
  assert.deepEqual(second.body.messages.map((m) => m.role), ['user', 'assistant', 'tool']);
  assert.equal(second.body.messages[2].tool_call_id, TOOL_CALL.id);

  const streamed = weatherTool();
  const { result, text } = streamTextCollecting({
    model, prompt: 'Weather in Paris and Tokyo? TWO_TOOLS [ai-or-tools-stream]', tools: { get_weather: streamed.tool }, stopWhen: stepCountIs(2),
  });
  assert.equal(await text(), `Tool said: ${JSON.stringify(weatherReport('Tokyo'))}`);
  const steps = await result.steps;
  assert.deepEqual(steps[0].toolCalls.map((c) => [c.toolCallId, c.input]), [[TOOL_CALL.id, toolArgs], [SECOND_TOOL_CALL.id, secondToolArgs]]);
  assert.deepEqual(sentWith('[ai-or-tools-stream]', 2)[1].body.messages.map((m) => m.role), ['user', 'assistant', 'tool', 'tool']);
});

test('ai-sdk openai.responses: earlier assistant text sent back as item_reference (multi-turn, and a tool step with text)', async () => {
  // With the Responses API the SDK stores by default (store: true) and sends an earlier assistant text item back as
  // {type: "item_reference", id: "msg_…"}: the id of the message item the gateway itself returned one call before.
  // OpenAI resolves such references; a gateway that converts the request to chat completions has to resolve them too.
  const model = aiOpenAI().responses(RESP_MODEL);
  const failures = [];
  const describe = (err) => `${err?.statusCode ?? ''} ${err?.responseBody ?? err}`;

  // A second turn: [user, assistant (item_reference), user].
  const question = { role: 'user', content: 'First question. [ai-or-turn-1]' };
  try {
    const first = await generateText({ model, messages: [question], maxRetries: 0 });
    const second = await generateText({
      model, messages: [question, ...first.response.messages, { role: 'user', content: 'Second question. [ai-or-turn-2]' }], maxRetries: 0,
    });
    assert.equal(second.text, REPLY_TEXT);
    const sent = sentWith('[ai-or-turn-2]', 1)[0].body.messages;
    assert.deepEqual(sent.map((m) => [m.role, m.content]), [['user', question.content], ['assistant', REPLY_TEXT], ['user', 'Second question. [ai-or-turn-2]']]);
  } catch (err) {
    failures.push(`second turn: ${describe(err)}`);
  }

  // A tool loop whose first step has text before the call: step 2 carries [user, item_reference, function_call, output].
  try {
    const weather = weatherTool();
    const res = await generateText({
      model, prompt: 'Weather in Paris? TEXT_AND_TOOL [ai-or-tools-text]', tools: { get_weather: weather.tool }, stopWhen: stepCountIs(2), maxRetries: 0,
    });
    assert.equal(res.steps.length, 2);
    assert.equal(res.steps[0].text, TOOL_PREAMBLE);
    assert.equal(res.text, `Tool said: ${JSON.stringify(weatherReport('Paris'))}`);
    const [, second] = sentWith('[ai-or-tools-text]', 2);
    assert.deepEqual(second.body.messages.map((m) => m.role), ['user', 'assistant', 'tool']);
    assert.equal(second.body.messages[1].content, TOOL_PREAMBLE);
    assert.equal(second.body.messages[1].tool_calls[0].id, TOOL_CALL.id);
  } catch (err) {
    failures.push(`tool step with text: ${describe(err)}`);
  }
  assert.deepEqual(failures, []);
});

test('ai-sdk openai.responses: generateObject and streamObject through the converted text.format', async () => {
  const model = aiOpenAI().responses(RESP_MODEL);
  const generated = await generateObject({ model, schema: objectSchema, prompt: 'Weather as an object. [ai-or-object]' });
  assert.deepEqual(generated.object, OBJECT_REPLY);
  const [sent] = sentWith('[ai-or-object]', 1);
  assert.equal(sent.path, '/v1/chat/completions');
  assert.equal(sent.body.response_format?.type, 'json_schema', JSON.stringify(sent.body));
  assert.deepEqual(Object.keys(sent.body.response_format.json_schema.schema.properties), ['city', 'temperature', 'conditions']);

  const streamed = streamObject({ model, schema: objectSchema, prompt: 'Stream the object. [ai-or-object-stream]' });
  for await (const partial of streamed.partialObjectStream) void partial;
  assert.deepEqual(await streamed.object, OBJECT_REPLY);
});

// ---------------------------------------------------------------- Vercel AI SDK: Anthropic provider

test('ai-sdk anthropic: generateText and streamText through /v1/messages', async () => {
  const model = aiAnthropic()(CHAT_MODEL);
  const res = await generateText({ model, system: 'Be brief. [ai-an-system]', prompt: 'Say hello. [ai-an-gen] USAGE:31:9', maxOutputTokens: 200 });
  assert.equal(res.text, REPLY_TEXT);
  assert.equal(res.finishReason, 'stop');
  assert.deepEqual([res.usage.inputTokens, res.usage.outputTokens, res.usage.totalTokens], [31, 9, 40]);
  const [sent] = sentWith('[ai-an-gen]', 1);
  assert.equal(sent.path, '/v1/chat/completions');
  assert.equal(sent.body.max_tokens, 200);
  assert.deepEqual(sent.body.messages.map((m) => m.role), ['system', 'user']);
  assert.match(JSON.stringify(sent.body.messages[0].content), /\[ai-an-system\]/);

  await expectStreamedReply(model, 'ai-an-stream', [17, 4], { maxOutputTokens: 200 });
});

test('ai-sdk anthropic: tool() multi-step round trip (generateText and streamText)', async () => {
  const model = aiAnthropic()(CHAT_MODEL);
  const weather = weatherTool();
  const res = await generateText({
    model, prompt: 'Weather in Paris? [ai-an-tools]', tools: { get_weather: weather.tool }, stopWhen: stepCountIs(2), maxOutputTokens: 200,
  });
  assert.equal(res.steps.length, 2);
  assert.equal(res.steps[0].finishReason, 'tool-calls');
  assert.deepEqual(res.steps[0].toolCalls.map((c) => [c.toolCallId, c.toolName, c.input]), [[TOOL_CALL.id, 'get_weather', toolArgs]]);
  assert.equal(res.text, `Tool said: ${JSON.stringify(weatherReport('Paris'))}`);
  const [first, second] = sentWith('[ai-an-tools]', 2);
  assert.equal(first.body.tools[0].function.name, 'get_weather');
  assert.deepEqual(withoutMeta(first.body.tools[0].function.parameters), weatherJsonSchema);
  assert.deepEqual(second.body.messages.map((m) => m.role), ['user', 'assistant', 'tool']);
  assert.equal(second.body.messages[2].tool_call_id, TOOL_CALL.id);

  const streamed = weatherTool();
  const { result, text } = streamTextCollecting({
    model, prompt: 'Weather? TEXT_AND_TOOL TWO_TOOLS [ai-an-tools-stream]', tools: { get_weather: streamed.tool }, stopWhen: stepCountIs(2), maxOutputTokens: 200,
  });
  assert.equal(await text(), TOOL_PREAMBLE + `Tool said: ${JSON.stringify(weatherReport('Tokyo'))}`);
  const steps = await result.steps;
  assert.deepEqual(steps[0].toolCalls.map((c) => [c.toolCallId, c.input]), [[TOOL_CALL.id, toolArgs], [SECOND_TOOL_CALL.id, secondToolArgs]]);
  const streamSecond = sentWith('[ai-an-tools-stream]', 2)[1].body.messages;
  assert.deepEqual(streamSecond.map((m) => m.role), ['user', 'assistant', 'tool', 'tool']);
  assert.deepEqual(streamSecond.slice(2).map((m) => m.tool_call_id), [TOOL_CALL.id, SECOND_TOOL_CALL.id]);
});

// ---------------------------------------------------------------- Vercel AI SDK: Google provider

test('ai-sdk google: generateText and streamText through /v1beta/models/{model}:generateContent', async () => {
  const model = aiGoogle()(CHAT_MODEL);
  const res = await generateText({
    model, system: 'Be brief. [ai-gm-system]', prompt: 'Say hello. [ai-gm-gen] USAGE:19:3', temperature: 0.3, maxOutputTokens: 64,
  });
  assert.equal(res.text, REPLY_TEXT);
  assert.equal(res.finishReason, 'stop');
  assert.deepEqual([res.usage.inputTokens, res.usage.outputTokens, res.usage.totalTokens], [19, 3, 22]);
  const [sent] = sentWith('[ai-gm-gen]', 1);
  assert.equal(sent.path, '/v1/chat/completions');
  assert.equal(sent.body.temperature, 0.3);
  assert.equal(sent.body.max_tokens, 64);
  assert.deepEqual(sent.body.messages.map((m) => m.role), ['system', 'user']);

  await expectStreamedReply(model, 'ai-gm-stream', [8, 2]);
});

test('ai-sdk google: tool() multi-step round trip (generateText and streamText)', async () => {
  const model = aiGoogle()(CHAT_MODEL);
  const weather = weatherTool();
  const res = await generateText({ model, prompt: 'Weather in Paris? [ai-gm-tools]', tools: { get_weather: weather.tool }, stopWhen: stepCountIs(2) });
  assert.equal(res.steps.length, 2);
  assert.deepEqual(res.steps[0].toolCalls.map((c) => [c.toolName, c.input]), [['get_weather', toolArgs]]);
  assert.deepEqual(weather.calls, [toolArgs]);
  assert.match(res.text, /^Tool said: /);
  assert.deepEqual(JSON.parse(res.text.slice('Tool said: '.length)), { name: 'get_weather', content: weatherReport('Paris') });
  const [first, second] = sentWith('[ai-gm-tools]', 2);
  assert.equal(first.body.tools[0].function.name, 'get_weather');
  assert.deepEqual(withoutMeta(first.body.tools[0].function.parameters), weatherJsonSchema);
  const messages = second.body.messages;
  assert.deepEqual(messages.map((m) => m.role), ['user', 'assistant', 'tool']);
  assert.equal(messages[2].tool_call_id, messages[1].tool_calls[0].id, 'the tool message answers the assistant tool call');

  const streamed = weatherTool();
  const { result, text } = streamTextCollecting({
    model, prompt: 'Weather? TEXT_AND_TOOL TWO_TOOLS [ai-gm-tools-stream]', tools: { get_weather: streamed.tool }, stopWhen: stepCountIs(2),
  });
  const streamedText = await text();
  assert.ok(streamedText.startsWith(TOOL_PREAMBLE + 'Tool said: '), streamedText);
  const steps = await result.steps;
  assert.deepEqual(steps[0].toolCalls.map((c) => c.input), [toolArgs, secondToolArgs]);
  assert.deepEqual(streamed.calls, [toolArgs, secondToolArgs]);
  const streamSecond = sentWith('[ai-gm-tools-stream]', 2)[1].body.messages;
  assert.deepEqual(streamSecond.map((m) => m.role), ['user', 'assistant', 'tool', 'tool']);
  assert.deepEqual(streamSecond.slice(2).map((m) => m.tool_call_id), streamSecond[1].tool_calls.map((c) => c.id));
});

test('ai-sdk google: embed and embedMany through the Gemini embedding routes', async () => {
  const model = aiGoogle().embedding(EMBED_MODEL);
  const one = await embed({ model, value: 'gemini one [ai-gm-embed]' });
  assert.deepEqual(one.embedding, fakeEmbedding('gemini one [ai-gm-embed]', 0));
  const values = ['gemini many [ai-gm-embed-many]', 'two'];
  const many = await embedMany({ model, values });
  many.embeddings.forEach((e, i) => assert.deepEqual(e, fakeEmbedding(values[i], i)));
  assert.equal(sentWith('[ai-gm-embed-many]', 1)[0].path, '/v1/embeddings');
});

// ---------------------------------------------------------------- Vercel AI SDK: errors

test('ai-sdk: upstream 429 and 400 arrive as APICallError with status and message, for every provider', async () => {
  const models = {
    'openai.chat': aiOpenAI().chat(CHAT_MODEL),
    'openai.responses': aiOpenAI().responses(RESP_MODEL),
    anthropic: aiAnthropic()(CHAT_MODEL),
    google: aiGoogle()(CHAT_MODEL),
  };
  for (const [name, model] of Object.entries(models)) {
    await assert.rejects(generateText({ model, prompt: 'FAIL_429', maxRetries: 0, maxOutputTokens: 32 }), (err) => {
      assert.ok(APICallError.isInstance(err), `${name}: got ${err?.constructor?.name}: ${err}`);
      assert.equal(err.statusCode, 429, name);
      assert.equal(err.isRetryable, true, name);
      assert.match(err.message, /Rate limit reached/, `${name}: ${err.message}`);
      return true;
    });
    await assert.rejects(generateText({ model, prompt: 'FAIL_400', maxRetries: 0, maxOutputTokens: 32 }), (err) => {
      assert.ok(APICallError.isInstance(err), `${name}: got ${err?.constructor?.name}: ${err}`);
      assert.equal(err.statusCode, 400, name);
      assert.equal(err.isRetryable, false, name);
      assert.match(err.message, /rejected by the fake upstream/, `${name}: ${err.message}`);
      return true;
    });
    // A stream that fails before its first byte reports the same error through onError.
    const { text } = streamTextCollecting({ model, prompt: 'FAIL_429', maxRetries: 0, maxOutputTokens: 32 });
    await assert.rejects(text(), (err) => APICallError.isInstance(err) && err.statusCode === 429);
  }
});

// ---------------------------------------------------------------- LangChain: OpenAI

test('langchain ChatOpenAI: invoke and stream', async () => {
  const chat = lcOpenAI({ temperature: 0.4 });
  const res = await chat.invoke([new SystemMessage('Be brief. [lc-oa-system]'), new HumanMessage('Say hello. [lc-oa-invoke] USAGE:9:4')]);
  assert.equal(res.text, REPLY_TEXT);
  assert.deepEqual(res.usage_metadata && [res.usage_metadata.input_tokens, res.usage_metadata.output_tokens, res.usage_metadata.total_tokens], [9, 4, 13]);
  assert.equal(res.response_metadata.finish_reason, 'stop');
  const [sent] = sentWith('[lc-oa-invoke]', 1);
  assert.equal(sent.path, '/v1/chat/completions');
  assert.equal(sent.body.temperature, 0.4);
  assert.deepEqual(sent.body.messages.map((m) => m.role), ['system', 'user']);

  const { all, chunks } = await lcCollect(await chat.stream('Stream please. [lc-oa-stream] USAGE:6:2'));
  assert.ok(chunks > 2, `chunks: ${chunks}`);
  assert.equal(all.text, REPLY_TEXT);
  assert.deepEqual([all.usage_metadata?.input_tokens, all.usage_metadata?.output_tokens], [6, 2]);
  assert.deepEqual(sentWith('[lc-oa-stream]', 1)[0].body.stream_options, { include_usage: true });
});

test('langchain ChatOpenAI: bindTools, tool call (invoke and stream) and the ToolMessage round trip', async () => {
  const chat = lcOpenAI().bindTools([lcWeather]);
  const question = new HumanMessage('Weather in Paris? [lc-oa-tools]');
  const ai = await chat.invoke([question]);
  assert.deepEqual(ai.tool_calls.map((c) => [c.id, c.name, c.args]), [[TOOL_CALL.id, 'get_weather', toolArgs]]);
  const toolMessage = await lcWeather.invoke(ai.tool_calls[0]);
  assert.equal(toolMessage.tool_call_id, TOOL_CALL.id);
  const final = await chat.invoke([question, ai, toolMessage]);
  assert.equal(final.text, `Tool said: ${JSON.stringify(weatherReport('Paris'))}`);
  const [first, second] = sentWith('[lc-oa-tools]', 2);
  assert.equal(first.body.tools[0].function.name, 'get_weather');
  assert.deepEqual(withoutMeta(first.body.tools[0].function.parameters), weatherJsonSchema);
  assert.deepEqual(second.body.messages.map((m) => m.role), ['user', 'assistant', 'tool']);

  const { all } = await lcCollect(await chat.stream('Weather in Paris and Tokyo? TEXT_AND_TOOL TWO_TOOLS [lc-oa-tools-stream]'));
  assert.equal(all.text, TOOL_PREAMBLE);
  assert.deepEqual(all.tool_calls.map((c) => [c.id, c.name, c.args]), [[TOOL_CALL.id, 'get_weather', toolArgs], [SECOND_TOOL_CALL.id, 'get_weather', secondToolArgs]]);
});

test('langchain ChatOpenAI with useResponsesApi: invoke, stream and tool round trip (native and converted)', async () => {
  for (const [model, path, tag] of [[CHAT_MODEL, '/v1/responses', 'native'], [RESP_MODEL, '/v1/chat/completions', 'converted']]) {
    const chat = lcOpenAI({ model, useResponsesApi: true });
    const res = await chat.invoke(`Say hello. [lc-or-${tag}] USAGE:5:2`);
    assert.equal(res.text, REPLY_TEXT, tag);
    assert.deepEqual([res.usage_metadata?.input_tokens, res.usage_metadata?.output_tokens], [5, 2], tag);
    assert.equal(sentWith(`[lc-or-${tag}]`, 1)[0].path, path, tag);

    const { all } = await lcCollect(await chat.stream(`Stream please. [lc-or-${tag}-stream] USAGE:4:3`));
    assert.equal(all.text, REPLY_TEXT, tag);
    assert.deepEqual([all.usage_metadata?.input_tokens, all.usage_metadata?.output_tokens], [4, 3], tag);

    const withTools = chat.bindTools([lcWeather]);
    const question = new HumanMessage(`Weather in Paris? [lc-or-${tag}-tools]`);
    const ai = await withTools.invoke([question]);
    assert.deepEqual(ai.tool_calls.map((c) => [c.id, c.name, c.args]), [[TOOL_CALL.id, 'get_weather', toolArgs]], tag);
    const final = await withTools.invoke([question, ai, await lcWeather.invoke(ai.tool_calls[0])]);
    assert.equal(final.text, `Tool said: ${JSON.stringify(weatherReport('Paris'))}`, tag);
  }
});

test('langchain OpenAIEmbeddings: embedQuery and embedDocuments', async () => {
  const embeddings = new OpenAIEmbeddings({ model: EMBED_MODEL, apiKey: key, configuration: { baseURL: gateway.url + '/v1' }, maxRetries: 0 });
  const query = await embeddings.embedQuery('query text [lc-embed-q]');
  assert.equal(query.length, EMBEDDING_DIM);
  fakeEmbedding('query text [lc-embed-q]', 0).forEach((v, i) => assert.ok(Math.abs(query[i] - v) < 1e-6, `query[${i}]`));
  const docs = ['doc one [lc-embed-d]', 'doc two'];
  const vectors = await embeddings.embedDocuments(docs);
  assert.equal(vectors.length, 2);
  vectors.forEach((vec, d) => fakeEmbedding(docs[d], d).forEach((v, i) => assert.ok(Math.abs(vec[i] - v) < 1e-6, `doc ${d}[${i}]`)));
  assert.deepEqual(sentWith('[lc-embed-d]', 1)[0].body.input, docs);
});

// ---------------------------------------------------------------- LangChain: Anthropic

test('langchain ChatAnthropic: invoke and stream', async () => {
  const chat = lcAnthropic({ maxTokens: 300 });
  const res = await chat.invoke([new SystemMessage('Be brief. [lc-an-system]'), new HumanMessage('Say hello. [lc-an-invoke] USAGE:9:4')]);
  assert.equal(res.text, REPLY_TEXT);
  assert.equal(res.response_metadata.stop_reason, 'end_turn');
  assert.deepEqual([res.usage_metadata?.input_tokens, res.usage_metadata?.output_tokens, res.usage_metadata?.total_tokens], [9, 4, 13]);
  const [sent] = sentWith('[lc-an-invoke]', 1);
  assert.equal(sent.body.max_tokens, 300);
  assert.deepEqual(sent.body.messages.map((m) => m.role), ['system', 'user']);

  const { all, chunks } = await lcCollect(await chat.stream('Stream please. [lc-an-stream] USAGE:6:2'));
  assert.ok(chunks > 2, `chunks: ${chunks}`);
  assert.equal(all.text, REPLY_TEXT);
  // ChatAnthropic takes input_tokens from message_start only. A gateway converting an OpenAI stream can only put its
  // own estimate there (the upstream reports usage last); the real count follows in message_delta, which
  // ChatAnthropic reads for output_tokens.
  assert.equal(all.usage_metadata?.output_tokens, 2);
  assert.ok(Number.isInteger(all.usage_metadata?.input_tokens) && all.usage_metadata.input_tokens > 0, JSON.stringify(all.usage_metadata));
  assert.equal(sentWith('[lc-an-stream]', 1)[0].body.stream, true);
});

test('langchain ChatAnthropic: bindTools tool call and the ToolMessage round trip', async () => {
  const chat = lcAnthropic({ maxTokens: 300 }).bindTools([lcWeather]);
  const question = new HumanMessage('Weather in Paris? [lc-an-tools]');
  const ai = await chat.invoke([question]);
  assert.deepEqual(ai.tool_calls.map((c) => [c.id, c.name, c.args]), [[TOOL_CALL.id, 'get_weather', toolArgs]]);
  const final = await chat.invoke([question, ai, await lcWeather.invoke(ai.tool_calls[0])]);
  assert.equal(final.text, `Tool said: ${JSON.stringify(weatherReport('Paris'))}`);
  const [, second] = sentWith('[lc-an-tools]', 2);
  assert.deepEqual(second.body.messages.map((m) => m.role), ['user', 'assistant', 'tool']);
  assert.equal(second.body.messages[2].tool_call_id, TOOL_CALL.id);

  const { all } = await lcCollect(await chat.stream('Weather? TEXT_AND_TOOL TWO_TOOLS [lc-an-tools-stream]'));
  assert.equal(all.text, TOOL_PREAMBLE);
  assert.deepEqual(all.tool_calls.map((c) => [c.id, c.args]), [[TOOL_CALL.id, toolArgs], [SECOND_TOOL_CALL.id, secondToolArgs]]);
});

// ---------------------------------------------------------------- LangChain: Google

test('langchain ChatGoogleGenerativeAI (baseUrl): invoke and stream', async () => {
  const chat = lcGoogle({ temperature: 0.3, maxOutputTokens: 64 });
  const res = await chat.invoke([new SystemMessage('Be brief. [lc-gm-system]'), new HumanMessage('Say hello. [lc-gm-invoke] USAGE:9:4')]);
  assert.equal(res.text, REPLY_TEXT);
  assert.equal(res.response_metadata.finishReason, 'STOP');
  assert.deepEqual([res.usage_metadata?.input_tokens, res.usage_metadata?.output_tokens, res.usage_metadata?.total_tokens], [9, 4, 13]);
  const [sent] = sentWith('[lc-gm-invoke]', 1);
  assert.equal(sent.body.temperature, 0.3);
  assert.equal(sent.body.max_tokens, 64);
  assert.deepEqual(sent.body.messages.map((m) => m.role), ['system', 'user']);

  const { all, chunks } = await lcCollect(await chat.stream('Stream please. [lc-gm-stream] USAGE:6:2'));
  assert.ok(chunks > 2, `chunks: ${chunks}`);
  assert.equal(all.text, REPLY_TEXT);
  assert.deepEqual([all.usage_metadata?.input_tokens, all.usage_metadata?.output_tokens], [6, 2]);
  assert.equal(sentWith('[lc-gm-stream]', 1)[0].body.stream, true);
});

test('langchain ChatGoogleGenerativeAI: bindTools tool call and the ToolMessage round trip; embeddings', async () => {
  const chat = lcGoogle().bindTools([lcWeather]);
  const question = new HumanMessage('Weather in Paris? [lc-gm-tools]');
  const ai = await chat.invoke([question]);
  assert.deepEqual(ai.tool_calls.map((c) => [c.name, c.args]), [['get_weather', toolArgs]]);
  const final = await chat.invoke([question, ai, await lcWeather.invoke(ai.tool_calls[0])]);
  assert.equal(final.text, `Tool said: ${JSON.stringify(weatherReport('Paris'))}`);
  const [first, second] = sentWith('[lc-gm-tools]', 2);
  assert.deepEqual(withoutMeta(first.body.tools[0].function.parameters), weatherJsonSchema);
  const messages = second.body.messages;
  assert.deepEqual(messages.map((m) => m.role), ['user', 'assistant', 'tool']);
  assert.equal(messages[2].tool_call_id, messages[1].tool_calls[0].id);

  const embeddings = new GoogleGenerativeAIEmbeddings({ model: EMBED_MODEL, apiKey: key, baseUrl: gateway.url, maxRetries: 0 });
  const docs = ['gemini doc [lc-gm-embed]', 'two'];
  const vectors = await embeddings.embedDocuments(docs);
  vectors.forEach((vec, d) => assert.deepEqual(vec, fakeEmbedding(docs[d], d)));
});

// ---------------------------------------------------------------- LangChain: errors

test('langchain: upstream 429 and 400 keep their status and message in all three integrations', async () => {
  const chats = { ChatOpenAI: lcOpenAI(), ChatAnthropic: lcAnthropic(), ChatGoogleGenerativeAI: lcGoogle() };
  for (const [name, chat] of Object.entries(chats)) {
    await assert.rejects(chat.invoke('FAIL_429 [lc-429]'), (err) => {
      assert.equal(err.status, 429, `${name}: ${err}`);
      assert.match(err.message, /Rate limit reached/, `${name}: ${err.message}`);
      return true;
    });
    await assert.rejects(chat.invoke('FAIL_400 [lc-400]'), (err) => {
      assert.equal(err.status, 400, `${name}: ${err}`);
      assert.match(err.message, /rejected by the fake upstream/, `${name}: ${err.message}`);
      return true;
    });
  }
  // No retries were configured: one upstream request per call.
  assert.equal(sentWith('[lc-429]').length, 3);
});

// ---------------------------------------------------------------- Billing of framework traffic

test('billing: Responses calls (forwarded and converted, stream and not) are logged with the upstream usage', async () => {
  const user = await gateway.login('fwuser', USER_PASSWORD);
  const expected = [
    { model: CHAT_MODEL, prompt: 7, completion: 3, stream: false },   // [ai-or-native]
    { model: CHAT_MODEL, prompt: 8, completion: 4, stream: true },    // [ai-or-native-stream]
    { model: RESP_MODEL, prompt: 9, completion: 4, stream: false },   // [ai-or-gen]
    { model: RESP_MODEL, prompt: 10, completion: 3, stream: true },   // [ai-or-stream]
  ];
  const matching = (rows, e) => rows.some((r) => r.model_name === e.model && r.prompt_tokens === e.prompt && r.completion_tokens === e.completion && r.is_stream === e.stream);
  const rows = await poll(async () => {
    const page = await user.ok('GET', '/api/log/self?p=1&page_size=100&type=2');
    return expected.every((e) => matching(page.items, e)) ? page.items : null;
  });
  assert.ok(rows, 'consume rows for the Responses calls did not appear within 5 s');
});
