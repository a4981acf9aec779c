/**
 * `molmoact-ros bench-ros` (`npm run bench:ros`, with a sourced ROS 2): the node on a real graph,
 * fed by another process as a camera driver and joint_state_broadcaster would feed it.
 *
 * For each image size it starts the molmoact node as its own process (the bundled model,
 * actuation off), publishes synchronised sets (rgb8, 16UC1 depth, camera info, joint states,
 * one stamp) at `--hz` for `--seconds`, and reads back what the node says: frames_matched on
 * /diagnostics, and from ~/reasoning how long each step took from its frame's stamp to the
 * step's completion. That time includes this process publishing the set after stamping it
 * (rclnodejs serialises each image in JavaScript), timed too: publish_ms. The node's CPU share and
 * resident memory come from /proc: memory once the first tenth of the sets has been published
 * (the warm-up) and at the end. One JSON line at the end.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { setTimeout as delay } from 'node:timers/promises';
import { constants as osConstants } from 'node:os';
import { integerOption, parseOptions, UsageError } from '../../config/command_line.js';
import { resolvePackagePath } from '../../config/package_root.js';
import { timeFromSeconds, toSeconds } from '../../core/messages/time.js';
import type { ActionReasoning, DiagnosticArray } from '../../core/messages/types.js';
import { SyntheticCamera, PANDA_READY } from '../sim/synthetic_camera.js';
import { NODE_QOS } from './qos.js';
import { rclnodejsFor } from './rcl.js';
import { rclnodejsApi } from './rclnodejs_api.js';
import type { QosProfile, RosNodeApi, RosPublisher } from './ros_api.js';

const HELP = `usage: molmoact-ros bench-ros [options]   (ROS 2 sourced)

  --sizes LIST    image sizes, WxH, comma-separated (default 640x480,1280x720)
  --seconds N     publishing time per size (default 20)
  --hz N          sets per second (default 30)
  --qos KIND      the publishers' QoS: reliable (a driver's default) or sensor (best effort, depth 5,
                  as drivers publishing with the sensor-data profile); default reliable
  --json          print the results as one JSON object on the last line
`;

const JOINTS = ['panda_joint1', 'panda_joint2', 'panda_joint3', 'panda_joint4', 'panda_joint5', 'panda_joint6', 'panda_joint7'];
const NODE_NAME = 'molmoact';

interface SizeResult {
  size: string;
  published: number;
  matched: number;
  matched_pct: number;
  unmatched: number;
  stale: number;
  steps: number;
  step_ms_p50: number | null;
  step_ms_p90: number | null;
  /** This process's time to publish a set after stamping it (part of the step times above). */
  publish_ms_p50: number | null;
  node_cpu_pct: number;
  /** The node's resident memory after the warm-up (the first tenth of the sets), at the end, and at most. */
  rss_warm_mib: number;
  rss_end_mib: number;
  rss_max_mib: number;
  rss_growth_pct: number;
}

