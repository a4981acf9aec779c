import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { resolvePackagePath } from '../src/config/package_root.js';
import { waitFor } from './support/wait.js';
import { FakeGraph, type FakeNode } from './support/fake_ros_graph.js';
import { MolmoActNode } from '../src/apps/ros/molmoact_node.js';
import { ConfigError } from '../src/config/schema.js';
import type { ActionReasoning, DiagnosticArray, Image, JointTrajectory, MarkerArray, Time } from '../src/core/messages/types.js';
import { SyntheticCamera, PANDA_READY } from '../src/apps/sim/synthetic_camera.js';
import { MarkerType, MarkerAction } from '../src/core/messages/builders.js';
import { timeFromSeconds, toSeconds } from '../src/core/messages/time.js';
import { applyDelta } from '../src/core/control/ee_targets.js';
import { chunkToTrajectory } from '../src/core/control/chunk_to_trajectory.js';
import { sampleTrajectory } from '../src/core/control/trajectory_sampler.js';
import { poseDistance } from '../src/core/kinematics/transform.js';

const JOINTS = ['panda_joint1', 'panda_joint2', 'panda_joint3', 'panda_joint4', 'panda_joint5', 'panda_joint6', 'panda_joint7'];
// A wall 1.5 m in front of the camera: every lifted trace point has z = 1.5.
const camera = new SyntheticCamera(JOINTS, { depthMm: 1500 });
const { width: W, height: H, fx: FX, fy: FY, cx: CX, cy: CY, frameId: OPTICAL } = camera;
const CONTROLLER = '/arm_controller/joint_trajectory';
const PANDA_URDF_FILE = resolvePackagePath('config/robots/urdf/panda.urdf');
const PANDA_URDF = readFileSync(PANDA_URDF_FILE, 'utf8');

function stampOf(sec: number): Time {
  return timeFromSeconds(sec);
}

/** Sends one synchronised set from "other processes" on the default topics. */
function sendFrame(graph: FakeGraph, sec: number, options: { joints?: string[] } = {}): Time {
  const m = camera.next({ stampSec: sec, jointNames: options.joints });
  graph.deliver('/camera/color/camera_info', m.cameraInfo);
  graph.deliver('/joint_states', m.joints);
  graph.deliver('/camera/aligned_depth_to_color/image_raw', m.depth);
  graph.deliver('/camera/color/image_raw', m.rgb);
  return m.rgb.header.stamp;
}

