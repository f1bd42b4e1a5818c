// Runs the published binary: CLI set-up in a temporary data directory, `serve` on a free loopback port, and a small
// client for the management API (session cookie + New-Api-User header).
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const binary = resolve(process.env.NEWAPI_BINARY ?? '../../dist/newapi');
const env = { ...process.env, PASSWORD_ITERATIONS: '1000' };

/** Runs one CLI command against the data directory; resolves with stdout, rejects on a non-zero exit. */
export function cli(dataDir, args, stdin) {
  return new Promise((ok, fail) => {
    const p = spawn(binary, [...args, '--data-dir', dataDir], { env, stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    p.stdout.on('data', (d) => { out += d; });
    p.stderr.on('data', (d) => { err += d; });
    p.on('error', fail);
    p.on('exit', (code) => (code === 0 ? ok(out) : fail(new Error(`newapi ${args.join(' ')} exited ${code}: ${out}${err}`))));
    p.stdin.end(stdin === undefined ? '' : stdin + '\n');
  });
}

export class Gateway {
  dataDir = mkdtempSync(join(tmpdir(), 'newapi-sdk-'));
  process = null;
  url = null;
  output = '';

  async start() {
    if (!existsSync(binary)) throw new Error(`binary not found: ${binary}`);
    this.process = spawn(binary, ['serve', '--listen', '127.0.0.1:0', '--data-dir', this.dataDir], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    this.url = await new Promise((ok, fail) => {
      const timer = setTimeout(() => fail(new Error('server did not start: ' + this.output)), 30000);
      this.process.stdout.on('data', (d) => {
        this.output += d;
        const m = /listening on (http:\/\/[0-9.:]+)/.exec(this.output);
        if (m) { clearTimeout(timer); ok(m[1]); }
      });
      this.process.stderr.on('data', (d) => { this.output += d; });
      this.process.on('exit', (code) => { clearTimeout(timer); fail(new Error(`server exited ${code}: ${this.output}`)); });
    });
    return this.url;
  }

  async stop() {
    if (this.process && this.process.exitCode === null && this.process.signalCode === null) {
      const exited = new Promise((r) => this.process.once('exit', r));
      this.process.kill('SIGTERM');
      await exited;
    }
    rmSync(this.dataDir, { recursive: true, force: true });
  }

  /** Signs in and returns a session client for the management API. */
  async login(username, password) {
    const res = await fetch(this.url + '/api/user/login', {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password }),
    });
    const body = await res.json();
    if (!body.success) throw new Error(`login ${username} failed: ${JSON.stringify(body)}`);
    const cookie = res.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
    return new Session(this.url, cookie, body.data.id);
  }
}

export class Session {
  constructor(url, cookie, userId) {
    this.url = url;
    this.headers = { cookie, 'New-Api-User': String(userId) };
  }

  async call(method, path, body) {
    const res = await fetch(this.url + path, {
      method,
      headers: { ...this.headers, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    let json;
    try { json = JSON.parse(text); } catch { throw new Error(`${method} ${path}: ${res.status} non-JSON answer: ${text}`); }
    return json;
  }

  /** A call that must succeed ({success: true}); returns its data. */
  async ok(method, path, body) {
    const json = await this.call(method, path, body);
    if (!json.success) throw new Error(`${method} ${path} failed: ${JSON.stringify(json)}`);
    return json.data;
  }
}

/** Polls `probe` until it returns a truthy value or the deadline passes; returns the last value. */
export async function poll(probe, { timeoutMs = 5000, intervalMs = 100 } = {}) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value || Date.now() >= deadline) return value;
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}
