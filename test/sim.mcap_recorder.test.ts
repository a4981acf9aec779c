import { expect } from 'chai';
import { mkdtemp, open, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { McapIndexedReader, type IReadable } from '@mcap/core';
import { parse } from '@foxglove/rosmsg';
import { MessageWriter } from '@foxglove/rosmsg2-serialization';
import { buildCameraInfo, buildJointTrajectory, emptyMarker, MarkerType } from '../src/core/messages/builders.js';
import { PinholeCamera } from '../src/core/messages/camera_model.js';
import type { ActionReasoning, CameraInfo, Header, Image, JointState, Marker, StringMsg, VisualTrace } from '../src/core/messages/types.js';
import { buildTraceMarkers } from '../src/core/visualize/trace_markers.js';
import { McapRecorder, OFFERED_QOS_PROFILES } from '../src/recording/mcap_recorder.js';
import { readMcap } from '../src/recording/mcap_reader.js';
import { RECORDED_TYPES, RecordingError, schemaText, serializeRos2Message, type RecordedType } from '../src/recording/cdr_encoder.js';
import {
  DEFINITION_SEPARATOR,
  fullMessageDefinition,
  messageDefinitionText,
} from '../src/recording/ros2_definitions.js';

const MCAP_MAGIC = [0x89, 0x4d, 0x43, 0x41, 0x50, 0x30, 0x0d, 0x0a];

const stamp = { sec: 1_700_000_000, nanosec: 123_456_789 };
const stampNs = 1_700_000_000_123_456_789n;
const header: Header = { stamp, frame_id: 'camera_color_optical_frame' };

function rgbImage(): Image {
  const width = 4;
  const height = 3;
  const data = new Uint8Array(width * height * 3);
  for (let i = 0; i < data.length; i++) data[i] = (i * 37 + 11) % 256;
  return { header, height, width, encoding: 'rgb8', is_bigendian: 0, step: width * 3, data };
}

function depthImage(): Image {
  const data = new Uint8Array(2 * 2 * 2);
  new DataView(data.buffer).setUint16(0, 812, true);
  new DataView(data.buffer).setUint16(6, 65535, true);
  return { header, height: 2, width: 2, encoding: '16UC1', is_bigendian: 0, step: 4, data };
}

function cameraInfo(): CameraInfo {
  return buildCameraInfo(header, new PinholeCamera(615.5, 616.25, 319.5, 239.5, 640, 480));
}

function jointState(): JointState {
  return {
    header: { stamp, frame_id: '' },
    name: ['shoulder_pan_joint', 'shoulder_lift_joint', 'elbow_joint'],
    position: [0.1, -1.25, 2.5],
    velocity: new Float64Array([0, 0.5, -0.5]),
    effort: [],
  };
}

const trajectory = buildJointTrajectory({
  stamp: { sec: 0, nanosec: 0 },
  jointNames: ['shoulder_pan_joint', 'shoulder_lift_joint', 'elbow_joint'],
  points: [
    { positions: [0.1, -1.2, 2.4], velocities: [0.01, 0.02, 0.03], timeFromStart: 0.5 },
    { positions: [0.2, -1.1, 2.3], timeFromStart: 1.25 },
  ],
});

const trace3d = [{ x: 0.1, y: -0.05, z: 0.6 }, null, { x: 0.12, y: -0.02, z: 0.58 }, { x: 0.15, y: 0.01, z: 0.55 }];
const markers = buildTraceMarkers({ stamp, frameId: 'camera_color_optical_frame', trace3d });

const instruction: StringMsg = { data: 'put the red cube in the bowl, café-style ✓' };

const visualTrace: VisualTrace = { header, width: 640, height: 480, u: [10.5, 320.25, 600], v: [30, 240.75, 470.5] };

const reasoning: ActionReasoning = {
  header,
  completed: { sec: stamp.sec, nanosec: 923_456_789 },
  instruction: 'put the red cube in the bowl',
  model: 'molmoact-tiny',
  depth_rows: 2,
  depth_cols: 3,
  depth_tokens: [0, 1, 127, 128, 65535, 42],
  trace: visualTrace,
  trace_overridden: false,
  trace_points: [{ x: 0.1, y: -0.05, z: 0.6 }, { x: 0, y: 0, z: 0 }, { x: 0.12, y: -0.02, z: 0.58 }],
  trace_points_valid: [true, false, true],
  action_space: 'ee_delta',
  chunk_length: 2,
  action_dim: 7,
  actions: [0.01, 0, -0.02, 0, 0, 0.1, 1, 0.02, 0, -0.01, 0, 0, 0.05, 0],
  stage_names: ['depth', 'trace', 'action'],
  stage_ms: [12.5, 30.25, 8],
};

interface Written {
  topic: string;
  type: RecordedType;
  message: object;
  stampNs: bigint;
}

const WRITTEN: Written[] = [
  { topic: '/molmoact/instruction', type: 'std_msgs/msg/String', message: instruction, stampNs },
  { topic: '/camera/color/image_raw', type: 'sensor_msgs/msg/Image', message: rgbImage(), stampNs },
  { topic: '/camera/aligned_depth_to_color/image_raw', type: 'sensor_msgs/msg/Image', message: depthImage(), stampNs },
  { topic: '/camera/color/camera_info', type: 'sensor_msgs/msg/CameraInfo', message: cameraInfo(), stampNs },
  { topic: '/joint_states', type: 'sensor_msgs/msg/JointState', message: jointState(), stampNs: stampNs + 1_000_000n },
  { topic: '/molmoact/visual_trace', type: 'molmoact_ros/msg/VisualTrace', message: visualTrace, stampNs: stampNs + 2_000_000n },
  { topic: '/molmoact/reasoning', type: 'molmoact_ros/msg/ActionReasoning', message: reasoning, stampNs: stampNs + 2_000_000n },
  { topic: '/molmoact/trace_markers', type: 'visualization_msgs/msg/MarkerArray', message: markers, stampNs: stampNs + 3_000_000n },
  { topic: '/arm_controller/joint_trajectory', type: 'trajectory_msgs/msg/JointTrajectory', message: trajectory, stampNs: stampNs + 4_000_000n },
  // a second frame on a topic that already has its channel
  { topic: '/camera/color/image_raw', type: 'sensor_msgs/msg/Image', message: { ...rgbImage(), header: { ...header, stamp: { sec: stamp.sec, nanosec: 156_789_012 } } }, stampNs: 1_700_000_000_156_789_012n },
];

/** A random-access view of a file for McapIndexedReader (the way Foxglove opens a file). */
async function indexedReader(file: string): Promise<{ reader: McapIndexedReader; close: () => Promise<void> }> {
  const handle = await open(file, 'r');
  const readable: IReadable = {
    size: async () => BigInt((await handle.stat()).size),
    read: async (offset, size) => {
      const buffer = new Uint8Array(Number(size));
      await handle.read(buffer, 0, buffer.length, Number(offset));
      return buffer;
    },
  };
  return { reader: await McapIndexedReader.Initialize({ readable }), close: () => handle.close() };
}

const num = (a: ArrayLike<number>): number[] => Array.from(a);

describe('sim/mcap_recorder', () => {
  let dir: string;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'mcap-recorder-'));
  });

  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  describe('a recorded episode', () => {
    let file: string;
    let read: Awaited<ReturnType<typeof readMcap>>;

    before(async () => {
      file = join(dir, 'episode.mcap');
      const recorder = await McapRecorder.create(file);
      for (const w of WRITTEN) await recorder.write(w.topic, w.type, w.message, w.stampNs);
      await recorder.close();
      read = await readMcap(file);
    });

    it('is an MCAP file: magic bytes at both ends', async () => {
      const bytes = await readFile(file);
      expect(Array.from(bytes.subarray(0, 8))).to.deep.equal(MCAP_MAGIC);
      expect(Array.from(bytes.subarray(bytes.length - 8))).to.deep.equal(MCAP_MAGIC);
    });

    it('reads back every message in the order written, with its topic, schema name and log time in ns', () => {
      expect(read.map((m) => m.topic)).to.deep.equal(WRITTEN.map((w) => w.topic));
      expect(read.map((m) => m.type)).to.deep.equal(WRITTEN.map((w) => w.type));
      expect(read.map((m) => m.logTime)).to.deep.equal(WRITTEN.map((w) => w.stampNs));
      for (const m of read) expect(typeof m.logTime).to.equal('bigint');
    });

    it('keeps the image: header, size, encoding and every byte', () => {
      const image = read[1].message;
      const written = WRITTEN[1].message as Image;
      expect(image.header).to.deep.equal({ stamp: { sec: 1_700_000_000, nanosec: 123_456_789 }, frame_id: 'camera_color_optical_frame' });
      expect([image.width, image.height, image.step, image.is_bigendian, image.encoding]).to.deep.equal([4, 3, 12, 0, 'rgb8']);
      expect(image.data).to.be.instanceOf(Uint8Array);
      expect(Array.from(image.data)).to.deep.equal(Array.from(written.data));

      const depth = read[2].message;
      expect(depth.encoding).to.equal('16UC1');
      const view = new DataView(depth.data.buffer, depth.data.byteOffset, depth.data.byteLength);
      expect([view.getUint16(0, true), view.getUint16(6, true)]).to.deep.equal([812, 65535]);

      expect(read[9].message.header.stamp).to.deep.equal({ sec: 1_700_000_000, nanosec: 156_789_012 });
    });

    it('keeps the camera info: intrinsics, fixed-size matrices and roi', () => {
      const info = read[3].message;
      const written = cameraInfo();
      expect(info.distortion_model).to.equal('plumb_bob');
      expect([info.width, info.height]).to.deep.equal([640, 480]);
      expect(num(info.d)).to.deep.equal(num(written.d));
      expect(num(info.k)).to.deep.equal([615.5, 0, 319.5, 0, 616.25, 239.5, 0, 0, 1]);
      expect(num(info.r)).to.deep.equal(num(written.r));
      expect(num(info.p)).to.deep.equal(num(written.p));
      expect(info.roi).to.deep.equal({ x_offset: 0, y_offset: 0, height: 0, width: 0, do_rectify: false });
    });

    it('keeps the joint state: names, positions, velocities, empty efforts', () => {
      const js = read[4].message;
      expect(js.name).to.deep.equal(['shoulder_pan_joint', 'shoulder_lift_joint', 'elbow_joint']);
      expect(num(js.position)).to.deep.equal([0.1, -1.25, 2.5]);
      expect(num(js.velocity)).to.deep.equal([0, 0.5, -0.5]);
      expect(num(js.effort)).to.deep.equal([]);
      expect(js.header.stamp).to.deep.equal(stamp);
    });

    it('keeps the joint trajectory built by buildJointTrajectory', () => {
      const jt = read[8].message;
      expect(jt.joint_names).to.deep.equal(trajectory.joint_names);
      expect(jt.points).to.have.length(2);
      jt.points.forEach((p: any, i: number) => {
        const w = trajectory.points[i];
        expect(num(p.positions)).to.deep.equal(w.positions);
        expect(num(p.velocities)).to.deep.equal(w.velocities);
        expect(num(p.accelerations)).to.deep.equal([]);
        expect(num(p.effort)).to.deep.equal([]);
        expect(p.time_from_start).to.deep.equal(w.time_from_start);
      });
      expect(jt.points[1].time_from_start).to.deep.equal({ sec: 1, nanosec: 250_000_000 });
    });

    it('keeps the trace markers: types, actions, points, colours, labels and the Humble fields', () => {
      const ma = read[7].message;
      expect(ma.markers).to.have.length(markers.markers.length);
      ma.markers.forEach((m: any, i: number) => {
        const w = markers.markers[i];
        expect([m.ns, m.id, m.type, m.action, m.text]).to.deep.equal([w.ns, w.id, w.type, w.action, w.text]);
        expect(m.header).to.deep.equal(w.header);
        expect(m.points).to.deep.equal(w.points);
        expect(m.pose).to.deep.equal(w.pose);
        expect(m.texture_resource).to.equal('');
        expect(m.texture.format).to.equal('');
        expect(m.uv_coordinates).to.deep.equal([]);
        expect(m.mesh_file.filename).to.equal('');
        expect(m.mesh_use_embedded_materials).to.equal(false);
      });
      const spheres = ma.markers.find((m: any) => m.type === MarkerType.SPHERE_LIST);
      expect(spheres.points).to.deep.equal([trace3d[0], trace3d[2], trace3d[3]]);
      expect(spheres.colors).to.have.length(3);
      expect(spheres.colors[0].r).to.be.closeTo(1, 1e-6);
      expect(spheres.colors[2].b).to.be.closeTo(1, 1e-6);
      expect(ma.markers.filter((m: any) => m.type === MarkerType.TEXT_VIEW_FACING).map((m: any) => m.text)).to.deep.equal(['0', '2', '3']);
    });

    it('keeps the instruction, non-ASCII characters included', () => {
      expect(read[0].message).to.deep.equal({ data: 'put the red cube in the bowl, café-style ✓' });
    });

    it('keeps the VisualTrace and the ActionReasoning of this package', () => {
      const vt = read[5].message;
      expect(vt.header).to.deep.equal(header);
      expect([vt.width, vt.height]).to.deep.equal([640, 480]);
      expect(num(vt.u)).to.deep.equal([10.5, 320.25, 600]);
      expect(num(vt.v)).to.deep.equal([30, 240.75, 470.5]);

      const ar = read[6].message;
      expect(ar.header).to.deep.equal(header);
      expect(ar.completed).to.deep.equal({ sec: stamp.sec, nanosec: 923_456_789 });
      expect([ar.instruction, ar.model, ar.action_space]).to.deep.equal(['put the red cube in the bowl', 'molmoact-tiny', 'ee_delta']);
      expect([ar.depth_rows, ar.depth_cols, ar.chunk_length, ar.action_dim]).to.deep.equal([2, 3, 2, 7]);
      expect(num(ar.depth_tokens)).to.deep.equal([0, 1, 127, 128, 65535, 42]);
      expect(num(ar.trace.u)).to.deep.equal([10.5, 320.25, 600]);
      expect(ar.trace_overridden).to.equal(false);
      expect(ar.trace_points).to.deep.equal(reasoning.trace_points);
      expect(Array.from(ar.trace_points_valid)).to.deep.equal([true, false, true]);
      expect(num(ar.actions)).to.deep.equal(reasoning.actions);
      expect(ar.stage_names).to.deep.equal(['depth', 'trace', 'action']);
      expect(num(ar.stage_ms)).to.deep.equal([12.5, 30.25, 8]);
    });

    it('has the ros2 profile layout: header, ros2msg schemas, cdr channels with QoS, index and statistics', async () => {
      const { reader, close } = await indexedReader(file);
      try {
        expect(reader.header).to.deep.include({ profile: 'ros2', library: 'molmoact_ros' });

        const schemas = [...reader.schemasById.values()];
        expect(schemas.map((s) => s.name).sort()).to.deep.equal([...RECORDED_TYPES].sort());
        for (const s of schemas) {
          expect(s.encoding).to.equal('ros2msg');
          expect(new TextDecoder().decode(s.data)).to.equal(fullMessageDefinition(s.name));
        }

        const channels = [...reader.channelsById.values()];
        expect(channels.map((c) => c.topic).sort()).to.deep.equal([...new Set(WRITTEN.map((w) => w.topic))].sort());
        const schemaName = new Map(schemas.map((s) => [s.id, s.name]));
        for (const c of channels) {
          expect(c.messageEncoding).to.equal('cdr');
          expect(c.metadata.get('offered_qos_profiles')).to.equal(OFFERED_QOS_PROFILES);
          expect(schemaName.get(c.schemaId)).to.equal(WRITTEN.find((w) => w.topic === c.topic)!.type);
        }
        // one schema for the two image topics
        const imageChannels = channels.filter((c) => schemaName.get(c.schemaId) === 'sensor_msgs/msg/Image');
        expect(imageChannels).to.have.length(2);
        expect(imageChannels[0].schemaId).to.equal(imageChannels[1].schemaId);

        expect(reader.statistics?.messageCount).to.equal(BigInt(WRITTEN.length));
        expect(reader.statistics?.messageStartTime).to.equal(stampNs);
        expect(reader.statistics?.messageEndTime).to.equal(1_700_000_000_156_789_012n);
        expect(reader.chunkIndexes.length).to.be.greaterThan(0);

        const indexed = [];
        for await (const m of reader.readMessages()) indexed.push(m);
        expect(indexed).to.have.length(WRITTEN.length);
        for (const m of indexed) expect(m.publishTime).to.equal(m.logTime);
        // sequence numbers count per channel
        const imageSeqs = indexed.filter((m) => m.channelId === channels.find((c) => c.topic === '/camera/color/image_raw')!.id).map((m) => m.sequence);
        expect(imageSeqs).to.deep.equal([0, 1]);
      } finally {
        await close();
      }
    });
  });

  describe('CDR encoding', () => {
    it('writes the CDR_LE encapsulation header and UTF-8 strings with their byte length', () => {
      expect(Array.from(serializeRos2Message('std_msgs/msg/String', { data: 'ab' }))).to.deep.equal([0, 1, 0, 0, 3, 0, 0, 0, 97, 98, 0]);
      // é is two bytes in UTF-8: length 3 + NUL
      expect(Array.from(serializeRos2Message('std_msgs/msg/String', { data: 'é' }))).to.deep.equal([0, 1, 0, 0, 3, 0, 0, 0, 0xc3, 0xa9, 0]);
    });

    it('gives the same bytes as @foxglove/rosmsg2-serialization MessageWriter for ASCII messages', () => {
      for (const w of WRITTEN) {
        if (w.type === 'std_msgs/msg/String') continue;
        const writer = new MessageWriter(parse(schemaText(w.type), { ros2: true }));
        const expected = writer.writeMessage(w.message);
        expect(Array.from(serializeRos2Message(w.type, w.message)), `${w.topic} (${w.type})`).to.deep.equal(Array.from(expected));
      }
    });

    it('fills absent fields with the definition defaults (a Marker without the Humble texture and mesh fields)', async () => {
      const old: Partial<Marker> = emptyMarker();
      delete old.texture;
      delete old.texture_resource;
      delete old.uv_coordinates;
      delete old.mesh_file;
      delete old.mesh_use_embedded_materials;
      delete old.pose;
      old.type = MarkerType.SPHERE_LIST;
      old.points = [{ x: 1, y: 2, z: 3 }];

      const file = join(dir, 'old-marker.mcap');
      const recorder = await McapRecorder.create(file);
      await recorder.write('/markers', 'visualization_msgs/msg/MarkerArray', { markers: [old] }, 5n);
      await recorder.close();
      const [m] = await readMcap(file);
      const marker = m.message.markers[0];
      expect(marker.points).to.deep.equal([{ x: 1, y: 2, z: 3 }]);
      expect(marker.texture).to.deep.include({ format: '' });
      expect(marker.texture.data).to.have.length(0);
      expect(marker.uv_coordinates).to.deep.equal([]);
      expect(marker.mesh_file.filename).to.equal('');
      // geometry_msgs/Quaternion defaults to the identity
      expect(marker.pose).to.deep.equal({ position: { x: 0, y: 0, z: 0 }, orientation: { x: 0, y: 0, z: 0, w: 1 } });
      expect(m.logTime).to.equal(5n);
    });
  });

  describe('errors', () => {
    async function rejection(promise: Promise<unknown>): Promise<RecordingError> {
      try {
        await promise;
      } catch (error) {
        expect(error).to.be.instanceOf(RecordingError);
        return error as RecordingError;
      }
      expect.fail('expected the write to be rejected');
    }

    it('names the topic and the field of a value of the wrong type, and writes nothing for it', async () => {
      const file = join(dir, 'bad.mcap');
      const recorder = await McapRecorder.create(file);
      const bad = { ...jointState(), position: [0.1, '0.2', 0.3] };
      const e1 = await rejection(recorder.write('/joint_states', 'sensor_msgs/msg/JointState', bad, 1n));
      expect(e1.message).to.contain('/joint_states').and.to.contain('position[1]').and.to.contain('float64');
      expect(e1.topic).to.equal('/joint_states');
      expect(e1.field).to.equal('position[1]');

      const e2 = await rejection(recorder.write('/camera/color/image_raw', 'sensor_msgs/msg/Image', { ...rgbImage(), data: 'pixels' }, 2n));
      expect(e2.message).to.contain('/camera/color/image_raw').and.to.contain('data').and.to.contain('string');

      const e3 = await rejection(recorder.write('/camera/color/camera_info', 'sensor_msgs/msg/CameraInfo', { ...cameraInfo(), k: [1, 0, 0, 0, 1, 0, 0, 0] }, 3n));
      expect(e3.message).to.contain('/camera/color/camera_info').and.to.contain('k').and.to.contain('exactly 9');

      const e4 = await rejection(recorder.write('/joint_states', 'sensor_msgs/msg/JointState', { ...jointState(), header: { stamp: { sec: 1.5, nanosec: 0 }, frame_id: '' } }, 4n));
      expect(e4.field).to.equal('header.stamp.sec');

      const e5 = await rejection(recorder.write('/markers', 'visualization_msgs/msg/MarkerArray', { markers: [{ ...emptyMarker(), id: 2 ** 31 }] }, 5n));
      expect(e5.message).to.contain('/markers').and.to.contain('markers[0].id').and.to.contain('int32');

      const e6 = await rejection(recorder.write('/joint_states', 'sensor_msgs/msg/JointState', jointState(), 6 as unknown as bigint));
      expect(e6.message).to.contain('/joint_states').and.to.contain('bigint');

      await recorder.write('/joint_states', 'sensor_msgs/msg/JointState', jointState(), 7n);
      const e7 = await rejection(recorder.write('/joint_states', 'std_msgs/msg/String', { data: 'x' }, 8n));
      expect(e7.message).to.contain('/joint_states').and.to.contain('sensor_msgs/msg/JointState');
      await recorder.close();

      const e8 = await rejection(recorder.write('/joint_states', 'sensor_msgs/msg/JointState', jointState(), 9n));
      expect(e8.message).to.contain('closed');

      const back = await readMcap(file);
      expect(back.map((m) => [m.topic, m.logTime])).to.deep.equal([['/joint_states', 7n]]);
    });

    it('readMcap refuses a file that was never closed', async () => {
      const file = join(dir, 'unclosed.mcap');
      const recorder = await McapRecorder.create(file);
      await recorder.write('/molmoact/instruction', 'std_msgs/msg/String', { data: 'x' }, 1n);
      let error: unknown;
      try {
        await readMcap(file);
      } catch (e) {
        error = e;
      }
      expect(String(error)).to.contain('footer');
      await recorder.close();
      expect(await readMcap(file)).to.have.length(1);
    });
  });

  it('carries out overlapping calls in the order they were made', async () => {
    const file = join(dir, 'overlap.mcap');
    const recorder = await McapRecorder.create(file);
    const calls: Promise<void>[] = [];
    for (let i = 0; i < 20; i++) calls.push(recorder.write(`/t${i % 3}`, 'std_msgs/msg/String', { data: `m${i}` }, BigInt(100 + i)));
    calls.push(recorder.close());
    await Promise.all(calls);
    const back = await readMcap(file);
    expect(back.map((m) => m.message.data)).to.deep.equal(Array.from({ length: 20 }, (_, i) => `m${i}`));
    expect(back.map((m) => m.topic)).to.deep.equal(Array.from({ length: 20 }, (_, i) => `/t${i % 3}`));
  });
});

