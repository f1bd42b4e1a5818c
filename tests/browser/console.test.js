// Console tests: the published binary serves the embedded console; headless Chromium (Debian) drives it.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium } from 'playwright-core';

const binary = resolve(process.env.NEWAPI_BINARY ?? '../../dist/newapi');
const chromePath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
let server, baseUrl, browser, dataDir;

function startServer() {
  dataDir = mkdtempSync(join(tmpdir(), 'newapi-browser-'));
  server = spawn(binary, ['serve', '--listen', '127.0.0.1:0', '--data-dir', dataDir], {
    env: { ...process.env, PASSWORD_ITERATIONS: '1000' }, stdio: ['ignore', 'pipe', 'pipe'],
  });
  return new Promise((ok, fail) => {
    let out = '';
    const timer = setTimeout(() => fail(new Error('server did not start: ' + out)), 30000);
    server.stdout.on('data', (d) => {
      out += d;
      const m = /listening on (http:\/\/[0-9.:]+)/.exec(out);
      if (m) { clearTimeout(timer); ok(m[1]); }
    });
    server.stderr.on('data', (d) => { out += d; });
    server.on('exit', (code) => { clearTimeout(timer); fail(new Error(`server exited ${code}: ${out}`)); });
  });
}

before(async () => {
  assert.ok(existsSync(binary), `binary not found: ${binary}`);
  assert.ok(existsSync(chromePath), `chromium not found: ${chromePath}`);
  baseUrl = await startServer();
  browser = await chromium.launch({
    executablePath: chromePath,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
  });
});

after(async () => {
  await browser?.close();
  if (server && server.exitCode === null) {
    const exited = new Promise((r) => server.once('exit', r));
    server.kill('SIGTERM');
    await exited;
  }
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

test('first run: create the administrator, then sign in', async () => {
  const page = await browser.newPage();
  await page.goto(baseUrl + '/');
  await page.locator('input[name=username]').fill('root');
  await page.locator('input[name=password]').fill('browser-root-pw');
  await page.locator('input[name=confirm]').fill('browser-root-pw');
  await page.locator('button[type=submit]').click();
  await page.locator('input[name=confirm]').waitFor({ state: 'detached' });
  await page.locator('input[name=username]').fill('root');
  await page.locator('input[name=password]').fill('browser-root-pw');
  await page.locator('button[type=submit]').click();
  await page.locator('#whoami').waitFor();
  assert.equal(await page.locator('#whoami').textContent(), 'root');
  await page.close();
});

test('wrong password shows the server message', async () => {
  const page = await browser.newPage();
  await page.goto(baseUrl + '/');
  await page.locator('input[name=username]').fill('root');
  await page.locator('input[name=password]').fill('not-the-password');
  await page.locator('button[type=submit]').click();
  await page.locator('[role=alert]:not(:empty)').waitFor();
  assert.ok((await page.locator('[role=alert]').textContent()).length > 0);
  await page.close();
});

test('language switch turns the console Chinese and back', async () => {
  const page = await browser.newPage({ locale: 'en-US' });
  await page.goto(baseUrl + '/');
  await page.locator('button[type=submit]').waitFor();
  const lang = page.locator('#lang');
  assert.equal(await lang.textContent(), '中文');
  await lang.click();
  // The form is rendered again after /api/status answers: wait for it, then check both labels.
  await page.locator('button[type=submit]', { hasText: '登录' }).waitFor();
  assert.equal(await lang.textContent(), 'English');
  await lang.click();
  await page.locator('button[type=submit]', { hasText: 'Sign in' }).waitFor();
  assert.equal(await lang.textContent(), '中文');
  await page.close();
});

test('fits a phone screen without horizontal scrolling', async () => {
  const page = await browser.newPage({ viewport: { width: 375, height: 667 }, isMobile: true });
  await page.goto(baseUrl + '/');
  await page.locator('button[type=submit]').waitFor();
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 0, `page is ${overflow}px wider than the screen`);
  await page.close();
});

test('SPA routes fall back to the console and assets are cached', async () => {
  const res = await fetch(baseUrl + '/console/token');
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type'), /text\/html/);
  const html = await res.text();
  const asset = /src="(\/assets\/[^"]+)"/.exec(html)[1];
  const a = await fetch(baseUrl + asset, { headers: { 'accept-encoding': 'br' } });
  assert.equal(a.status, 200);
  assert.match(a.headers.get('cache-control'), /immutable/);
  const etag = a.headers.get('etag');
  const again = await fetch(baseUrl + asset, { headers: { 'if-none-match': etag } });
  assert.equal(again.status, 304);
});
