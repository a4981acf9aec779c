#!/usr/bin/env node
/**
 * Prints, one per line, the folders under node_modules/ that the program needs at run time: the
 * production dependencies and theirs (`npm ls --omit=dev`), as top-level package folders
 * (`node_modules/<name>` or `node_modules/@scope/<name>`; a package's own nested node_modules
 * go with it). CMakeLists.txt installs only these, so the development tools (TypeScript, mocha,
 * the tokenizer vocabulary, ...) stay out of the robot's install.
 *
 * `npm ls` reads the installed tree, so this works offline.
 */
import { execFileSync } from 'node:child_process';
import { dirname, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
let listing;
try {
  listing = execFileSync('npm', ['ls', '--omit=dev', '--all', '--parseable'], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
} catch (err) {
  // npm ls exits non-zero on an incomplete tree, but still lists what is there.
  listing = err.stdout ?? '';
  if (!listing) {
    process.stderr.write(`runtime_modules: npm ls failed: ${err.message}\n`);
    process.exit(1);
  }
}
const folders = new Set();
for (const line of listing.split('\n')) {
  const path = relative(root, line.trim());
  if (!path || path.startsWith('..')) continue;
  const parts = path.split(sep);
  if (parts[0] !== 'node_modules' || parts.length < 2) continue;
  folders.add(parts[1].startsWith('@') ? parts.slice(0, 3).join('/') : parts.slice(0, 2).join('/'));
}
if (!folders.has('node_modules/rclnodejs')) {
  process.stderr.write('runtime_modules: node_modules/rclnodejs is not installed (run npm ci with ROS 2 sourced)\n');
  process.exit(1);
}
process.stdout.write([...folders].sort().join('\n') + '\n');
