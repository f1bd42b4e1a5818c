// Coding-agent CLIs (Codex, Claude Code, Gemini CLI) run unchanged against the published binary. Each CLI talks to
// the gateway in its own dialect (OpenAI Responses, Anthropic Messages, Gemini generateContent); the gateway converts
// every call to chat completions for a fake upstream whose answers are scripted per prompt marker: a plain answer, or
// a shell tool call the agent executes followed by a final answer that quotes the tool output.
//
// A recording proxy sits between each CLI and the gateway, so a failure shows every request the CLI made and what the
// gateway answered. Each CLI runs with a temporary HOME and working directory and a minimal environment.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { createServer, request as httpRequest } from 'node:http';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Gateway, cli, poll } from './gateway.js';
import { startFakeUpstream, UPSTREAM_KEY } from './fake-upstream.js';

const ROOT_PASSWORD = 'clients-root-password';
const USER_PASSWORD = 'clients-user-password';
const TOKEN_NAME = 'agent-cli';
const MODEL_RATIO = 1;
const COMPLETION_RATIO = 2;
const CLI_TIMEOUT_MS = 60_000;
/** Printed by the shell tool the agents are asked to run; the final answer quotes it back. */
const TOOL_OUTPUT = 'hi-from-agent-tool';

// One model per CLI, so requests and consume rows can be told apart. Codex's model sits on a DeepSeek-type channel:
// vendors without a Responses API of their own get /v1/responses converted to chat completions (an OpenAI-type
// channel would pass /v1/responses through to the upstream unchanged).
const CLIENTS = {
  codex: { model: 'agent-codex', bin: 'codex', usage: { prompt: 31, completion: 7 }, shellTool: 'exec_command', shellArgs: { cmd: `echo ${TOOL_OUTPUT}` } },
  claude: { model: 'agent-claude', bin: 'claude', usage: { prompt: 23, completion: 4 }, shellTool: 'Bash', shellArgs: { command: `echo ${TOOL_OUTPUT}`, description: 'Print a word' } },
  gemini: { model: 'agent-gemini', bin: 'gemini', usage: { prompt: 17, completion: 9 }, shellTool: 'run_shell_command', shellArgs: { command: `echo ${TOOL_OUTPUT}`, description: 'Print a word' } },
};

const quotaOf = (u) => Math.round(MODEL_RATIO * (u.prompt + u.completion * COMPLETION_RATIO));

let upstream, gateway, key, session;
const scratch = [];

// ---------------------------------------------------------------- scripted upstream

const textOf = (c) => (typeof c === 'string' ? c : Array.isArray(c) ? c.map((p) => p?.text ?? '').join('') : '');
let callSeq = 0;

/**
 * Answers by marker: `[<cli>-plain]` → "DONE <cli>"; `[<cli>-tool]` → a call of the CLI's shell tool, then, once the
 * last message is the tool result, a text quoting it. Requests without a marker (side requests) get "DONE".
 */
function reply(body) {
  const messages = body.messages ?? [];
  const text = messages.map((m) => textOf(m.content)).join('\n');
  const name = Object.keys(CLIENTS).find((n) => text.includes(`[${n}-plain]`) || text.includes(`[${n}-tool]`));
  const client = CLIENTS[name];
  const usage = client?.usage;
  const last = messages.at(-1);
  if (last?.role === 'tool') return { content: `FINAL ${name}: ${textOf(last.content).trim()}`, usage };
  if (client && text.includes(`[${name}-tool]`)) {
    const tools = (body.tools ?? []).map((t) => t.function?.name);
    if (!tools.includes(client.shellTool)) return { content: `NO ${client.shellTool} TOOL among: ${tools.join(',')}`, usage };
    return { toolCalls: [{ id: `call_agent_${++callSeq}`, name: client.shellTool, arguments: JSON.stringify(client.shellArgs) }], usage };
  }
  return { content: name ? `DONE ${name}` : 'DONE', usage };
}

/** Upstream requests made for a model, in order. */
const upstreamFor = (model) => upstream.requests.filter((r) => r.body?.model === model);

// ---------------------------------------------------------------- recording proxy

