/**
 * Tabletop tasks from templates with MolmoAct-like wording, where each must end, and whether it
 * succeeded.
 *
 * "Left" and "right" are as seen in the camera image (how a person looking at the picture words
 * it): image right is the world's +y for this camera, which faces the robot.
 */
import type { Random } from '../../core/util/random.js';
import { COLORS, SHAPES, type TabletopWorld, type Vec3, type WorldObject } from './world.js';

export const TASK_KINDS = ['pick', 'place', 'left_of', 'right_of'] as const;
export type TaskKind = (typeof TASK_KINDS)[number];

export interface Task {
  kind: TaskKind;
  instruction: string;
  /** Index of the object to move. */
  object: number;
  /** left_of / right_of: index of the object it goes next to. */
  reference?: number;
}

/**
 * Every word the task templates use, as a model's instruction vocabulary (ids are positions;
 * 0 and 1 are padding and unknown words, as the manifest format requires).
 */
export const VOCABULARY: readonly string[] = [
  '<pad>', '<unk>', 'pick', 'up', 'the', 'put', 'on', 'plate', 'move', 'to', 'left', 'right', 'of',
  ...Object.keys(COLORS), ...Object.keys(SHAPES),
];

/** How far beside the reference object a "left of" / "right of" goal lies (m). */
const BESIDE = 0.1;
/** A picked object counts as lifted this far above where it rested (m). */
export const LIFT_HEIGHT = 0.08;

export function describe(object: WorldObject): string {
  return `${object.color} ${object.shape}`;
}

export function makeTask(world: TabletopWorld, kind: TaskKind, object: number, reference?: number): Task {
  const name = describe(world.objects[object]);
  switch (kind) {
    case 'pick':
      return { kind, object, instruction: `pick up the ${name}` };
    case 'place':
      return { kind, object, instruction: `put the ${name} on the plate` };
    case 'left_of':
    case 'right_of': {
      if (reference === undefined || reference === object) throw new Error(`${kind} needs another object to go next to`);
      const side = kind === 'left_of' ? 'left' : 'right';
      return { kind, object, reference, instruction: `move the ${name} to the ${side} of the ${describe(world.objects[reference])}` };
    }
  }
}

/** A random task for this world (kinds to choose from: all by default) that has a free goal. */
export function sampleTask(world: TabletopWorld, random: Random, kinds: readonly TaskKind[] = TASK_KINDS): Task {
  for (let attempt = 0; ; attempt++) {
    const kind = kinds[Math.floor(random() * kinds.length)];
    const object = Math.floor(random() * world.objects.length);
    if (kind !== 'left_of' && kind !== 'right_of') return makeTask(world, kind, object);
    const others = world.objects.map((o) => o.index).filter((i) => i !== object);
    const task = makeTask(world, kind, object, others[Math.floor(random() * others.length)]);
    if (besideSpot(world, task) || attempt > 50) return task;
  }
}

/**
 * Where the object's centre should end up: lifted above its start (pick), on the plate, or beside
 * the reference object in the image's left/right direction.
 */
export function goalPosition(world: TabletopWorld, task: Task, start: Vec3): Vec3 {
  const object = world.objects[task.object];
  switch (task.kind) {
    case 'pick':
      return [start[0], start[1], start[2] + LIFT_HEIGHT + 0.07];
    case 'place':
      return [world.plate.position[0], world.plate.position[1], world.plate.thickness + object.halfHeight];
    case 'left_of':
    case 'right_of': {
      const reference = world.objects[task.reference!].position;
      const sign = task.kind === 'left_of' ? -1 : 1; // image right is +y
      const spot = besideSpot(world, task) ?? [reference[0], reference[1] + sign * BESIDE];
      return [spot[0], spot[1], object.halfHeight];
    }
  }
}

/**
 * A free spot on the task's side of the reference object: off the plate and clear of the other
 * objects (the kinematic world would otherwise put one object into another). Null if none.
 */
export function besideSpot(world: TabletopWorld, task: Task): [number, number] | null {
  const reference = world.objects[task.reference!].position;
  const sign = task.kind === 'left_of' ? -1 : 1;
  for (const dy of [BESIDE, BESIDE + 0.03, BESIDE + 0.06]) {
    for (const dx of [0, -0.04, 0.04, -0.08, 0.08]) {
      const x = reference[0] + dx;
      const y = reference[1] + sign * dy;
      const clearOfPlate = Math.hypot(x - world.plate.position[0], y - world.plate.position[1]) > world.plate.radius + 0.03;
      const clearOfObjects = world.objects.every(
        (o) => o.index === task.object || Math.hypot(x - o.position[0], y - o.position[1]) > 0.07,
      );
      if (clearOfPlate && clearOfObjects && x > 0.3 && x < 0.7 && Math.abs(y) < 0.38) return [x, y];
    }
  }
  return null;
}

/** Whether the task is done in this world state (`start`: where the object rested at the start). */
export function taskSucceeded(world: TabletopWorld, task: Task, start: Vec3): boolean {
  const object = world.objects[task.object];
  const resting = !object.held;
  switch (task.kind) {
    case 'pick':
      return object.held !== null && object.position[2] >= start[2] + LIFT_HEIGHT;
    case 'place':
      return resting && world.onPlate(object);
    case 'left_of':
    case 'right_of': {
      if (!resting || world.onPlate(object)) return false;
      const reference = world.objects[task.reference!];
      const sideways = object.position[1] - reference.position[1];
      const wanted = task.kind === 'left_of' ? -sideways : sideways;
      // Clearly on that side, and still next to it (not across the table).
      return wanted > 0.05 && Math.hypot(object.position[0] - reference.position[0], sideways) < 0.2;
    }
  }
}

