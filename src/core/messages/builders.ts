/**
 * Complete outgoing messages: headers, joint trajectories and markers with every field set, so
 * that rclnodejs (which requires all fields) can serialise them as they are.
 */
import { MessageError } from './errors.js';
import { durationFromSeconds } from './time.js';
import type { CameraInfo, Header, JointTrajectory, Marker, Time } from './types.js';
import type { PinholeCamera } from './camera_model.js';

export function makeHeader(stamp: Time, frameId: string): Header {
  return { stamp: { sec: stamp.sec, nanosec: stamp.nanosec }, frame_id: frameId };
}

export interface TrajectoryPointInput {
  positions: ArrayLike<number>;
  velocities?: ArrayLike<number>;
  /** Seconds after header.stamp at which the point is reached. */
  timeFromStart: number;
}

export interface TrajectoryInput {
  /** Zero means "start now" to joint_trajectory_controller. */
  stamp: Time;
  jointNames: readonly string[];
  points: readonly TrajectoryPointInput[];
}

function finiteArray(values: ArrayLike<number>, expectedLength: number, what: string): number[] {
  if (values.length !== expectedLength) {
    throw new MessageError('length_mismatch', `${what}: expected ${expectedLength} values (one per joint), got ${values.length}`);
  }
  const out = Array.from(values);
  const bad = out.findIndex((x) => !Number.isFinite(x));
  if (bad >= 0) throw new MessageError('non_finite', `${what}[${bad}]: expected a finite number, got ${out[bad]}`);
  return out;
}

/**
 * A trajectory_msgs/JointTrajectory. Times must be > 0 (a point at 0 makes the controller jump)
 * and strictly increasing.
 */
export function buildJointTrajectory(input: TrajectoryInput): JointTrajectory {
  const n = input.jointNames.length;
  if (n === 0) throw new MessageError('length_mismatch', 'joint trajectory joint_names: expected at least one joint, got none');
  if (new Set(input.jointNames).size !== n) {
    throw new MessageError('bad_value', `joint trajectory joint_names: expected unique names, got [${input.jointNames.join(', ')}]`);
  }
  if (input.points.length === 0) throw new MessageError('bad_trajectory', 'joint trajectory points: expected at least one point, got none');
  let previous = 0;
  const points = input.points.map((p, i) => {
    const t = p.timeFromStart;
    if (!Number.isFinite(t)) throw new MessageError('non_finite', `points[${i}].time_from_start: expected finite seconds, got ${t}`);
    if (!(t > previous)) {
      throw new MessageError(
        'bad_trajectory',
        `points[${i}].time_from_start: expected > ${previous} s (positive and strictly increasing), got ${t}`,
      );
    }
    previous = t;
    return {
      positions: finiteArray(p.positions, n, `points[${i}].positions`),
      velocities: p.velocities === undefined ? [] : finiteArray(p.velocities, n, `points[${i}].velocities`),
      accelerations: [],
      effort: [],
      time_from_start: durationFromSeconds(t),
    };
  });
  return { header: makeHeader(input.stamp, ''), joint_names: [...input.jointNames], points };
}

/** visualization_msgs/Marker type values. */
export const MarkerType = {
  ARROW: 0,
  CUBE: 1,
  SPHERE: 2,
  CYLINDER: 3,
  LINE_STRIP: 4,
  LINE_LIST: 5,
  CUBE_LIST: 6,
  SPHERE_LIST: 7,
  POINTS: 8,
  TEXT_VIEW_FACING: 9,
  MESH_RESOURCE: 10,
  TRIANGLE_LIST: 11,
} as const;

/** visualization_msgs/Marker action values (MODIFY is the same as ADD). */
export const MarkerAction = {
  ADD: 0,
  MODIFY: 0,
  DELETE: 2,
  DELETEALL: 3,
} as const;

/** A Marker with every field present: ADD, identity pose, zero scale, transparent black, no lifetime. */
export function emptyMarker(): Marker {
  return {
    header: { stamp: { sec: 0, nanosec: 0 }, frame_id: '' },
    ns: '',
    id: 0,
    type: MarkerType.ARROW,
    action: MarkerAction.ADD,
    pose: { position: { x: 0, y: 0, z: 0 }, orientation: { x: 0, y: 0, z: 0, w: 1 } },
    scale: { x: 0, y: 0, z: 0 },
    color: { r: 0, g: 0, b: 0, a: 0 },
    lifetime: { sec: 0, nanosec: 0 },
    frame_locked: false,
    points: [],
    colors: [],
    texture_resource: '',
    texture: { header: { stamp: { sec: 0, nanosec: 0 }, frame_id: '' }, format: '', data: new Uint8Array(0) },
    uv_coordinates: [],
    text: '',
    mesh_resource: '',
    mesh_file: { filename: '', data: new Uint8Array(0) },
    mesh_use_embedded_materials: false,
  };
}

/** sensor_msgs/CameraInfo of an undistorted pinhole camera (as an aligned RGB-D driver reports it). */
export function buildCameraInfo(header: Header, camera: PinholeCamera): CameraInfo {
  const { fx, fy, cx, cy, width, height } = camera;
  return {
    header,
    height,
    width,
    distortion_model: 'plumb_bob',
    d: [0, 0, 0, 0, 0],
    k: [fx, 0, cx, 0, fy, cy, 0, 0, 1],
    r: [1, 0, 0, 0, 1, 0, 0, 0, 1],
    p: [fx, 0, cx, 0, 0, fy, cy, 0, 0, 0, 1, 0],
    binning_x: 0,
    binning_y: 0,
    roi: { x_offset: 0, y_offset: 0, height: 0, width: 0, do_rectify: false },
  };
}