describe('sim/ros2_definitions', () => {
  it('uses the package msg files as they are for VisualTrace and ActionReasoning', async () => {
    expect(messageDefinitionText('molmoact_ros/msg/VisualTrace')).to.equal(await readFile(new URL('../../msg/VisualTrace.msg', import.meta.url), 'utf8'));
    expect(messageDefinitionText('molmoact_ros/ActionReasoning')).to.equal(await readFile(new URL('../../msg/ActionReasoning.msg', import.meta.url), 'utf8'));
  });

  it('has the Humble field layout of the recorded sensor messages, and names a type it does not know', () => {
    const fields = (type: string) =>
      parse(fullMessageDefinition(type), { ros2: true })[0]
        .definitions.filter((f) => f.isConstant !== true)
        .map((f) => `${f.type}${f.isArray === true ? (f.arrayLength !== undefined ? `[${f.arrayLength}]` : '[]') : ''} ${f.name}`);
    expect(fields('sensor_msgs/msg/Image')).to.deep.equal([
      'std_msgs/Header header', 'uint32 height', 'uint32 width', 'string encoding', 'uint8 is_bigendian', 'uint32 step', 'uint8[] data',
    ]);
    expect(fields('sensor_msgs/msg/CameraInfo')).to.deep.equal([
      'std_msgs/Header header', 'uint32 height', 'uint32 width', 'string distortion_model', 'float64[] d', 'float64[9] k', 'float64[9] r',
      'float64[12] p', 'uint32 binning_x', 'uint32 binning_y', 'sensor_msgs/RegionOfInterest roi',
    ]);
    expect(fields('trajectory_msgs/msg/JointTrajectoryPoint')).to.deep.equal([
      'float64[] positions', 'float64[] velocities', 'float64[] accelerations', 'float64[] effort', 'duration time_from_start',
    ]);
    expect(() => messageDefinitionText('sensor_msgs/msg/NoSuchThing')).to.throw(/no \.msg definition known for sensor_msgs\/msg\/NoSuchThing/);
    expect(() => messageDefinitionText('../../etc/passwd')).to.throw(/not a ROS 2 message type name/);
  });

  it('concatenates dependencies as rosbag2 does: separator line, MSG: pkg/Type, each type once', () => {
    const text = fullMessageDefinition('sensor_msgs/msg/CameraInfo');
    expect(text.startsWith(messageDefinitionText('sensor_msgs/msg/CameraInfo'))).to.equal(true);
    const headers = text.split('\n').filter((l) => l.startsWith('MSG: '));
    // sorted, depth first: Header's own dependency follows it
    expect(headers).to.deep.equal(['MSG: sensor_msgs/RegionOfInterest', 'MSG: std_msgs/Header', 'MSG: builtin_interfaces/Time']);
    expect(text).to.contain(`\n${DEFINITION_SEPARATOR}\nMSG: std_msgs/Header\n`);
    expect(DEFINITION_SEPARATOR).to.equal('='.repeat(80));

    const marker = fullMessageDefinition('visualization_msgs/msg/MarkerArray').split('\n').filter((l) => l.startsWith('MSG: '));
    expect(new Set(marker).size).to.equal(marker.length);
    expect(marker).to.include.members([
      'MSG: visualization_msgs/Marker',
      'MSG: sensor_msgs/CompressedImage',
      'MSG: visualization_msgs/UVCoordinate',
      'MSG: visualization_msgs/MeshFile',
      'MSG: geometry_msgs/Quaternion',
      'MSG: builtin_interfaces/Duration',
    ]);
  });

  it('has the Humble field layout of visualization_msgs/Marker', () => {
    const [, ...rest] = parse(fullMessageDefinition('visualization_msgs/msg/MarkerArray'), { ros2: true });
    const marker = rest.find((d) => d.name === 'visualization_msgs/Marker')!;
    const fields = marker.definitions.filter((f) => f.isConstant !== true).map((f) => `${f.type}${f.isArray === true ? '[]' : ''} ${f.name}`);
    expect(fields).to.deep.equal([
      'std_msgs/Header header',
      'string ns',
      'int32 id',
      'int32 type',
      'int32 action',
      'geometry_msgs/Pose pose',
      'geometry_msgs/Vector3 scale',
      'std_msgs/ColorRGBA color',
      'duration lifetime',
      'bool frame_locked',
      'geometry_msgs/Point[] points',
      'std_msgs/ColorRGBA[] colors',
      'string texture_resource',
      'sensor_msgs/CompressedImage texture',
      'visualization_msgs/UVCoordinate[] uv_coordinates',
      'string text',
      'string mesh_resource',
      'visualization_msgs/MeshFile mesh_file',
      'bool mesh_use_embedded_materials',
    ]);
  });

  it('parses the full definition of every recorded type', () => {
    for (const type of RECORDED_TYPES) {
      const defs = parse(fullMessageDefinition(type), { ros2: true });
      expect(defs[0].definitions.length, type).to.be.greaterThan(0);
    }
  });
});
