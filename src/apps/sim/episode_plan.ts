/**
 * Which worlds and tasks a simulation run goes through, and a person's steering trace in them:
 * the same for the in-process simulation and the simulated robot on a ROS graph, so that their
 * success rates compare episode by episode.
 */
import { makeHeader } from '../../core/messages/builders.js';
import { timeFromSeconds } from '../../core/messages/time.js';
import type { VisualTrace } from '../../core/messages/types.js';
import { traceToPixels } from '../../core/model/decode.js';
import { seededRandom } from '../../core/util/random.js';
import { expertGoal, expertPlan, stateOf, TRACE_STEPS, traceOfPath } from './expert.js';
import { makeTask, sampleTask, taskSucceeded, type Task, type TaskKind } from './tasks.js';
import { CAMERA_FRAME, TabletopWorld, type Vec3 } from './world.js';

export interface PlannedEpisode {
  world: TabletopWorld;
  task: Task;
  /** Steering: the object a person's trace leads to (success: it is picked up). */
  steerTo?: number;
}

/**
 * World seeds of the simulation: offset from those of `molmoact-ros dataset` (seed * 100003 + episode),
 * so that evaluation never runs on a world the training saw.
 */
export function simulationSeed(seed: number, episode: number): number {
  return (0x40000000 + seed * 100_003 + episode) % 0x7fffffff;
}

/** Episode `index` of a run with this seed: its world, task and (steered runs) the object to steer to. */
export function planEpisode(seed: number, index: number, kinds: readonly TaskKind[], steer: boolean): PlannedEpisode {
  const worldSeed = simulationSeed(seed, index);
  const world = TabletopWorld.create({ seed: worldSeed });
  const random = seededRandom(worldSeed ^ 0x7a5c);
  const task = sampleTask(world, random, [...kinds]);
  const others = world.objects.filter((o) => o.index !== task.object);
  const steerTo = steer ? others[Math.floor(random() * others.length)].index : undefined;
  return { world, task, steerTo };
}

/** What an episode is judged by, taken when it starts (where the objects are then). */
export interface EpisodeGoal {
  /** Its task, or for a steered episode the pick of the object steered to, is done. */
  done(): boolean;
  /** Steered episodes: the trace a person would draw now (null otherwise). */
  steering(nowSec: number): VisualTrace | null;
}

export function episodeGoal(episode: PlannedEpisode): EpisodeGoal {
  const { world, task, steerTo } = episode;
  const target = steerTo === undefined ? task : makeTask(world, 'pick', steerTo);
  const start: Vec3 = [...world.objects[target.object].position];
  return {
    done: () => taskSucceeded(world, target, start),
    steering: (nowSec) => (steerTo === undefined ? null : steeringTrace(world, target, start, nowSec)),
  };
}

/**
 * A person's trace from the fingers to the object to steer to, in the image's pixels, as a
 * ~/trace_override message (the expert's path; a person would draw about the same).
 */
function steeringTrace(world: TabletopWorld, steered: Task, steerStart: Vec3, nowSec: number): VisualTrace {
  const trace = traceOfPath(world, expertPlan(stateOf(world, steered, steerStart), expertGoal(world, steered, steerStart), TRACE_STEPS.at(-1)!).path);
  const { width, height } = world.camera;
  const pixels = trace ? traceToPixels(trace, width, height) : [];
  return { header: makeHeader(timeFromSeconds(nowSec), CAMERA_FRAME), width, height, u: pixels.map((p) => p.u), v: pixels.map((p) => p.v) };
}
