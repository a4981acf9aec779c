/**
 * The kinematic tabletop world: a Franka Panda (from its URDF) on a table with a few coloured
 * objects and a plate, seen by a fixed RGB-D camera, seeded and deterministic.
 *
 * Kinematic means no physics: the arm is where its joint positions put it, a closed gripper holds
 * the object between its fingers and carries it, an opened one puts it down on whatever is below
 * (the plate or the table). The base frame (panda_link0) is the world frame; the table top is z = 0.
 */
import { ArmModel } from '../../core/kinematics/arm_model.js';
import { KinematicChain } from '../../core/kinematics/chain.js';
import { applyToPoint, compose, fromXyzRpy, identity, invert, type Transform } from '../../core/kinematics/transform.js';
import { PinholeCamera } from '../../core/messages/camera_model.js';
import { buildCameraInfo } from '../../core/messages/builders.js';
import { encodeDepthImage, encodeRgbImage } from '../../core/messages/image_codec.js';
import { timeFromSeconds } from '../../core/messages/time.js';
import type { CameraInfo, Image, JointState } from '../../core/messages/types.js';
import { resolvePackagePath } from '../../config/package_root.js';
import { defaultValues, loadParameterSchema } from '../../config/schema.js';
import { armModelOptions, settingsFromValues, type NodeSettings } from '../../config/settings.js';
import { seededRandom, uniform, type Random } from '../../core/util/random.js';
import { proprioSource, type ProprioSource } from '../../core/model/proprioception.js';
import { lookAt, renderScene, type RenderResult, type RenderScene } from './render.js';
import { type SceneObject, type Shape } from './render_geometry.js';
import { loadArmModel } from '../../config/robot_files.js';

export type Vec3 = [number, number, number];

export const PANDA_JOINTS = ['panda_joint1', 'panda_joint2', 'panda_joint3', 'panda_joint4', 'panda_joint5', 'panda_joint6', 'panda_joint7'];
/** The hand's two finger joints (the second mimics the first), as franka's joint states name them. */
export const PANDA_FINGER_JOINTS = ['panda_finger_joint1', 'panda_finger_joint2'];
/** The Panda's ready pose: the hand 0.59 m up, pointing down. Every episode starts here. */
export const READY_POSE = [0, -0.785, 0, -2.356, 0, 1.571, 0.785];
/** Fingertip centre below panda_hand, along the hand's z axis (Franka Hand). */
export const TCP_OFFSET = 0.1034;
export const CAMERA_FRAME = 'camera_color_optical_frame';

export const COLORS = {
  red: [200, 35, 35],
  green: [40, 160, 60],
  blue: [40, 80, 210],
  yellow: [235, 205, 40],
  orange: [245, 135, 30],
  purple: [135, 60, 175],
} as const satisfies Record<string, [number, number, number]>;
export type ColorName = keyof typeof COLORS;
export const COLOR_NAMES = Object.keys(COLORS) as ColorName[];

export const SHAPES = {
  block: { kind: 'box', size: [0.045, 0.045, 0.045] },
  cylinder: { kind: 'cylinder', radius: 0.022, height: 0.06 },
  ball: { kind: 'sphere', radius: 0.024 },
} as const satisfies Record<string, Shape>;
export type ShapeName = keyof typeof SHAPES;
export const SHAPE_NAMES = Object.keys(SHAPES) as ShapeName[];

export interface WorldObject {
  index: number;
  color: ColorName;
  shape: ShapeName;
  /** Centre, base frame. */
  position: Vec3;
  yaw: number;
  /** Height of the centre above the surface the object rests on. */
  halfHeight: number;
  /** Offset from the fingertip centre while held; null when not held. */
  held: Vec3 | null;
}

export interface Plate {
  position: Vec3;
  radius: number;
  thickness: number;
}

export interface WorldOptions {
  seed: number;
  /** Objects on the table, 2 to 5 (default: 2 to 5 at random). */
  objects?: number;
}

/** Where objects and the plate are placed: in front of the robot, within easy reach. */
export const PLACEMENT = { xMin: 0.35, xMax: 0.65, yMin: -0.25, yMax: 0.25, minGap: 0.1 };

