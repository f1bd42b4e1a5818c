// Builds wwwroot/dist: content-hashed assets under assets/, index.html rewritten to them, and .br/.gz siblings
// (the server picks one by Accept-Encoding). No network, no dependencies beyond Node's standard library.
import { createHash } from 'node:crypto';
import { brotliCompressSync, gzipSync, constants } from 'node:zlib';
import { mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, extname, basename, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const src = join(root, 'src');
const dist = join(root, 'dist');
rmSync(dist, { recursive: true, force: true });
mkdirSync(join(dist, 'assets'), { recursive: true });

const write = (path, data) => {
  writeFileSync(path, data);
  if (data.length > 512) {
    writeFileSync(path + '.br', brotliCompressSync(data, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }));
    writeFileSync(path + '.gz', gzipSync(data, { level: 9 }));
  }
};

const renamed = {};
for (const file of readdirSync(src)) {
  if (file === 'index.html') continue;
  const data = readFileSync(join(src, file));
  const hash = createHash('sha256').update(data).digest('hex').slice(0, 10);
  const name = `${basename(file, extname(file))}-${hash}${extname(file)}`;
  renamed[file] = `/assets/${name}`;
  write(join(dist, 'assets', name), data);
}
let html = readFileSync(join(src, 'index.html'), 'utf8');
for (const [from, to] of Object.entries(renamed)) html = html.replaceAll(`./${from}`, to);
write(join(dist, 'index.html'), Buffer.from(html));
console.log(`console built: ${Object.keys(renamed).length + 1} files`);