/** A pass-through proxy to the gateway that records each exchange (secrets masked, bodies cut). */
async function startRecorder(target) {
  const exchanges = [];
  const to = new URL(target);
  const server = createServer(async (req, res) => {
    const chunks = [];
    for await (const c of req) chunks.push(c);
    const body = Buffer.concat(chunks);
    const headers = { ...req.headers };
    for (const h of ['authorization', 'x-api-key', 'x-goog-api-key']) if (headers[h]) headers[h] = '<masked>';
    const entry = { method: req.method, path: req.url, headers, body: body.toString('utf8'), status: null, response: '' };
    exchanges.push(entry);
    const out = httpRequest({ host: to.hostname, port: to.port, method: req.method, path: req.url, headers: { ...req.headers, host: to.host } }, (up) => {
      entry.status = up.statusCode;
      res.writeHead(up.statusCode, up.headers);
      up.on('data', (d) => { entry.response += d; res.write(d); });
      up.on('end', () => res.end());
    });
    out.on('error', (e) => { entry.status = 502; entry.response = String(e); res.writeHead(502); res.end(); });
    out.end(body);
  });
  await new Promise((ok) => server.listen(0, '127.0.0.1', ok));
  return {
    url: `http://127.0.0.1:${server.address().port}`,
    exchanges,
    /** One line per exchange, with the body and answer of failed ones. */
    describe() {
      return exchanges.map((e) => `${e.method} ${e.path} -> ${e.status}` + (e.status === 200 ? ''
        : `\n  headers: ${JSON.stringify(e.headers)}\n  body: ${e.body.slice(0, 1500)}\n  answer: ${e.response.slice(0, 1500)}`)).join('\n');
    },
    close: () => new Promise((ok) => { server.closeAllConnections(); server.close(ok); }),
  };
}

// ---------------------------------------------------------------- running a CLI

const binPath = (name) => fileURLToPath(new URL(`./node_modules/.bin/${name}`, import.meta.url));

/** Why the CLI cannot run here, or null when `<bin> --version` works. */
function unavailable(name) {
  const path = binPath(name);
  if (!existsSync(path)) return `${name} is not installed (npm install in tests/sdk)`;
  const r = spawnSync(path, ['--version'], { env: baseEnv(mkScratch()), encoding: 'utf8', timeout: 30_000 });
  if (r.error || r.status !== 0) return `${name} --version failed: ${r.error?.message ?? ''}${r.stderr ?? ''}`.trim();
  return null;
}

function mkScratch() {
  const dir = mkdtempSync(join(tmpdir(), 'newapi-agent-'));
  scratch.push(dir);
  mkdirSync(join(dir, 'home'));
  mkdirSync(join(dir, 'work'));
  return dir;
}

/** A minimal environment: no inherited API keys or proxies; HOME inside the scratch directory. */
function baseEnv(dir) {
  return {
    PATH: process.env.PATH,
    HOME: join(dir, 'home'),
    TMPDIR: tmpdir(),
    LANG: 'C.UTF-8',
    TERM: 'dumb',
    NO_COLOR: '1',
  };
}

/** Runs the CLI to completion in the scratch working directory; resolves with exit code and output. */
function run(name, args, dir, env) {
  return new Promise((ok, fail) => {
    const p = spawn(binPath(name), args, { cwd: join(dir, 'work'), env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d) => { stdout += d; });
    p.stderr.on('data', (d) => { stderr += d; });
    const timer = setTimeout(() => p.kill('SIGKILL'), CLI_TIMEOUT_MS);
    p.on('error', (e) => { clearTimeout(timer); fail(e); });
    p.on('exit', (code, signal) => { clearTimeout(timer); ok({ code, signal, stdout, stderr }); });
  });
}

/** Runs one CLI through a fresh recording proxy; returns the run and the recorder. */
async function runThroughGateway(name, buildCommand) {
  const dir = mkScratch();
  const recorder = await startRecorder(gateway.url);
  try {
    const { args, env } = buildCommand(recorder.url, dir);
    const result = await run(CLIENTS[name].bin, args, dir, { ...baseEnv(dir), ...env });
    return { ...result, recorder };
  } finally {
    await recorder.close();
  }
}

function explain(r) {
  return `exit ${r.code}${r.signal ? ` (${r.signal})` : ''}\nstdout: ${r.stdout.slice(-2000)}\nstderr: ${r.stderr.slice(-3000)}\n`
    + `gateway exchanges:\n${r.recorder.describe()}`;
}

// ---------------------------------------------------------------- per-CLI commands

