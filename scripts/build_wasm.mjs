// Compiles the WebAssembly text modules under src/ (*.wat) into dist/src/ next to the compiled
// TypeScript that loads them (`npm run build` runs this after tsc). wabt is the WebAssembly
// Binary Toolkit's own assembler, built for Node.js.
import { readdirSync, readFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import createWabt from 'wabt';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

function watFiles(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return watFiles(path);
    return entry.name.endsWith('.wat') ? [path] : [];
  });
}

const wabt = await createWabt();
for (const source of watFiles(join(root, 'src'))) {
  const module = wabt.parseWat(source, readFileSync(source, 'utf8'), { simd: true });
  try {
    module.validate();
    const target = join(root, 'dist', relative(root, source)).replace(/\.wat$/, '.wasm');
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, module.toBinary({}).buffer);
  } finally {
    module.destroy();
  }
}