const TABLE_COLOR: [number, number, number] = [165, 140, 110];
const PLATE_COLOR: [number, number, number] = [235, 235, 230];
const ARM_COLOR: [number, number, number] = [225, 225, 228];
const HAND_COLOR: [number, number, number] = [60, 60, 65];
/** Finger joint positions (each finger's distance from the hand's centre line, m). */
const FINGER_OPEN = 0.04;
const FINGER_ON_OBJECT = 0.021;
const FINGER_CLOSED_EMPTY = 0.002;
/** How close (m) the fingertip centre must be to an object's centre for a closing gripper to hold it. */
const GRASP_RADIUS = { horizontal: 0.025, vertical: 0.03 };

export class TabletopWorld {
  readonly arm: ArmModel;
  readonly camera: PinholeCamera;
  readonly worldFromCamera: Transform;
  readonly cameraFromWorld: Transform;
  readonly objects: WorldObject[];
  readonly plate: Plate;
  q: Float64Array;
  gripperClosed = false;
  private readonly linkChains: KinematicChain[];

  private constructor(arm: ArmModel, objects: WorldObject[], plate: Plate) {
    this.arm = arm;
    this.objects = objects;
    this.plate = plate;
    this.q = Float64Array.from(READY_POSE);
    // A third-person camera in front of the robot, looking back at it and steeply down at the
    // table, so that objects are large in the frame and visible in front of the fingers at a grasp.
    this.camera = new PinholeCamera(520, 520, 319.5, 239.5, 640, 480);
    this.worldFromCamera = lookAt([0.9, 0, 0.9], [0.4, 0, 0.1]);
    this.cameraFromWorld = invert(identity(), this.worldFromCamera);
    this.linkChains = ['panda_link2', 'panda_link3', 'panda_link4', 'panda_link5', 'panda_link6', 'panda_link7', 'panda_hand'].map(
      (link) => new KinematicChain(arm.robot, 'panda_link0', link),
    );
  }

  /** A new episode's world: the arm at the ready pose, objects and plate placed from the seed. */
  static create(options: WorldOptions, arm: ArmModel = pandaArm()): TabletopWorld {
    const random = seededRandom(options.seed);
    const count = options.objects ?? 2 + Math.floor(random() * 4);
    if (!(count >= 2 && count <= 5)) throw new RangeError(`a world holds 2 to 5 objects, not ${count}`);
    const spots = placeApart(random, count + 1);
    const colors = shuffled(random, COLOR_NAMES).slice(0, count);
    const objects = colors.map((color, index): WorldObject => {
      const shape = SHAPE_NAMES[Math.floor(random() * SHAPE_NAMES.length)];
      const halfHeight = shapeHalfHeight(shape);
      return { index, color, shape, position: [spots[index][0], spots[index][1], halfHeight], yaw: uniform(random, -0.5, 0.5), halfHeight, held: null };
    });
    const plateSpot = spots[count];
    const plate = { position: [plateSpot[0], plateSpot[1], 0.006] as Vec3, radius: 0.075, thickness: 0.012 };
    return new TabletopWorld(arm, objects, plate);
  }

  /** Pose of panda_hand in the base frame. */
  handPose(q: ArrayLike<number> = this.q): Transform {
    return this.arm.forward(q);
  }

  /** The fingertip centre (the point a grasp closes on), base frame. */
  tcp(q: ArrayLike<number> = this.q): Vec3 {
    const p = applyToPoint(this.handPose(q), { x: 0, y: 0, z: TCP_OFFSET });
    return [p.x, p.y, p.z];
  }

  /** Moves the arm; a held object moves with the fingers. */
  setJoints(q: ArrayLike<number>): void {
    this.q = Float64Array.from(q);
    const tcp = this.tcp();
    for (const object of this.objects) {
      if (object.held) object.position = [tcp[0] + object.held[0], tcp[1] + object.held[1], tcp[2] + object.held[2]];
    }
  }

  /**
   * Closes or opens the gripper. Closing holds the object whose centre is between the fingertips;
   * opening lets a held object down onto the plate (if it is above it) or the table.
   */
  setGripper(closed: boolean): void {
    if (closed === this.gripperClosed) return;
    this.gripperClosed = closed;
    const tcp = this.tcp();
    if (closed) {
      const candidate = this.objects.find(
        (o) =>
          !o.held &&
          Math.hypot(o.position[0] - tcp[0], o.position[1] - tcp[1]) < GRASP_RADIUS.horizontal &&
          Math.abs(o.position[2] - tcp[2]) < GRASP_RADIUS.vertical,
      );
      if (candidate) candidate.held = [candidate.position[0] - tcp[0], candidate.position[1] - tcp[1], candidate.position[2] - tcp[2]];
      return;
    }
    for (const object of this.objects) {
      if (!object.held) continue;
      object.held = null;
      const surface = this.onPlate(object) ? this.plate.thickness : 0;
      object.position = [object.position[0], object.position[1], surface + object.halfHeight];
    }
  }

