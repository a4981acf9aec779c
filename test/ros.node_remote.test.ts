import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { resolvePackagePath } from '../src/config/package_root.js';
import { waitFor } from './support/wait.js';
import { FakeGraph, type FakeNode } from './support/fake_ros_graph.js';
import { MolmoActNode } from '../src/apps/ros/molmoact_node.js';
import type { ActionReasoning, DiagnosticArray, JointTrajectory, MarkerArray } from '../src/core/messages/types.js';
import { SyntheticCamera, PANDA_READY } from '../src/apps/sim/synthetic_camera.js';
import { timeFromSeconds, toSeconds } from '../src/core/messages/time.js';
import { remoteManifest, type RemoteManifest } from '../src/core/model/manifest.js';
import { loadManifest } from '../src/inference/load_manifest.js';
import { SyntheticServer } from '../src/inference/remote/synthetic_server.js';
import { decodeNdArray } from '../src/inference/remote/json_numpy.js';

const JOINTS = ['panda_joint1', 'panda_joint2', 'panda_joint3', 'panda_joint4', 'panda_joint5', 'panda_joint6', 'panda_joint7'];
const FINGER = 'panda_finger_joint1';
const CONTROLLER = '/arm_controller/joint_trajectory';
const PANDA_URDF = readFileSync(resolvePackagePath('config/robots/urdf/panda.urdf'), 'utf8');
const WIDOWX_URDF = readFileSync(resolvePackagePath('config/robots/urdf/wx250s.urdf'), 'utf8');
const WIDOWX_JOINTS = ['waist', 'shoulder', 'elbow', 'forearm_roll', 'wrist_angle', 'wrist_rotate'];

const remoteManifestOf = async (dir: string): Promise<RemoteManifest> => remoteManifest(await loadManifest(dir));

function diagnosticValues(msg: DiagnosticArray): Record<string, string> {
  return Object.fromEntries(msg.status[0].values.map((kv) => [kv.key, kv.value]));
}

