#!/usr/bin/env node
/**
 * `npm run ros:setup`: makes rclnodejs ready on this machine, offline, with ROS 2 sourced.
 *
 * 1. The native addon. rclnodejs ships prebuilt addons for Ubuntu releases only (named
 *    <distro>-<codename>-<arch>-node-rclnodejs.node); anywhere else (Debian, a ROS 2 built from
 *    source) it must be compiled. node-gyp would download Node's headers, which fails offline:
 *    here it is given the headers of the Node.js that runs this script (`--nodedir`, from npm's
 *    config or the installation prefix), and run with one job per core.
 * 2. The JavaScript message bindings, with `--generate`: rclnodejs writes them into its own
 *    folder on the first start, which then has to be writable; the colcon install generates them
 *    at build time instead (CMakeLists.txt), so this step is only for a node run from the source
 *    tree.
 *
 * Exit status: 0 ready, 2 when ROS 2 is not sourced or the addon cannot be built.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const rclnodejs = join(root, 'node_modules', 'rclnodejs');
const { values } = parseArgs({ options: { generate: { type: 'boolean', default: false }, force: { type: 'boolean', default: false } } });

function fail(message) {
  process.stderr.write(`ros:setup: ${message}\n`);
  process.exit(2);
}

function say(message) {
  process.stdout.write(`ros:setup: ${message}\n`);
}

const distro = process.env.ROS_DISTRO;
if (!distro) fail('ROS 2 is not sourced (ROS_DISTRO is unset): source /opt/ros/<distro>/setup.bash (or your ROS 2 build) first');
if (!existsSync(join(rclnodejs, 'package.json'))) fail('node_modules/rclnodejs is missing: run `npm ci` with ROS 2 sourced first');

/** The prebuilt addon rclnodejs would pick here, if it ships one. */
function matchingPrebuilt() {
  if (process.platform !== 'linux') return null;
  let codename = null;
  try {
    codename = /^VERSION_CODENAME=(.*)$/m.exec(readFileSync('/etc/os-release', 'utf8'))?.[1]?.trim() ?? null;
  } catch {
    return null;
  }
  if (!codename) return null;
  const file = join(rclnodejs, 'prebuilds', `linux-${process.arch}`, `${distro}-${codename}-${process.arch}-node-rclnodejs.node`);
  return existsSync(file) ? file : null;
}

/** Where the headers of this Node.js are, so that node-gyp needs no download. */
function nodeHeaders() {
  let configured = '';
  try {
    configured = execFileSync('npm', ['config', 'get', 'nodedir'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    // npm without a nodedir setting: fall back to the installation prefix.
  }
  const candidates = [configured, resolve(dirname(process.execPath), '..')].filter((dir) => dir && dir !== 'undefined' && dir !== 'null');
  return candidates.find((dir) => existsSync(join(dir, 'include', 'node', 'node.h'))) ?? null;
}

const built = join(rclnodejs, 'build', 'Release', 'rclnodejs.node');
const prebuilt = matchingPrebuilt();
if (prebuilt && !values.force) {
  say(`the prebuilt addon ${prebuilt.slice(rclnodejs.length + 1)} matches ${distro} on this system: nothing to compile`);
} else if (existsSync(built) && !values.force) {
  say('the addon is already compiled (node_modules/rclnodejs/build/Release/rclnodejs.node); --force compiles it again');
} else {
  const headers = nodeHeaders();
  if (!headers) {
    fail(
      `no headers of Node.js ${process.version} found (looked for include/node/node.h under npm's nodedir and ${resolve(dirname(process.execPath), '..')}); ` +
        'install them (Debian/Ubuntu: apt install libnode-dev, or a Node.js from nodejs.org, which carries them) and run again',
    );
  }
  const gyp = join(root, 'node_modules', 'node-gyp', 'bin', 'node-gyp.js');
  const gypScript = existsSync(gyp) ? gyp : join(rclnodejs, 'node_modules', 'node-gyp', 'bin', 'node-gyp.js');
  if (!existsSync(gypScript)) fail('node-gyp is not installed (it comes with rclnodejs): run `npm ci` again');
  const jobs = String(Math.max(1, cpus().length));
  say(`compiling the rclnodejs addon for ROS 2 ${distro} with the headers in ${headers} (${jobs} jobs; a few minutes)...`);
  const result = spawnSync(process.execPath, [gypScript, 'rebuild', `--nodedir=${headers}`, '-j', jobs], { cwd: rclnodejs, stdio: 'inherit' });
  if (result.status !== 0 || !existsSync(built)) fail(`compiling the addon failed (node-gyp exit ${result.status}); the output above says why`);
  say('addon compiled');
}

if (values.generate) {
  say('generating the JavaScript message bindings for every package on AMENT_PREFIX_PATH...');
  const result = spawnSync(process.execPath, [join(rclnodejs, 'scripts', 'generate_messages.cjs')], { cwd: rclnodejs, encoding: 'utf8' });
  process.stdout.write(result.stdout ?? '');
  // The generator reports a failure on stdout and still exits 0.
  if (result.status !== 0 || !/Generation complete/.test(result.stdout ?? '')) fail(`message generation failed${result.stderr ? `: ${result.stderr.trim()}` : ''}`);
}
say('rclnodejs is ready');
