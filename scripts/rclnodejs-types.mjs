#!/usr/bin/env node
// Gives rclnodejs the message declarations its .d.ts files need, so `tsc` can read
// `import type ... from 'rclnodejs'` on a machine without ROS 2.
//
// rclnodejs/types/base.d.ts references types/interfaces.d.ts, which rclnodejs generates from a
// sourced ROS 2 install (`npx generate-ros-messages`). When that file is missing, this copies
// types/rclnodejs-interfaces.d.ts there. An existing file (the generated one, with every message
// of the install) is never replaced. Exits 0 when rclnodejs is not installed (it is optional).
//
//   node scripts/rclnodejs-types.mjs           copy if missing
//   node scripts/rclnodejs-types.mjs --check   only report; exit 1 if the file is missing

import { copyFileSync, existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const source = join(root, 'types', 'rclnodejs-interfaces.d.ts');
const checkOnly = process.argv.includes('--check');

function rclnodejsFolder() {
  // package.json is in rclnodejs's "exports", so this resolves wherever npm put the package.
  try {
    const require = createRequire(join(root, 'package.json'));
    return dirname(require.resolve('rclnodejs/package.json'));
  } catch {
    return null;
  }
}

const folder = rclnodejsFolder();
if (folder === null) {
  console.log('rclnodejs-types: rclnodejs is not installed; nothing to do.');
  process.exit(0);
}

const target = join(folder, 'types', 'interfaces.d.ts');
if (existsSync(target)) {
  const generated = !readFileSync(target, 'utf8').includes('Stand-in for rclnodejs/types/interfaces.d.ts');
  console.log(`rclnodejs-types: ${target} exists (${generated ? 'generated from ROS 2' : 'stand-in'}); kept.`);
  process.exit(0);
}
if (checkOnly) {
  console.error(`rclnodejs-types: ${target} is missing; run node scripts/rclnodejs-types.mjs`);
  process.exit(1);
}
if (!existsSync(join(folder, 'types', 'base.d.ts'))) {
  console.error(`rclnodejs-types: ${folder}/types/base.d.ts not found; unexpected rclnodejs layout.`);
  process.exit(1);
}
copyFileSync(source, target);
console.log(`rclnodejs-types: wrote ${target} (stand-in declarations; no ROS 2 messages generated here).`);