  /** Position of each finger joint: open, closed on the held object, or closed on nothing. */
  fingerPosition(): number {
    if (!this.gripperClosed) return FINGER_OPEN;
    return this.heldObject() ? FINGER_ON_OBJECT : FINGER_CLOSED_EMPTY;
  }

  heldObject(): WorldObject | null {
    return this.objects.find((o) => o.held) ?? null;
  }

  /** Whether the object's centre is above the plate. */
  onPlate(object: WorldObject): boolean {
    return Math.hypot(object.position[0] - this.plate.position[0], object.position[1] - this.plate.position[1]) < this.plate.radius;
  }

  /** Pixel (640x480) of a point in the base frame; null behind the camera. */
  project(p: Vec3): { u: number; v: number } | null {
    return this.camera.project(applyToPoint(this.cameraFromWorld, { x: p[0], y: p[1], z: p[2] }));
  }

  /** The scene as the renderer sees it: table, plate, objects, the arm and its hand. */
  scene(): RenderScene {
    const objects: SceneObject[] = [
      { id: 'table', shape: { kind: 'box', size: [1.4, 1.6, 0.05] }, pose: translation(0.4, 0, -0.025), color: TABLE_COLOR },
      {
        id: 'plate',
        shape: { kind: 'cylinder', radius: this.plate.radius, height: this.plate.thickness },
        pose: translation(...this.plate.position),
        color: PLATE_COLOR,
      },
    ];
    for (const o of this.objects) {
      objects.push({ id: `${o.color} ${o.shape}`, shape: SHAPES[o.shape], pose: fromXyzRpy(o.position, [0, 0, o.yaw]), color: [...COLORS[o.color]] });
    }
    objects.push(...this.armParts());
    return { objects, background: [90, 100, 115], lightDirection: normalised([0.3, 0.4, 1]), ambient: 0.45 };
  }

  render(): RenderResult {
    return renderScene(this.scene(), { camera: this.camera, worldFromCamera: this.worldFromCamera });
  }

  /** What the camera driver and joint_state_broadcaster would publish now, stamped `stampSec`. */
  messages(stampSec: number): { rgb: Image; depth: Image; cameraInfo: CameraInfo; joints: JointState; rendered: RenderResult } {
    const rendered = this.render();
    const stamp = timeFromSeconds(stampSec);
    const header = { stamp, frame_id: CAMERA_FRAME };
    return {
      rgb: encodeRgbImage(header, rendered.rgb),
      depth: encodeDepthImage(header, rendered.depth, '16UC1'),
      cameraInfo: buildCameraInfo(header, this.camera),
      joints: this.jointState(stampSec),
      rendered,
    };
  }

  /** What joint_state_broadcaster would publish now, stamped `stampSec` (no velocities measured). */
  jointState(stampSec: number): JointState {
    return {
      header: { stamp: timeFromSeconds(stampSec), frame_id: '' },
      name: [...PANDA_JOINTS, ...PANDA_FINGER_JOINTS],
      position: [...Array.from(this.q), ...PANDA_FINGER_JOINTS.map(() => this.fingerPosition())],
      velocity: [],
      effort: [],
    };
  }

  /** Capsules along the arm's links, the hand and two fingers (open or closed). */
  private armParts(): SceneObject[] {
    const parts: SceneObject[] = [];
    // Each chain's joints are the first joints of the arm.
    const points = [[0, 0, 0.05] as Vec3, ...this.linkChains.map((chain) => origin(chain.forward(this.q.subarray(0, chain.dof))))];
    for (let i = 0; i + 1 < points.length; i++) {
      const capsule = capsuleBetween(points[i], points[i + 1], i < 3 ? 0.06 : 0.045);
      if (capsule) parts.push({ id: `link${i}`, shape: capsule.shape, pose: capsule.pose, color: ARM_COLOR });
    }
    const hand = this.handPose();
    const local = (x: number, y: number, z: number): Transform => compose(identity(), hand, translation(x, y, z));
    parts.push({ id: 'hand', shape: { kind: 'box', size: [0.06, 0.2, 0.06] }, pose: local(0, 0, 0.03), color: HAND_COLOR });
    const half = this.fingerPosition() + 0.009;
    for (const side of [-1, 1]) {
      parts.push({ id: `finger${side}`, shape: { kind: 'box', size: [0.02, 0.018, 0.05] }, pose: local(0, side * half, 0.083), color: HAND_COLOR });
    }
    return parts;
  }
}