const commands = {
  // Codex: a custom provider on the Responses API; `exec` is the non-interactive mode. The sandbox is bypassed so the
  // scripted `echo` does not depend on the host's namespace support.
  codex: (prompt) => (url, dir) => {
    mkdirSync(join(dir, 'home', '.codex'));
    return {
      args: [
        'exec', '--skip-git-repo-check', '--dangerously-bypass-approvals-and-sandbox',
        '-m', CLIENTS.codex.model,
        '-c', 'model_provider=newapi',
        '-c', `model_providers.newapi={ name = "newapi", base_url = "${url}/v1", env_key = "NEWAPI_KEY", wire_api = "responses" }`,
        prompt,
      ],
      env: { CODEX_HOME: join(dir, 'home', '.codex'), NEWAPI_KEY: key },
    };
  },
  // Claude Code: print mode; the Bash tool is allowed without a prompt.
  claude: (prompt, tools = []) => (url) => ({
    args: ['-p', '--model', CLIENTS.claude.model, ...tools.flatMap((t) => ['--allowedTools', t]), '--', prompt],
    env: {
      ANTHROPIC_BASE_URL: url,
      ANTHROPIC_API_KEY: key,
      DISABLE_TELEMETRY: '1',
      DISABLE_AUTOUPDATER: '1',
      DISABLE_ERROR_REPORTING: '1',
      CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
    },
  }),
  // Gemini CLI: GOOGLE_GEMINI_BASE_URL alone selects the "gateway" auth type, which the non-interactive auth check of
  // this version rejects ("Invalid auth method selected."); the user settings pin the API-key auth type, which still
  // takes its endpoint from GOOGLE_GEMINI_BASE_URL. --skip-trust: the scratch directory is not a trusted folder.
  // --yolo: the shell tool is only offered, and run without asking, in that approval mode.
  gemini: (prompt, yolo = false) => (url, dir) => {
    mkdirSync(join(dir, 'home', '.gemini'), { recursive: true });
    writeFileSync(join(dir, 'home', '.gemini', 'settings.json'), JSON.stringify({ security: { auth: { selectedType: 'gemini-api-key' } } }));
    return {
      args: ['--skip-trust', ...(yolo ? ['--yolo'] : []), '-m', CLIENTS.gemini.model, '-p', prompt],
      env: { GOOGLE_GEMINI_BASE_URL: url, GEMINI_API_KEY: key, GEMINI_CLI_NO_RELAUNCH: 'true' },
    };
  },
};

const skipReason = Object.fromEntries(Object.keys(CLIENTS).map((n) => [n, unavailable(CLIENTS[n].bin)]));

// ---------------------------------------------------------------- set-up

before(async () => {
  upstream = await startFakeUpstream({ reply });
  gateway = new Gateway();
  const dir = gateway.dataDir;
  await cli(dir, ['setup', '--username', 'root', '--password-stdin'], ROOT_PASSWORD);
  await cli(dir, ['user', 'create', '-u', 'agentuser', '--password-stdin', '--quota', '100000000'], USER_PASSWORD);
  key = (await cli(dir, ['token', 'create', '--user', 'agentuser', '--name', TOKEN_NAME, '--unlimited'])).trim();
  assert.match(key, /^sk-\S+$/);
  await gateway.start();

  const root = await gateway.login('root', ROOT_PASSWORD);
  const models = Object.values(CLIENTS).map((c) => c.model);
  await root.ok('POST', '/api/channel/', {
    mode: 'single',
    channel: { type: 1, name: 'fake-openai', key: UPSTREAM_KEY, base_url: upstream.url, models: [CLIENTS.claude.model, CLIENTS.gemini.model].join(','), group: 'default' },
  });
  await root.ok('POST', '/api/channel/', {
    mode: 'single',
    channel: { type: 43, name: 'fake-chat-only', key: UPSTREAM_KEY, base_url: upstream.url, models: CLIENTS.codex.model, group: 'default' },
  });
  await root.ok('PUT', '/api/option/', { key: 'ModelRatio', value: JSON.stringify(Object.fromEntries(models.map((m) => [m, MODEL_RATIO]))) });
  await root.ok('PUT', '/api/option/', { key: 'CompletionRatio', value: JSON.stringify(Object.fromEntries(models.map((m) => [m, COMPLETION_RATIO]))) });
  session = await gateway.login('agentuser', USER_PASSWORD);
});

after(async () => {
  await gateway?.stop();
  await upstream?.close();
  for (const d of scratch) rmSync(d, { recursive: true, force: true });
});

/** Asserts one consume row per upstream request of the model, each billed from the upstream's usage. */
async function assertBilled(name) {
  const { model, usage } = CLIENTS[name];
  const expected = upstreamFor(model).length;
  const rows = await poll(async () => {
    const page = await session.ok('GET', `/api/log/self?p=1&page_size=100&type=2&model_name=${model}`);
    const mine = page.items.filter((r) => r.model_name === model);
    return mine.length >= expected ? mine : null;
  });
  assert.ok(rows, `consume rows for ${model} did not appear`);
  assert.equal(rows.length, expected);
  for (const row of rows) {
    assert.equal(row.token_name, TOKEN_NAME);
    assert.equal(row.prompt_tokens, usage.prompt);
    assert.equal(row.completion_tokens, usage.completion);
    assert.equal(row.quota, quotaOf(usage));
  }
}