export async function runBenchRos(argv: string[]): Promise<number> {
  const values = parseOptions({
    args: argv,
    options: {
      sizes: { type: 'string', default: '640x480,1280x720' },
      seconds: { type: 'string', default: '20' },
      hz: { type: 'string', default: '30' },
      qos: { type: 'string', default: 'reliable' },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(HELP);
    return 0;
  }
  const sizes = values.sizes.split(',').map((text) => {
    const m = /^(\d+)x(\d+)$/.exec(text.trim());
    if (!m) throw new UsageError(`--sizes: expected WxH, got "${text}"`);
    return { width: Number(m[1]), height: Number(m[2]) };
  });
  const seconds = integerOption(values.seconds, '--seconds', 1);
  const hz = integerOption(values.hz, '--hz', 1);
  if (values.qos !== 'reliable' && values.qos !== 'sensor') throw new UsageError(`--qos: expected reliable or sensor, got "${values.qos}"`);
  if (process.platform === 'linux' && process.env[NODE_MALLOC_ENV] === undefined) return restartWithPublisherMalloc();
  const qos: QosProfile = values.qos === 'sensor' ? { depth: 5, reliability: 'best_effort', durability: 'volatile' } : NODE_QOS.output;

  const rcl = await rclnodejsFor('bench-ros');
  if (!rcl) return 2;
  await rcl.init();
  const node = rclnodejsApi(rcl).createNode('molmoact_bench_camera');
  const diagnostics: { values: Map<string, string> | null } = { values: null };
  const steps: { frameSec: number; completedSec: number }[] = [];
  node.createSubscription<DiagnosticArray>('diagnostic_msgs/msg/DiagnosticArray', '/diagnostics', NODE_QOS.output, (msg) => {
    const status = msg.status.find((s) => s.hardware_id === `/${NODE_NAME}`);
    if (status) diagnostics.values = new Map(status.values.map((kv) => [kv.key, kv.value]));
  });
  node.createSubscription<ActionReasoning>('molmoact_ros/msg/ActionReasoning', `/${NODE_NAME}/reasoning`, NODE_QOS.output, (msg) => {
    steps.push({ frameSec: toSeconds(msg.header.stamp), completedSec: toSeconds(msg.completed) });
  });
  node.spin();

  const results: SizeResult[] = [];
  try {
    for (const size of sizes) {
      process.stderr.write(`bench-ros: ${size.width}x${size.height} at ${hz} Hz for ${seconds} s\n`);
      results.push(await benchSize(node, size, seconds, hz, qos, diagnostics, steps));
    }
  } finally {
    node.destroy();
    rcl.shutdown();
  }
  for (const r of results) {
    process.stderr.write(
      `  ${r.size}: matched ${r.matched}/${r.published} (${r.matched_pct} %), unmatched ${r.unmatched}, stale ${r.stale}; ` +
        `step p50 ${r.step_ms_p50} ms, p90 ${r.step_ms_p90} ms over ${r.steps} steps (publishing a set: ${r.publish_ms_p50} ms); node CPU ${r.node_cpu_pct} %; ` +
        `resident ${r.rss_warm_mib} MiB after warm-up, ${r.rss_end_mib} at the end (${r.rss_growth_pct} %), ${r.rss_max_mib} at most\n`,
    );
  }
  if (values.json) process.stdout.write(`${JSON.stringify({ hz, seconds, qos: values.qos, sizes: results })}\n`);
  return 0;
}

async function benchSize(
  node: RosNodeApi,
  size: { width: number; height: number },
  seconds: number,
  hz: number,
  qos: QosProfile,
  diagnostics: { values: Map<string, string> | null },
  steps: { frameSec: number; completedSec: number }[],
): Promise<SizeResult> {
  /** A value of the node's newest /diagnostics status. */
  const diagnostic = (key: string): string | undefined => diagnostics.values?.get(key);
  const child = startNode();
  // Stopped (Ctrl-C, a timeout's SIGTERM), the benchmark stops its node before it exits.
  const stopBoth = (signal: NodeJS.Signals) => () => void stopNode(child).finally(() => process.exit(128 + osConstants.signals[signal]));
  const signals = (['SIGINT', 'SIGTERM'] as const).map((signal) => [signal, stopBoth(signal)] as const);
  for (const [signal, handler] of signals) process.once(signal, handler);
  diagnostics.values = null;
  // This size's publishers, which leave the graph with its node: the next size starts afresh.
  const publishers: RosPublisher<unknown>[] = [];
  try {
    await waitFor(() => diagnostic('model') === 'molmoact-tiny', 60, 'the molmoact node to load its model');
    const camera = new SyntheticCamera([...JOINTS, 'panda_finger_joint1', 'panda_finger_joint2'], {
      width: size.width,
      height: size.height,
      fx: (520 * size.width) / 640,
      jointPositions: [...PANDA_READY, 0.04, 0.04],
    });
    const template = camera.next();
    const publisher = (type: string, topic: string): RosPublisher<unknown> => {
      const created = node.createPublisher<unknown>(type, topic, qos);
      publishers.push(created);
      return created;
    };
    const publish = {
      rgb: publisher('sensor_msgs/msg/Image', '/camera/color/image_raw'),
      depth: publisher('sensor_msgs/msg/Image', '/camera/aligned_depth_to_color/image_raw'),
      info: publisher('sensor_msgs/msg/CameraInfo', '/camera/color/camera_info'),
      joints: publisher('sensor_msgs/msg/JointState', '/joint_states'),
    };
    await delay(1000); // discovery
    const matchedBefore = Number(diagnostic('frames_matched') ?? 0);
    const unmatchedBefore = Number(diagnostic('frames_unmatched') ?? 0);
    const staleBefore = Number(diagnostic('frames_stale') ?? 0);
    const cpuBefore = cpuSeconds(child.pid!);
    const wallStart = performance.now();
    const startSec = toSeconds(node.now());
    let published = 0;
    const publishMs: number[] = [];
    const total = seconds * hz;
    const warmUp = Math.ceil(total / 10);
    const memory = { warm: 0, max: 0 };
    await new Promise<void>((resolve) => {
      const timer = node.createTimer(1 / hz, () => {
        if (published === warmUp) memory.warm = residentMib(child.pid!);
        if (published % hz === 0) memory.max = Math.max(memory.max, residentMib(child.pid!));
        const stamp = timeFromSeconds(toSeconds(node.now()));
        const publishStart = performance.now();
        const header = (m: { header: { frame_id: string } }) => ({ ...m.header, stamp });
        publish.info.publish({ ...template.cameraInfo, header: header(template.cameraInfo) });
        publish.joints.publish({ ...template.joints, header: { stamp, frame_id: '' } });
        publish.depth.publish({ ...template.depth, header: header(template.depth) });
        publish.rgb.publish({ ...template.rgb, header: header(template.rgb) });
        publishMs.push(performance.now() - publishStart);
        if (++published >= total) {
          timer.cancel();
          resolve();
        }
      });
    });
    await delay(2000); // the last sets and a diagnostics period
    const wallSec = (performance.now() - wallStart) / 1000;
    const cpu = cpuSeconds(child.pid!) - cpuBefore;
    const rssEnd = residentMib(child.pid!);
    const matched = Number(diagnostic('frames_matched') ?? 0) - matchedBefore;
    const ours = steps.filter((s) => s.frameSec >= startSec).map((s) => (s.completedSec - s.frameSec) * 1000).sort((a, b) => a - b);
    steps.length = 0;
    const quantile = (q: number) => (ours.length ? Math.round(ours[Math.min(ours.length - 1, Math.floor(q * ours.length))] * 10) / 10 : null);
    return {
      size: `${size.width}x${size.height}`,
      published,
      matched,
      matched_pct: Math.round((matched / published) * 1000) / 10,
      unmatched: Number(diagnostic('frames_unmatched') ?? 0) - unmatchedBefore,
      stale: Number(diagnostic('frames_stale') ?? 0) - staleBefore,
      steps: ours.length,
      step_ms_p50: quantile(0.5),
      step_ms_p90: quantile(0.9),
      publish_ms_p50: publishMs.length ? Math.round(publishMs.sort((a, b) => a - b)[publishMs.length >> 1] * 10) / 10 : null,
      node_cpu_pct: Math.round((cpu / wallSec) * 1000) / 10,
      rss_warm_mib: Math.round(memory.warm * 10) / 10,
      rss_end_mib: Math.round(rssEnd * 10) / 10,
      rss_max_mib: Math.round(Math.max(memory.max, rssEnd) * 10) / 10,
      rss_growth_pct: Math.round(((rssEnd - memory.warm) / memory.warm) * 1000) / 10,
    };
  } finally {
    for (const created of publishers) created.destroy();
    await stopNode(child);
    for (const [signal, handler] of signals) process.off(signal, handler);
  }
}

/**
 * How this process allocates: freed buffers are kept for the next images. glibc otherwise gives
 * buffers above its mmap threshold fresh pages each time, and that threshold only follows the
 * sizes freed so far: once 640x480 sets had been published, publishing a 1280x720 set took 34 ms
 * instead of 5 (faulting in fresh pages is slow on a virtual machine), and that time counted as
 * the node's. glibc reads this at start-up only, so the benchmark starts itself again with it.
 */
export const PUBLISHER_MALLOC = 'glibc.malloc.mmap_threshold=33554432:glibc.malloc.trim_threshold=268435456';
/**
 * The GLIBC_TUNABLES the benchmark was started with, for the node: it runs as users run it. Set
 * (possibly empty) only in the restarted benchmark, which is how it knows not to restart again.
 */
export const NODE_MALLOC_ENV = 'MOLMOACT_BENCH_ROS_NODE_GLIBC_TUNABLES';

/** Runs this benchmark again with PUBLISHER_MALLOC; resolves to its exit code. */
function restartWithPublisherMalloc(): Promise<number> {
  const env = { ...process.env, GLIBC_TUNABLES: PUBLISHER_MALLOC, [NODE_MALLOC_ENV]: process.env.GLIBC_TUNABLES ?? '' };
  // An inspector port is this process's; the restarted one would collide with it.
  const flags = process.execArgv.filter((flag) => !flag.startsWith('--inspect'));
  const child = spawn(process.execPath, [...flags, ...process.argv.slice(1)], { stdio: 'inherit', env });
  // Ctrl-C or a timeout's SIGTERM stops the benchmark there too (it then stops its node).
  const forward = (signal: NodeJS.Signals) => () => child.kill(signal);
  const handlers = (['SIGINT', 'SIGTERM'] as const).map((signal) => [signal, forward(signal)] as const);
  for (const [signal, handler] of handlers) process.on(signal, handler);
  return new Promise((resolve) => {
    child.on('error', () => resolve(1));
    child.on('exit', (code, signal) => {
      for (const [name, handler] of handlers) process.off(name, handler);
      resolve(code ?? 128 + (signal ? osConstants.signals[signal] : 0));
    });
  });
}

/** The node's environment: the one the benchmark was started with (see PUBLISHER_MALLOC), and the Node.js to use. */
export function nodeEnvironment(current: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const { [NODE_MALLOC_ENV]: original, GLIBC_TUNABLES: _ours, ...env } = current;
  return { ...env, ...(original ? { GLIBC_TUNABLES: original } : {}), MOLMOACT_NODE_BIN: process.execPath };
}

/**
 * The molmoact node as its own process, started by its launcher as `ros2 run` starts it (the same
 * Node.js flags): the bundled model, the Panda's URDF, an instruction, actuation off.
 */
function startNode(): ChildProcess {
  const child = spawn(
    resolvePackagePath('scripts/molmoact_node'),
    [
      '--ros-args',
      '-p', `robot_description_file:=${resolvePackagePath('config/robots/urdf/panda.urdf')}`,
      '-p', "instruction:='pick up the red block'",
      '-p', 'diagnostics_period_s:=0.5',
      '-p', 'publish_trace_image:=false',
      '-p', 'publish_depth_image:=false',
    ],
    { stdio: ['ignore', 'ignore', 'inherit'], env: nodeEnvironment() },
  );
  return child;
}

async function stopNode(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGINT');
  const timeout = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timeout);
}

/** User + system CPU time of a process, seconds (Linux /proc). */
function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  // utime and stime are fields 14 and 15 of stat, 12 and 13 after the command name.
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/** Resident memory of a process, MiB (Linux /proc). */
function residentMib(pid: number): number {
  const kib = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return kib ? Number(kib[1]) / 1024 : NaN;
}

async function waitFor(condition: () => boolean, seconds: number, what: string): Promise<void> {
  const deadline = performance.now() + seconds * 1000;
  while (!condition()) {
    if (performance.now() > deadline) throw new Error(`bench-ros: no ${what} after ${seconds} s`);
    await delay(100);
  }
}