describe('molmoact node on a stand-in ROS graph', function () {
  this.timeout(60_000);
  let graph: FakeGraph;
  let node: MolmoActNode | null;

  beforeEach(() => {
    graph = new FakeGraph();
    node = null;
  });

  afterEach(async () => {
    await node?.shutdown();
  });

  /** Starts the node; robot_state_publisher's latched URDF arrives unless `urdf` is null. */
  async function startNode(urdf: string | null = PANDA_URDF): Promise<MolmoActNode> {
    // The joint-space test model, whose actions map onto the joints one to one, unless a test picks another.
    if (!graph.overrides.has('model_dir')) graph.overrides.set('model_dir', resolvePackagePath('models/test-tiny'));
    node = await MolmoActNode.create(graph.api());
    if (urdf !== null) graph.deliver('/robot_description', { data: urdf }, { durability: 'transient_local' }); // latched, as robot_state_publisher
    return node;
  }

  it('declares every parameter with a descriptor and wires the default topics', async () => {
    const n = await startNode();
    const fake = n.node as FakeNode;
    expect(fake.descriptors.get('model_dir')!.readOnly).to.equal(true);
    expect(fake.descriptors.get('sync_slop_s')!.range).to.not.equal(undefined);
    expect(fake.descriptors.get('joint_names')!.description).to.match(/joint/i);
    const subs = graph.subscriptions.map((s) => s.topic);
    for (const topic of [
      '/camera/color/image_raw',
      '/camera/aligned_depth_to_color/image_raw',
      '/camera/color/camera_info',
      '/joint_states',
      '/molmoact/instruction',
      '/molmoact/trace_override',
    ]) {
      expect(subs, topic).to.include(topic);
    }
    const pubs = graph.publishers.map((p) => `${p.topic} ${p.type}`);
    expect(pubs).to.include.members([
      '/molmoact/trace_markers visualization_msgs/msg/MarkerArray',
      '/molmoact/trace_image sensor_msgs/msg/Image',
      '/molmoact/depth_image sensor_msgs/msg/Image',
      '/molmoact/reasoning molmoact_ros/msg/ActionReasoning',
      '/diagnostics diagnostic_msgs/msg/DiagnosticArray',
      `${CONTROLLER} trajectory_msgs/msg/JointTrajectory`,
    ]);
    // Images use best-effort (sensor data) QoS; the instruction has a transient-local subscription.
    const rgbSub = graph.subscriptions.find((s) => s.topic === '/camera/color/image_raw')!;
    expect(rgbSub.qos.reliability).to.equal('best_effort');
    const instructionDurabilities = graph.subscriptions.filter((s) => s.topic === '/molmoact/instruction').map((s) => s.qos.durability);
    expect(instructionDurabilities).to.include('transient_local');
  });

  it('moves its sensor, robot description and controller topics with its namespace, so two arms can share a graph', async () => {
    graph.overrides.set('model_dir', resolvePackagePath('models/test-tiny'));
    graph.overrides.set('autostart', true);
    node = await MolmoActNode.create(graph.api(), { namespace: '/left_arm' });
    const subs = graph.subscriptions.map((s) => s.topic);
    expect(subs).to.include.members([
      '/left_arm/camera/color/image_raw',
      '/left_arm/camera/aligned_depth_to_color/image_raw',
      '/left_arm/camera/color/camera_info',
      '/left_arm/joint_states',
      '/left_arm/robot_description',
      '/left_arm/molmoact/instruction',
      '/tf',
      '/tf_static',
    ]);
    expect(subs).not.to.include('/camera/color/image_raw');
    graph.deliver('/left_arm/robot_description', { data: PANDA_URDF }, { durability: 'transient_local' });
    graph.deliver('/left_arm/molmoact/instruction', { data: 'pick up the red block' });
    const m = camera.next({ stampSec: graph.nowSec - 0.01 });
    graph.deliver('/left_arm/camera/color/camera_info', m.cameraInfo);
    graph.deliver('/left_arm/joint_states', m.joints);
    graph.deliver('/left_arm/camera/aligned_depth_to_color/image_raw', m.depth);
    graph.deliver('/left_arm/camera/color/image_raw', m.rgb);
    await waitFor('a trajectory in the namespace', () => graph.messages('/left_arm/arm_controller/joint_trajectory').length === 1);
    expect(graph.messages(CONTROLLER)).to.have.length(0);
    const status = node.diagnostics().status[0];
    expect(status.name).to.equal('/left_arm/molmoact: action reasoning');
    expect(status.hardware_id).to.equal('/left_arm/molmoact');
  });

  it('reasons about a synchronised RGB-D frame and publishes markers, images and reasoning, but no command while disabled', async () => {
    await startNode();
    graph.addListener('/molmoact/trace_image');
    graph.addListener('/molmoact/depth_image');
    // A latched instruction from another process.
    expect(graph.deliver('/molmoact/instruction', { data: 'pick up the red block' }, { durability: 'transient_local' })).to.be.greaterThan(0);
    const stamp = sendFrame(graph, graph.nowSec - 0.02);

    await waitFor('reasoning', () => graph.messages('/molmoact/reasoning').length === 1);
    await waitFor('trace image', () => graph.messages('/molmoact/trace_image').length === 1);

    const reasoning = graph.messages('/molmoact/reasoning')[0] as ActionReasoning;
    expect(reasoning.header).to.deep.equal({ stamp, frame_id: OPTICAL });
    expect(reasoning.instruction).to.equal('pick up the red block');
    expect(reasoning.depth_tokens).to.have.length(reasoning.depth_rows * reasoning.depth_cols);
    expect(reasoning.chunk_length * reasoning.action_dim).to.equal(reasoning.actions.length);
    expect(reasoning.trace.width).to.equal(W);
    // The worker's decoding of the messages and the backend's decoding of the outputs, each under its own name.
    expect(reasoning.stage_names).to.include.members(['decode_frame', 'preprocess', 'perceive', 'plan', 'act', 'decode', 'lift']);
    expect(reasoning.actions.every(Number.isFinite)).to.equal(true);

    // Markers: in the optical frame, at the frame's stamp, points lifted with depth and intrinsics.
    const markers = graph.messages('/molmoact/trace_markers')[0] as MarkerArray;
    expect(markers.markers[0].action).to.equal(MarkerAction.DELETEALL);
    const line = markers.markers.find((m) => m.type === MarkerType.LINE_STRIP)!;
    expect(line.header).to.deep.equal({ stamp, frame_id: OPTICAL });
    expect(line.points).to.have.length(reasoning.trace.u.length);
    line.points.forEach((p, i) => {
      const u = reasoning.trace.u[i];
      const v = reasoning.trace.v[i];
      expect(p.z).to.be.closeTo(camera.depthMm / 1000, 1e-6);
      expect(p.x).to.be.closeTo(((u - CX) / FX) * p.z, 1e-4);
      expect(p.y).to.be.closeTo(((v - CY) / FY) * p.z, 1e-4);
    });
    expect(markers.markers.some((m) => m.type === MarkerType.TEXT_VIEW_FACING)).to.equal(true);

    const traceImage = graph.messages('/molmoact/trace_image')[0] as Image;
    expect(traceImage.header).to.deep.equal({ stamp, frame_id: OPTICAL });
    expect([traceImage.width, traceImage.height, traceImage.encoding, traceImage.step]).to.deep.equal([W, H, 'rgb8', W * 3]);
    expect(traceImage.data.length).to.equal(W * H * 3);
    await waitFor('depth image', () => graph.messages('/molmoact/depth_image').length === 1);

    expect(graph.messages(CONTROLLER)).to.have.length(0);
  });

  it('sends a limit-checked JointTrajectory only after ~/enable, and stops when disabled', async () => {
    await startNode();
    graph.deliver('/molmoact/instruction', { data: 'put the blue cylinder on the plate' });
    const reply = graph.callService('/molmoact/enable', { data: true }) as { success: boolean; message: string };
    expect(reply.success).to.equal(true);
    expect(reply.message).to.match(/enabled/);

    sendFrame(graph, graph.nowSec - 0.01);
    await waitFor('trajectory', () => graph.messages(CONTROLLER).length === 1);
    const trajectory = graph.messages(CONTROLLER)[0] as JointTrajectory;
    const reasoning = graph.messages('/molmoact/reasoning')[0] as ActionReasoning;
    expect(trajectory.joint_names).to.deep.equal(JOINTS);
    expect(trajectory.points).to.have.length(reasoning.chunk_length);
    expect(toSeconds(trajectory.points[0].time_from_start)).to.be.greaterThan(0);
    expect(trajectory.points.at(-1)!.velocities.every((v) => v === 0)).to.equal(true);
    // joint_delta: the first point is the current position plus the first action.
    trajectory.points[0].positions.forEach((q, j) => {
      expect(q).to.be.closeTo(PANDA_READY[j] + reasoning.actions[j], 1e-6);
    });

    // Disabling stops the arm where it is: one point holding the measured positions.
    graph.callService('/molmoact/enable', { data: false });
    expect(graph.messages(CONTROLLER)).to.have.length(2);
    const hold = graph.messages(CONTROLLER)[1] as JointTrajectory;
    expect(hold.points).to.have.length(1);
    hold.points[0].positions.forEach((q, j) => expect(q).to.be.closeTo(PANDA_READY[j], 1e-12));
    expect(hold.points[0].velocities.every((v) => v === 0)).to.equal(true);
    graph.nowSec += 1;
    sendFrame(graph, graph.nowSec - 0.01);
    await waitFor('second reasoning', () => graph.messages('/molmoact/reasoning').length === 2);
    expect(graph.messages(CONTROLLER)).to.have.length(2);
  });

  it('stops a moving arm by slowing it down from its measured velocity, and sends nothing on an old joint state', async () => {
    graph.overrides.set('autostart', true);
    await startNode();
    graph.deliver('/molmoact/instruction', { data: 'pick up the red block' });
    sendFrame(graph, graph.nowSec - 0.01);
    await waitFor('trajectory', () => graph.messages(CONTROLLER).length === 1);
    const moving = [0.6, 0, 0, 0, 0, 0, -0.3];
    graph.deliver('/joint_states', {
      header: { stamp: timeFromSeconds(graph.nowSec - 0.005), frame_id: '' },
      name: JOINTS,
      position: PANDA_READY,
      velocity: moving,
      effort: [],
    });
    graph.callService('/molmoact/enable', { data: false });
    const stop = graph.messages(CONTROLLER)[1] as JointTrajectory;
    // 0.6 rad/s at the default 5 rad/s^2 takes 0.12 s, covering v T / 2 from where the arm is by
    // now (the joint state is 5 ms old).
    expect(toSeconds(stop.points[0].time_from_start)).to.be.closeTo(0.12, 1e-9);
    stop.points[0].positions.forEach((q, j) => expect(q).to.be.closeTo(PANDA_READY[j] + moving[j] * (0.005 + 0.12 / 2), 1e-6));
    expect(stop.points[0].velocities.every((v) => v === 0)).to.equal(true);

    graph.callService('/molmoact/enable', { data: true });
    graph.nowSec += 0.5;
    sendFrame(graph, graph.nowSec - 0.01);
    await waitFor('second trajectory', () => graph.messages(CONTROLLER).length === 3);
    graph.nowSec += 1; // no joint state since: where the arm is now is not known
    graph.callService('/molmoact/enable', { data: false });
    expect(graph.messages(CONTROLLER)).to.have.length(3);
    expect(graph.log.some((l) => l.level === 'warn' && /without a fresh joint state/.test(l.message))).to.equal(true);
  });

  it('sends no command about a frame that went stale while it was reasoned about', async () => {
    graph.overrides.set('max_frame_age_s', 0.05);
    graph.overrides.set('autostart', true);
    await startNode();
    graph.deliver('/molmoact/instruction', { data: 'pick up the red block' });
    sendFrame(graph, graph.nowSec - 0.01);
    // The clock jumps past max_frame_age_s before the worker answers.
    graph.nowSec += 1;
    await waitFor('reasoning', () => graph.messages('/molmoact/reasoning').length === 1);
    expect(graph.messages(CONTROLLER)).to.have.length(0);
    const diagnostics = node!.diagnostics();
    const values = Object.fromEntries(diagnostics.status[0].values.map((kv) => [kv.key, kv.value]));
    expect(values.commands_refused).to.equal('1');
    expect(values.last_refusal).to.match(/old/);
  });

  it('keeps reasoning after a set stamped in the future and after the clock jumps back, with a warning for each', async () => {
    await startNode();
    graph.deliver('/molmoact/instruction', { data: 'pick up the red block' });
    const reasoned = () => graph.messages('/molmoact/reasoning').length;
    sendFrame(graph, graph.nowSec + 100);
    await waitFor('a future-stamp warning', () => graph.log.some((l) => l.level === 'warn' && /ahead of the node clock/.test(l.message)));
    for (let i = 1; i <= 3; i++) {
      graph.nowSec += 0.1;
      sendFrame(graph, graph.nowSec - 0.01);
      await waitFor(`step ${i} after the future set`, () => reasoned() === i);
    }
    // A restarted simulator: /clock and the stamps 30 s back.
    graph.nowSec -= 30;
    for (let i = 4; i <= 6; i++) {
      graph.nowSec += 0.1;
      sendFrame(graph, graph.nowSec - 0.01);
      await waitFor(`step ${i} after the jump`, () => reasoned() === i);
    }
    expect(graph.log.filter((l) => l.level === 'warn' && /clock jumped back 29\.9/.test(l.message))).to.have.length(1);
    const values = Object.fromEntries(node!.diagnostics().status[0].values.map((kv) => [kv.key, kv.value]));
    expect(values.frames_from_future).to.equal('4');
    expect(values.clock_jumps).to.equal('1');
  });

  it('warns when images go missing while their camera_info arrives (too small DDS buffers)', async () => {
    await startNode();
    for (let i = 0; i < 100; i++) {
      const m = camera.next({ stampSec: graph.nowSec - 0.01 });
      graph.deliver('/camera/color/camera_info', m.cameraInfo);
      if (i % 3 === 0) graph.deliver('/camera/color/image_raw', m.rgb);
      graph.deliver('/camera/aligned_depth_to_color/image_raw', m.depth);
      graph.nowSec += 1 / 30;
    }
    const warning = graph.log.find((l) => l.level === 'warn' && /colour images arrived with 90 camera_info messages/.test(l.message));
    expect(warning?.message).to.match(/^only 30 colour images arrived/);
    expect(graph.log.some((l) => /depth images arrived/.test(l.message))).to.equal(false);
    const values = Object.fromEntries(node!.diagnostics().status[0].values.map((kv) => [kv.key, kv.value]));
    expect([values.received_camera_info, values.received_rgb, values.received_depth]).to.deep.equal(['100', '34', '100']);
  });

  it('reports a frame missing a joint, and commands nothing', async () => {
    graph.overrides.set('autostart', true);
    await startNode();
    graph.deliver('/molmoact/instruction', { data: 'pick up the red block' });
    sendFrame(graph, graph.nowSec - 0.01, { joints: JOINTS.slice(0, 6) });
    await waitFor('a warning', () => graph.log.some((l) => l.level === 'warn' && /panda_joint7/.test(l.message)));
    expect(graph.messages('/molmoact/reasoning')).to.have.length(0);
    expect(graph.messages(CONTROLLER)).to.have.length(0);
  });

  it('waits for an instruction before reasoning', async () => {
    await startNode();
    sendFrame(graph, graph.nowSec - 0.01);
    await new Promise((r) => setTimeout(r, 200));
    expect(graph.messages('/molmoact/reasoning')).to.have.length(0);
    graph.fireTimers();
    const diagnostics = graph.messages('/diagnostics')[0] as DiagnosticArray;
    expect(diagnostics.status[0].level).to.equal(1);
    expect(diagnostics.status[0].message).to.match(/instruction/);
  });

  it('follows a trace drawn by a person: the override replaces the planned trace', async () => {
    await startNode();
    graph.deliver('/molmoact/instruction', { data: 'pick up the red block' });
    sendFrame(graph, graph.nowSec - 0.01);
    await waitFor('planned step', () => graph.messages('/molmoact/reasoning').length === 1);
    const planned = graph.messages('/molmoact/reasoning')[0] as ActionReasoning;
    expect(planned.trace_overridden).to.equal(false);

    const u = [20, 320, 600];
    const v = [460, 240, 20];
    graph.deliver('/molmoact/trace_override', { header: { stamp: stampOf(graph.nowSec), frame_id: OPTICAL }, width: W, height: H, u, v });
    graph.nowSec += 0.5;
    sendFrame(graph, graph.nowSec - 0.01);
    await waitFor('steered step', () => graph.messages('/molmoact/reasoning').length === 2);
    const steered = graph.messages('/molmoact/reasoning')[1] as ActionReasoning;
    expect(steered.trace_overridden).to.equal(true);
    // The drawn polyline, resampled: it starts and ends where the person drew it.
    expect(steered.trace.u[0]).to.be.closeTo(20, 2.6);
    expect(steered.trace.v.at(-1)!).to.be.closeTo(20, 2.6);
    expect(steered.actions).to.not.deep.equal(planned.actions);
  });

  it('keeps running with one clear warning when the molmoact_ros messages are not built', async () => {
    graph = new FakeGraph({ customMessagesBuilt: false });
    await startNode();
    const warnings = graph.log.filter((l) => l.level === 'warn' && /molmoact_ros messages are not available/.test(l.message));
    expect(warnings).to.have.length(1);
    graph.deliver('/molmoact/instruction', { data: 'pick up the red block' });
    sendFrame(graph, graph.nowSec - 0.01);
    await waitFor('markers', () => graph.messages('/molmoact/trace_markers').length === 1);
  });

  it('runs without reasoning and refuses to enable when the model cannot be loaded', async () => {
    graph.overrides.set('model_dir', '/nonexistent/model');
    await startNode();
    expect(graph.log.some((l) => l.level === 'error' && /cannot load the model/.test(l.message))).to.equal(true);
    const reply = graph.callService('/molmoact/enable', { data: true }) as { success: boolean; message: string };
    expect(reply.success).to.equal(false);
    expect(reply.message).to.match(/no model/);
    graph.deliver('/molmoact/instruction', { data: 'pick up the red block' });
    sendFrame(graph, graph.nowSec - 0.01);
    await new Promise((r) => setTimeout(r, 100));
    expect(graph.messages(CONTROLLER)).to.have.length(0);
    graph.fireTimers();
    const diagnostics = graph.messages('/diagnostics')[0] as DiagnosticArray;
    expect(diagnostics.status[0].level).to.equal(2);
  });

  it('refuses a runtime parameter change that breaks the schema', async () => {
    const n = await startNode();
    const fake = n.node as FakeNode;
    expect(fake.setParameter('sync_slop_s', 'soon').successful).to.equal(false);
    expect(fake.setParameter('sync_slop_s', 5).successful).to.equal(false);
    expect(fake.setParameter('model_dir', '/elsewhere').successful).to.equal(false);
    expect(fake.setParameter('instruction', 'move the green block to the left of the yellow one').successful).to.equal(true);
    expect(graph.log.some((l) => /move the green block/.test(l.message))).to.equal(true);
  });

  it('refuses to start on an override outside its range or of another type, naming both', async () => {
    graph.overrides.set('sync_slop_s', 5.0);
    let error: Error | null = null;
    await MolmoActNode.create(graph.api()).catch((err: Error) => (error = err));
    expect(error).to.be.instanceOf(ConfigError);
    expect(error!.message).to.match(/^parameter sync_slop_s: the value given does not fit its type double or its range \[0, 1\]/);
    graph = new FakeGraph();
    graph.overrides.set('autostart', 'yes');
    error = null;
    await MolmoActNode.create(graph.api()).catch((err: Error) => (error = err));
    expect(error!.message).to.match(/^parameter autostart: the value given does not fit its type bool \(rclnodejs: /);
  });

  it('lets use_sim_time be switched at run time (rclnodejs owns it), still checking its own parameters', async () => {
    const n = await startNode();
    const fake = n.node as FakeNode;
    expect(fake.setParameter('use_sim_time', true)).to.deep.equal({ successful: true, reason: '' });
    expect(fake.parameters.get('use_sim_time')).to.equal(true);
    expect(fake.setParameter('sync_slop_s', 5).successful).to.equal(false);
  });

  function diagnosticValues(): Record<string, string> {
    return Object.fromEntries(node!.diagnostics().status[0].values.map((kv) => [kv.key, kv.value]));
  }

  it('commands nothing until a robot model arrives, keeps running on a broken URDF, then drives with a good one', async () => {
    graph.overrides.set('autostart', true);
    await startNode(null);
    graph.deliver('/molmoact/instruction', { data: 'pick up the red block' });
    sendFrame(graph, graph.nowSec - 0.01);
    await waitFor('reasoning', () => graph.messages('/molmoact/reasoning').length === 1);
    expect(graph.messages(CONTROLLER)).to.have.length(0);
    expect(diagnosticValues().last_refusal).to.match(/no robot model yet: waiting for the URDF on \/robot_description .*robot_description_file/);
    // Enabling says at once why nothing will move.
    const reply = graph.callService('/molmoact/enable', { data: true }) as { success: boolean; message: string };
    expect(reply.success).to.equal(true);
    expect(reply.message).to.match(/^actuation enabled, but nothing is commanded: no robot model yet/);

    const broken = '<robot name="broken"><link name="a"/><joint name="j" type="fixed"><parent link="a"/><child link="b"/></joint></robot>';
    graph.deliver('/robot_description', { data: broken }, { durability: 'transient_local' });
    expect(graph.log.some((l) => l.level === 'error' && /child link 'b' is not defined/.test(l.message))).to.equal(true);
    expect(diagnosticValues().robot_model).to.match(/rejected/);
    graph.nowSec += 0.5;
    sendFrame(graph, graph.nowSec - 0.01);
    await waitFor('second reasoning', () => graph.messages('/molmoact/reasoning').length === 2);
    expect(graph.messages(CONTROLLER)).to.have.length(0);

    graph.deliver('/robot_description', { data: PANDA_URDF }, { durability: 'transient_local' });
    expect(diagnosticValues().robot_model).to.equal('panda');
    graph.nowSec += 0.5;
    sendFrame(graph, graph.nowSec - 0.01);
    await waitFor('a trajectory', () => graph.messages(CONTROLLER).length === 1);
  });

  it('drives an end-effector model through IK on the URDF file, with the gripper on its own controller', async () => {
    graph.overrides.set('model_dir', resolvePackagePath('test/fixtures/models/ee-tiny'));
    graph.overrides.set('robot_description_file', PANDA_URDF_FILE);
    graph.overrides.set('gripper_interface', 'joint_trajectory');
    graph.overrides.set('autostart', true);
    await startNode(null);
    graph.deliver('/molmoact/instruction', { data: 'pick up the red block' });
    sendFrame(graph, graph.nowSec - 0.01);
    await waitFor('a trajectory', () => graph.messages(CONTROLLER).length === 1);
    const trajectory = graph.messages(CONTROLLER)[0] as JointTrajectory;
    const reasoning = graph.messages('/molmoact/reasoning')[0] as ActionReasoning;
    expect(trajectory.joint_names).to.deep.equal(JOINTS);
    expect(trajectory.points).to.have.length(reasoning.chunk_length);

    // Each point puts the hand where the accumulated deltas (base frame, euler_xyz) say.
    const arm = node!.armModel!;
    const dim = reasoning.action_dim;
    let pose = arm.forward(PANDA_READY);
    trajectory.points.forEach((point, i) => {
      pose = applyDelta(pose, reasoning.actions.slice(i * dim, i * dim + 6), { rotation: 'euler_xyz', frame: 'base' });
      const reached = poseDistance(pose, arm.forward(point.positions));
      expect(reached.position, `point ${i}`).to.be.below(0.001);
      expect(reached.rotation, `point ${i}`).to.be.below(0.01);
    });

    const gripper = graph.messages('/gripper_controller/joint_trajectory') as JointTrajectory[];
    expect(gripper).to.have.length(1);
    // The gripper controller takes its own joint; panda_finger_joint2 follows it as a mimic.
    expect(gripper[0].joint_names).to.deep.equal(['panda_finger_joint1']);
    const open = reasoning.actions[6] > 0.5;
    expect(gripper[0].points[0].positions).to.deep.equal(open ? [0.04] : [0]);
  });

  it('sends one FollowJointTrajectory goal per chunk, cancels the running one, and reports the result', async () => {
    graph.overrides.set('controller_interface', 'follow_joint_trajectory');
    graph.overrides.set('execution_policy', 'replace'); // a new chunk while one runs
    graph.overrides.set('autostart', true);
    await startNode();
    const server = graph.actionServer('/arm_controller/follow_joint_trajectory');
    graph.deliver('/molmoact/instruction', { data: 'pick up the red block' });
    sendFrame(graph, graph.nowSec - 0.01);
    await waitFor('first goal', () => server.goals.length === 1);
    graph.nowSec += 0.2;
    sendFrame(graph, graph.nowSec - 0.01);
    await waitFor('second goal', () => server.goals.length === 2);
    await waitFor('first goal canceled', () => server.canceled.length === 1);
    expect(server.canceled[0]).to.equal(server.goals[0]);
    const goal = server.last.goal as { trajectory: JointTrajectory };
    expect(goal.trajectory.joint_names).to.deep.equal(JOINTS);
    expect(graph.messages(CONTROLLER)).to.have.length(0);

    await waitFor('second goal accepted', () => server.last.accepted === true);
    server.succeed(server.last, { error_code: 0, error_string: '' });
    await waitFor('result in diagnostics', () => /succeeded/i.test(diagnosticValues().controller_last_outcome ?? ''));
  });

  it('streams JointState commands at the control rate for the Isaac Sim bridge', async () => {
    graph.overrides.set('controller_interface', 'joint_state_command');
    graph.overrides.set('autostart', true);
    await startNode();
    graph.deliver('/molmoact/instruction', { data: 'pick up the red block' });
    sendFrame(graph, graph.nowSec - 0.01);
    await waitFor('reasoning', () => graph.messages('/molmoact/reasoning').length === 1);
    await waitFor('command counted', () => node!.counters.commandsSent === 1);
    const reasoning = graph.messages('/molmoact/reasoning')[0] as ActionReasoning;
    // The same chunk, planned independently: the stream follows its spline.
    const dim = reasoning.action_dim;
    const chunk = Array.from({ length: reasoning.chunk_length }, (_, i) => reasoning.actions.slice(i * dim, (i + 1) * dim));
    const expected = chunkToTrajectory({ space: 'joint_delta', chunk, current: PANDA_READY, limits: node!.armModel!.limits, stepSec: 0.1 });
    for (const t of [0.05, 0.35]) {
      graph.nowSec += t - (t === 0.05 ? 0 : 0.05);
      graph.fireTimers();
      const commands = graph.messages('/joint_command') as { name: string[]; position: number[] }[];
      const last = commands.at(-1)!;
      expect(last.name).to.deep.equal(JOINTS);
      const wanted = sampleTrajectory(expected.trajectory, PANDA_READY, t, { withinSegment: true });
      last.position.forEach((q, j) => expect(q, `joint ${j} at ${t} s`).to.be.closeTo(wanted[j], 1e-6));
    }
    expect(graph.messages(CONTROLLER)).to.have.length(0);
  });

  it('open_loop: lets a chunk finish before reasoning about the next frame', async () => {
    graph.overrides.set('execution_policy', 'open_loop');
    graph.overrides.set('autostart', true);
    await startNode();
    graph.deliver('/molmoact/instruction', { data: 'pick up the red block' });
    sendFrame(graph, graph.nowSec - 0.01);
    await waitFor('a trajectory', () => graph.messages(CONTROLLER).length === 1);
    const trajectory = graph.messages(CONTROLLER)[0] as JointTrajectory;
    const duration = toSeconds(trajectory.points.at(-1)!.time_from_start);
    graph.nowSec += duration / 2;
    sendFrame(graph, graph.nowSec - 0.01);
    expect(node!.counters.framesWhileChunkRuns).to.equal(1);
    graph.nowSec += duration;
    sendFrame(graph, graph.nowSec - 0.01);
    await waitFor('second trajectory', () => graph.messages(CONTROLLER).length === 2);
  });

  it('steers by points clicked in rviz: mapped into the camera through tf, the trace runs through them', async () => {
    await startNode();
    // The camera's optical frame sits 0.5 m ahead of and 1 m above base_link, axes parallel.
    graph.deliver(
      '/tf_static',
      {
        transforms: [
          {
            header: { stamp: stampOf(graph.nowSec), frame_id: 'base_link' },
            child_frame_id: OPTICAL,
            transform: { translation: { x: 0.5, y: 0, z: 1 }, rotation: { x: 0, y: 0, z: 0, w: 1 } },
          },
        ],
      },
      { durability: 'transient_local' },
    );
    graph.deliver('/molmoact/instruction', { data: 'pick up the red block' });
    sendFrame(graph, graph.nowSec - 0.01);
    await waitFor('planned step', () => graph.messages('/molmoact/reasoning').length === 1);
    const planned = graph.messages('/molmoact/reasoning')[0] as ActionReasoning;

    // (0.6, 0.05, 2.5) in base_link is (0.1, 0.05, 1.5) in the camera.
    graph.deliver('/clicked_point', { header: { stamp: stampOf(graph.nowSec), frame_id: 'base_link' }, point: { x: 0.6, y: 0.05, z: 2.5 } });
    expect(graph.log.some((l) => /trace override set/.test(l.message))).to.equal(true);
    graph.nowSec += 0.5;
    sendFrame(graph, graph.nowSec - 0.01);
    await waitFor('steered step', () => graph.messages('/molmoact/reasoning').length === 2);
    const steered = graph.messages('/molmoact/reasoning')[1] as ActionReasoning;
    expect(steered.trace_overridden).to.equal(true);
    // From where the planned trace began to the clicked pixel (trace points are whole units of 1/256 of the image).
    const tolerance = W / 256 + 0.5;
    expect(steered.trace.u[0]).to.be.closeTo(planned.trace.u[0], tolerance);
    expect(steered.trace.u.at(-1)!).to.be.closeTo((FX * 0.1) / 1.5 + CX, tolerance);
    expect(steered.trace.v.at(-1)!).to.be.closeTo((FY * 0.05) / 1.5 + CY, tolerance);

    // A click in a frame tf does not know is refused with a clear warning; the override stays.
    graph.deliver('/clicked_point', { header: { stamp: stampOf(graph.nowSec), frame_id: 'map' }, point: { x: 0, y: 0, z: 0 } });
    expect(graph.log.some((l) => l.level === 'warn' && /clicked point ignored: no transform between 'map'/.test(l.message))).to.equal(true);
    // An empty trace clears the clicked waypoints and gives control back to the model.
    graph.deliver('/molmoact/trace_override', { header: { stamp: stampOf(graph.nowSec), frame_id: OPTICAL }, width: W, height: H, u: [], v: [] });
    graph.nowSec += 0.5;
    sendFrame(graph, graph.nowSec - 0.01);
    await waitFor('third step', () => graph.messages('/molmoact/reasoning').length === 3);
    expect((graph.messages('/molmoact/reasoning')[2] as ActionReasoning).trace_overridden).to.equal(false);
  });
});