describe('molmoact node with a remote model (stand-in ROS graph, synthetic server over HTTP)', function () {
  this.timeout(60_000);
  let graph: FakeGraph;
  let node: MolmoActNode | null = null;
  let server: SyntheticServer | null = null;

  afterEach(async () => {
    await node?.shutdown();
    await server?.close();
    node = null;
    server = null;
  });

  describe('act-json: molmoact2-droid on a Panda', () => {
    // The main camera and the wrist camera, both 640x480; the gripper's finger half open.
    const main = new SyntheticCamera([...JOINTS, FINGER], { jointPositions: [...PANDA_READY, 0.02] });
    const wrist = new SyntheticCamera([...JOINTS, FINGER]);

    /** One synchronised set: both cameras, depth, camera info and joints (arm at `positions`). */
    function sendSet(sec: number, positions: number[] = PANDA_READY): void {
      const m = main.next({ stampSec: sec });
      m.joints.position = [...positions, 0.02];
      graph.deliver('/camera/color/camera_info', m.cameraInfo);
      graph.deliver('/joint_states', m.joints);
      graph.deliver('/camera/aligned_depth_to_color/image_raw', m.depth);
      graph.deliver('/wrist_camera/color/image_raw', wrist.next({ stampSec: sec }).rgb);
      graph.deliver('/camera/color/image_raw', m.rgb);
    }

    /** A joint state on its own (the arm where it is now). */
    function sendJoints(sec: number, positions: number[]): void {
      graph.deliver('/joint_states', {
        header: { stamp: timeFromSeconds(sec), frame_id: '' },
        name: [...JOINTS, FINGER],
        position: [...positions, 0.02],
        velocity: [],
        effort: [],
      });
    }

    async function start(fault: 'none' | 'stall' = 'none', overrides: Record<string, unknown> = {}, realTimers = false): Promise<void> {
      graph = new FakeGraph({ realTimers });
      server = await SyntheticServer.start({ manifest: await remoteManifestOf('models/molmoact2-droid'), fault });
      graph.overrides.set('model_dir', resolvePackagePath('models/molmoact2-droid'));
      graph.overrides.set('remote_server', server.url);
      graph.overrides.set('gripper_interface', 'joint_trajectory');
      graph.overrides.set('gripper_invert', true); // DROID: 1 = closed
      for (const [name, value] of Object.entries(overrides)) graph.overrides.set(name, value);
      node = await MolmoActNode.create(graph.api());
      graph.deliver('/robot_description', { data: PANDA_URDF }, { durability: 'transient_local' });
      graph.deliver('/molmoact/instruction', { data: 'put the marker in the cup' });
    }

    it('matches both cameras, sends the state and drives the arm with the chunk of joint positions', async () => {
      await start();
      expect(graph.subscriptions.map((s) => s.topic)).to.include('/wrist_camera/color/image_raw');
      graph.callService('/molmoact/enable', { data: true });
      // Without the wrist image no set is complete.
      const m = main.next({ stampSec: graph.nowSec - 0.01 });
      graph.deliver('/camera/color/camera_info', m.cameraInfo);
      graph.deliver('/joint_states', m.joints);
      graph.deliver('/camera/aligned_depth_to_color/image_raw', m.depth);
      graph.deliver('/camera/color/image_raw', m.rgb);
      await new Promise((r) => setTimeout(r, 100));
      expect(server!.requests).to.have.length(0);

      sendSet(graph.nowSec - 0.01);
      await waitFor('trajectory', () => graph.messages(CONTROLLER).length === 1);
      const body = server!.requests[0].body as Record<string, unknown>;
      expect(decodeNdArray(body.wrist_cam, 'wrist_cam').shape).to.deep.equal([180, 320, 3]);
      const state = Array.from(decodeNdArray(body.state, 'state').values);
      state.slice(0, 7).forEach((q, j) => expect(q).to.be.closeTo(PANDA_READY[j], 1e-6));
      expect(state[7]).to.be.closeTo(0.5, 1e-6); // finger 0.02 of 0.04: half closed

      const trajectory = graph.messages(CONTROLLER)[0] as JointTrajectory;
      const reasoning = graph.messages('/molmoact/reasoning')[0] as ActionReasoning;
      expect(trajectory.joint_names).to.deep.equal(JOINTS);
      expect(trajectory.points).to.have.length(15);
      expect(reasoning.chunk_length).to.equal(15);
      expect(reasoning.action_dim).to.equal(8);
      expect(reasoning.depth_tokens).to.deep.equal([]);
      expect(reasoning.stage_names).to.include.members(['decode_frame', 'encode', 'server', 'parse']);
      // joint_position: the points are the chunk's first seven values.
      trajectory.points.forEach((point, s) => point.positions.forEach((q, j) => expect(q).to.be.closeTo(reasoning.actions[s * 8 + j], 1e-6)));
      // The gripper value 0.5 of DROID (1 closed) with gripper_invert: not above the threshold -> open.
      await waitFor('gripper command', () => graph.messages('/gripper_controller/joint_trajectory').length === 1);

      graph.fireTimers();
      const values = diagnosticValues(graph.messages('/diagnostics').at(-1) as DiagnosticArray);
      expect(values.remote_server).to.equal(`${server!.url}/act`);
      expect(values.remote_protocol).to.equal('act-json');
      expect(values.remote_timeouts).to.equal('0');
    });

    it('reads the gripper opening with the open position set at run time', async () => {
      await start();
      const stateOf = (request: number): number[] => Array.from(decodeNdArray((server!.requests[request].body as Record<string, unknown>).state, 'state').values);
      sendSet(graph.nowSec - 0.01);
      await waitFor('first request', () => server!.requests.length === 1 && graph.messages('/molmoact/reasoning').length === 1);
      expect(stateOf(0)[7]).to.be.closeTo(0.5, 1e-6); // 0.02 of 0.04 open: half closed
      const reply = (node!.node as FakeNode).setParameter('gripper_open_position', 0.08);
      expect(reply.successful, reply.reason).to.equal(true);
      graph.nowSec += 10;
      sendSet(graph.nowSec - 0.01);
      await waitFor('second request', () => server!.requests.length === 2);
      expect(stateOf(1)[7]).to.be.closeTo(0.75, 1e-6); // 0.02 of 0.08 open
    });

    it('refuses a trace override: the model takes no trace', async () => {
      await start();
      graph.deliver('/molmoact/trace_override', { header: { stamp: timeFromSeconds(0), frame_id: '' }, width: 640, height: 480, u: [1, 2], v: [3, 4] });
      expect(graph.log.some((l) => l.level === 'warn' && /trace override ignored: model molmoact2-droid \(protocol act-json\) takes no trace/.test(l.message))).to.equal(true);
    });

    it('sends a chunk that came back late only under open_loop while the arm held still; never once it moved, never under replace', async () => {
      await start('none', { execution_policy: 'open_loop', open_loop_joint_tolerance_rad: 0.01 });
      graph.callService('/molmoact/enable', { data: true });
      server!.delayMs = 300;
      // The model "thinks" for 2 s of ROS time: the frame is then older than max_frame_age_s (0.5).
      const frameSec = graph.nowSec - 0.01;
      sendSet(frameSec);
      graph.nowSec += 2;
      sendJoints(graph.nowSec - 0.01, PANDA_READY.map((q, j) => (j === 0 ? q + 0.005 : q)));
      await waitFor('first step', () => graph.messages('/molmoact/reasoning').length === 1);
      await waitFor('held-still trajectory', () => graph.messages(CONTROLLER).length === 1);

      // The next chunk: the arm is moved by hand by 0.05 rad while the model thinks.
      graph.nowSec += 3; // past the first chunk's end (open_loop takes a frame only then)
      sendSet(graph.nowSec - 0.01);
      graph.nowSec += 2;
      sendJoints(graph.nowSec - 0.01, PANDA_READY.map((q, j) => (j === 1 ? q + 0.05 : q)));
      await waitFor('second step', () => graph.messages('/molmoact/reasoning').length === 2);
      await new Promise((r) => setTimeout(r, 50));
      expect(graph.messages(CONTROLLER)).to.have.length(1);
      expect(graph.log.some((l) => /camera frame is stale: 2\.0\d* s old .*the arm moved since \(joint panda_joint2 by 0\.0500/.test(l.message))).to.equal(true);
    });

    it('never sends a late chunk under replace, even with the arm held still', async () => {
      await start('none', { execution_policy: 'replace' });
      graph.callService('/molmoact/enable', { data: true });
      server!.delayMs = 300;
      sendSet(graph.nowSec - 0.01);
      graph.nowSec += 2;
      sendJoints(graph.nowSec - 0.01, PANDA_READY);
      await waitFor('step', () => graph.messages('/molmoact/reasoning').length === 1);
      await new Promise((r) => setTimeout(r, 50));
      expect(graph.messages(CONTROLLER)).to.have.length(0);
      expect(graph.log.some((l) => /no command: the camera frame is stale: 2\.0\d* s old \(max_frame_age_s 0\.5\)$/.test(l.message))).to.equal(true);
    });

    it('does not command a chunk reasoned for an instruction that was replaced while the server thought', async () => {
      await start();
      graph.callService('/molmoact/enable', { data: true });
      server!.delayMs = 300;
      sendSet(graph.nowSec - 0.01);
      await waitFor('the request', () => server!.requests.length === 1);
      graph.deliver('/molmoact/instruction', { data: 'stop and open the gripper' });
      await waitFor('the step', () => graph.messages('/molmoact/reasoning').length === 1);
      await new Promise((r) => setTimeout(r, 50));
      expect(graph.messages(CONTROLLER)).to.have.length(0);
      expect(graph.log.some((l) => /no command: the instruction changed while the model thought \(it answered "put the marker in the cup"\)/.test(l.message))).to.equal(true);
    });

    it('keeps publishing diagnostics every period while the server stalls for 30 s, and commands nothing', async function () {
      this.timeout(90_000);
      await start('stall', { remote_timeout_s: 60, diagnostics_period_s: 0.2 }, true);
      graph.callService('/molmoact/enable', { data: true });
      const diagnosticsAt: number[] = [];
      const started = performance.now();
      // The diagnostics publisher is the node's; note when each message goes out.
      const poll = setInterval(() => {
        const count = graph.messages('/diagnostics').length;
        while (diagnosticsAt.length < count) diagnosticsAt.push(performance.now());
      }, 5);
      // Frames keep arriving at 10 Hz for the whole stall (each waits for the step in flight).
      const frames = setInterval(() => {
        graph.nowSec += 0.1;
        sendSet(graph.nowSec - 0.01);
      }, 100);
      try {
        await waitFor('a 30 s stall', () => performance.now() - started >= 30_000, 35_000);
      } finally {
        clearInterval(frames);
        clearInterval(poll);
      }
      expect(server!.requests).to.have.length(1); // one request in flight, never more
      const gaps = diagnosticsAt.slice(1).map((t, i) => t - diagnosticsAt[i]);
      console.log(`      diagnostics during a 30 s stall: ${diagnosticsAt.length} messages, largest gap ${Math.max(...gaps).toFixed(0)} ms (period 200 ms)`);
      expect(diagnosticsAt.length).to.be.at.least(140);
      expect(Math.max(...gaps)).to.be.at.most(400);
      expect(graph.messages(CONTROLLER)).to.have.length(0);

      // The server goes away: the stalled request ends as a broken answer, still nothing commanded.
      await server!.close();
      server = null;
      await waitFor('the failure reported', () => {
        const last = graph.messages('/diagnostics').at(-1) as DiagnosticArray;
        return diagnosticValues(last).remote_connection_failures === '1';
      });
      expect(graph.messages(CONTROLLER)).to.have.length(0);
    });
  });

  describe('molmoact-text: molmoact-7b-d on a WidowX', () => {
    it('publishes the parsed depth tokens, trace markers and action; a trace override switches to the steering prompt', async () => {
      graph = new FakeGraph();
      const manifest = await remoteManifestOf('models/molmoact-7b-d');
      server = await SyntheticServer.start({ manifest });
      graph.overrides.set('model_dir', resolvePackagePath('models/molmoact-7b-d'));
      graph.overrides.set('remote_server', server.url);
      graph.overrides.set('joint_names', WIDOWX_JOINTS);
      graph.overrides.set('base_link', 'base_link');
      graph.overrides.set('tip_link', 'ee_gripper_link');
      graph.overrides.set('rest_posture', [0, 0, 0, 0, 0, 0]);
      for (const name of ['joint_position_min', 'joint_position_max', 'joint_velocity_max']) graph.overrides.set(name, []);
      node = await MolmoActNode.create(graph.api());
      graph.deliver('/robot_description', { data: WIDOWX_URDF }, { durability: 'transient_local' });
      graph.deliver('/molmoact/instruction', { data: 'put the spoon on the towel' });
      const camera = new SyntheticCamera(WIDOWX_JOINTS, { depthMm: 800 });
      const send = () => {
        const m = camera.next({ stampSec: graph.nowSec - 0.01 });
        graph.deliver('/camera/color/camera_info', m.cameraInfo);
        graph.deliver('/joint_states', m.joints);
        graph.deliver('/camera/aligned_depth_to_color/image_raw', m.depth);
        graph.deliver('/camera/color/image_raw', m.rgb);
      };
      send();
      await waitFor('reasoning', () => graph.messages('/molmoact/reasoning').length === 1);
      const reasoning = graph.messages('/molmoact/reasoning')[0] as ActionReasoning;
      expect([reasoning.depth_rows, reasoning.depth_cols]).to.deep.equal([10, 10]);
      expect(reasoning.depth_tokens).to.have.length(100);
      expect(reasoning.chunk_length).to.equal(1);
      expect(reasoning.trace.u).to.have.length(5);
      // The synthetic trace starts at x = 128 of 255 over the 256x256 image: the frame's middle.
      expect(reasoning.trace.u[0]).to.be.closeTo((128 * 639) / 255, 1e-6);
      const markers = graph.messages('/molmoact/trace_markers')[0] as MarkerArray;
      expect(markers.markers.some((m) => m.points?.length === 5)).to.equal(true);
      const prompt = (server.requests[0].body as any).messages[0].content[1].text as string;
      expect(prompt).to.match(/^The task is put the spoon on the towel\. What is the action/);

      graph.deliver('/molmoact/trace_override', {
        header: { stamp: timeFromSeconds(graph.nowSec), frame_id: '' },
        width: 640,
        height: 480,
        u: [100, 300, 500],
        v: [400, 300, 200],
      });
      graph.nowSec += 0.2;
      send();
      await waitFor('steered reasoning', () => graph.messages('/molmoact/reasoning').length === 2);
      const steered = graph.messages('/molmoact/reasoning')[1] as ActionReasoning;
      expect(steered.trace_overridden).to.equal(true);
      expect((server.requests[1].body as any).messages[0].content[1].text).to.match(/annotated on the image/);
      expect(toSeconds(steered.header.stamp)).to.be.greaterThan(toSeconds(reasoning.header.stamp));
    });
  });
});