/** The Panda's arm model from the bundled URDF, with the node's default parameters (limits, IK). */
export function pandaArm(settings: NodeSettings = defaultSettings()): ArmModel {
  return loadArmModel(resolvePackagePath('config/robots/urdf/panda.urdf'), armModelOptions(settings));
}

/** Where the simulation's models read their proprioception: the node's default joints and gripper. */
export function pandaProprioSource(settings: NodeSettings = defaultSettings()): ProprioSource {
  return proprioSource(PANDA_JOINTS, settings.gripper);
}

/** The node's settings at their defaults (the Panda's): the simulation commands through them. */
export function defaultSettings(): NodeSettings {
  return settingsFromValues(defaultValues(loadParameterSchema()));
}

export function shapeHalfHeight(shape: ShapeName): number {
  const s = SHAPES[shape] as Shape;
  return s.kind === 'box' ? s.size[2] / 2 : s.kind === 'cylinder' ? s.height / 2 : s.kind === 'sphere' ? s.radius : s.length / 2 + s.radius;
}

/** `count` points in the placement area, at least PLACEMENT.minGap apart (rejection sampling). */
function placeApart(random: Random, count: number): [number, number][] {
  const { xMin, xMax, yMin, yMax, minGap } = PLACEMENT;
  for (let attempt = 0; attempt < 1000; attempt++) {
    const spots: [number, number][] = [];
    for (let tries = 0; spots.length < count && tries < 200; tries++) {
      const spot: [number, number] = [uniform(random, xMin, xMax), uniform(random, yMin, yMax)];
      if (spots.every((s) => Math.hypot(s[0] - spot[0], s[1] - spot[1]) >= minGap)) spots.push(spot);
    }
    if (spots.length === count) return spots;
  }
  throw new Error(`cannot place ${count} things ${minGap} m apart`);
}

function shuffled<T>(random: Random, items: readonly T[]): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

function translation(x: number, y: number, z: number): Transform {
  const t = identity();
  t[3] = x;
  t[7] = y;
  t[11] = z;
  return t;
}

function origin(t: Transform): Vec3 {
  return [t[3], t[7], t[11]];
}

function normalised(v: Vec3): Vec3 {
  const n = Math.hypot(...v);
  return [v[0] / n, v[1] / n, v[2] / n];
}

/** A capsule from a to b: its local z axis along a -> b, centred between them. */
function capsuleBetween(a: Vec3, b: Vec3, radius: number): { shape: Shape; pose: Transform } | null {
  const d: Vec3 = [b[0] - a[0], b[1] - a[1], b[2] - a[2]];
  const length = Math.hypot(...d);
  if (length < 1e-6) return null;
  const z = normalised(d);
  // Any x perpendicular to z, then y = z cross x.
  const helper: Vec3 = Math.abs(z[0]) < 0.9 ? [1, 0, 0] : [0, 1, 0];
  const dot = helper[0] * z[0] + helper[1] * z[1] + helper[2] * z[2];
  const x = normalised([helper[0] - dot * z[0], helper[1] - dot * z[1], helper[2] - dot * z[2]]);
  const y: Vec3 = [z[1] * x[2] - z[2] * x[1], z[2] * x[0] - z[0] * x[2], z[0] * x[1] - z[1] * x[0]];
  const pose = identity();
  pose[0] = x[0]; pose[1] = y[0]; pose[2] = z[0]; pose[3] = (a[0] + b[0]) / 2;
  pose[4] = x[1]; pose[5] = y[1]; pose[6] = z[1]; pose[7] = (a[1] + b[1]) / 2;
  pose[8] = x[2]; pose[9] = y[2]; pose[10] = z[2]; pose[11] = (a[2] + b[2]) / 2;
  return { shape: { kind: 'capsule', radius, length }, pose };
}