/** The tool turn: the CLI ran the shell tool and sent its output back, and printed the final answer. */
function assertToolRoundTrip(name, r) {
  const { model, shellTool } = CLIENTS[name];
  const sent = upstreamFor(model).filter((q) => q.raw.includes(`[${name}-tool]`));
  const call = sent.find((q) => q.body.messages.at(-1)?.role !== 'tool');
  const back = sent.find((q) => q.body.messages.at(-1)?.role === 'tool');
  assert.ok(call, `no tool-call turn reached the upstream\n${explain(r)}`);
  assert.ok(back, `the tool result never reached the upstream\n${explain(r)}`);
  const [assistant, result] = back.body.messages.slice(-2);
  assert.equal(assistant.role, 'assistant');
  assert.equal(assistant.tool_calls?.[0]?.function?.name, shellTool);
  assert.equal(result.tool_call_id, assistant.tool_calls[0].id);
  assert.ok(textOf(result.content).includes(TOOL_OUTPUT), `tool result: ${JSON.stringify(result.content)}`);
  assert.ok(r.stdout.includes(`FINAL ${name}:`), explain(r));
  assert.ok(r.stdout.includes(TOOL_OUTPUT), explain(r));
}

// ---------------------------------------------------------------- Codex (OpenAI Responses → chat completions)

test('codex exec: plain answer over /v1/responses', { skip: skipReason.codex ?? false }, async () => {
  const r = await runThroughGateway('codex', commands.codex('Reply with one word. [codex-plain]'));
  assert.equal(r.code, 0, explain(r));
  assert.ok(r.stdout.includes('DONE codex'), explain(r));
  assert.ok(r.recorder.exchanges.length >= 1);
  for (const e of r.recorder.exchanges) {
    assert.equal(`${e.method} ${e.path}`, 'POST /v1/responses', explain(r));
    assert.equal(e.status, 200, explain(r));
  }
  assert.equal(upstreamFor(CLIENTS.codex.model)[0].path, '/v1/chat/completions');
});

test('codex exec: runs the exec_command tool call and answers with its output', { skip: skipReason.codex ?? false }, async () => {
  const r = await runThroughGateway('codex', commands.codex('Run the shell command. [codex-tool]'));
  assert.equal(r.code, 0, explain(r));
  assertToolRoundTrip('codex', r);
  await assertBilled('codex');
});

// ---------------------------------------------------------------- Claude Code (Anthropic Messages → chat completions)

test('claude -p: plain answer over /v1/messages', { skip: skipReason.claude ?? false }, async () => {
  const r = await runThroughGateway('claude', commands.claude('Reply with one word. [claude-plain]'));
  assert.equal(r.code, 0, explain(r));
  assert.equal(r.stdout.trim(), 'DONE claude', explain(r));
  assert.ok(r.recorder.exchanges.length >= 1);
  for (const e of r.recorder.exchanges) {
    assert.match(`${e.method} ${e.path}`, /^POST \/v1\/messages(\?|$)/, explain(r));
    assert.equal(e.status, 200, explain(r));
  }
});

test('claude -p: runs the Bash tool call and answers with its output', { skip: skipReason.claude ?? false }, async () => {
  const r = await runThroughGateway('claude', commands.claude('Run the shell command. [claude-tool]', ['Bash']));
  assert.equal(r.code, 0, explain(r));
  assertToolRoundTrip('claude', r);
  await assertBilled('claude');
});

// ---------------------------------------------------------------- Gemini CLI (Gemini generateContent → chat completions)

test('gemini -p: plain answer over streamGenerateContent', { skip: skipReason.gemini ?? false }, async () => {
  const r = await runThroughGateway('gemini', commands.gemini('Reply with one word. [gemini-plain]'));
  assert.equal(r.code, 0, explain(r));
  assert.equal(r.stdout.trim(), 'DONE gemini', explain(r));
  assert.ok(r.recorder.exchanges.length >= 1);
  for (const e of r.recorder.exchanges) {
    assert.equal(`${e.method} ${e.path}`, `POST /v1beta/models/${CLIENTS.gemini.model}:streamGenerateContent?alt=sse`, explain(r));
    assert.equal(e.status, 200, explain(r));
  }
});

test('gemini -p --yolo: runs the run_shell_command tool call and answers with its output', { skip: skipReason.gemini ?? false }, async () => {
  const r = await runThroughGateway('gemini', commands.gemini('Run the shell command. [gemini-tool]', true));
  assert.equal(r.code, 0, explain(r));
  assertToolRoundTrip('gemini', r);
  await assertBilled('gemini');
});
