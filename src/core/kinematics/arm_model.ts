/**
 * The commanded arm as the controller sees it: the URDF chain between base_link and tip_link,
 * its effective joint limits, and IK, all in the order of the node's joint_names.
 *
 * Effective limits are the tighter of the URDF's and the configured ones, so a config can narrow
 * what the URDF allows but never widen it. IK works inside the position limits less the margin,
 * so its solutions are commandable as they are.
 */
import { checkLimits, LimitError, type JointLimits } from './limits.js';
import { KinematicChain } from './chain.js';
import { IkSolver } from './ik.js';
import { identity, type Transform } from './transform.js';
import { parseUrdf, UrdfError, type RobotDescription } from './urdf.js';

/** Configured limits; an empty list means "take them from the URDF". */
export interface LimitConfig {
  min: number[];
  max: number[];
  maxVelocity: number[];
  margin: number;
}

export interface ArmModelOptions {
  jointNames: string[];
  baseLink: string;
  tipLink: string;
  limits: LimitConfig;
  /** Rest posture for a redundant arm's spare freedom, in jointNames order; empty: mid-range. */
  restPosture: number[];
  ikPositionTolerance: number;
  ikOrientationTolerance: number;
}

export interface ArmSolution {
  /** Joint positions in jointNames order. */
  q: Float64Array;
  converged: boolean;
  positionError: number;
  orientationError: number;
}

export class ArmModel {
  readonly robot: RobotDescription;
  readonly chain: KinematicChain;
  readonly limits: JointLimits;
  readonly jointNames: string[];
  /** chainIndex[j] = index in the chain of jointNames[j]. */
  private readonly chainIndex: Int32Array;
  private readonly ik: IkSolver;
  private readonly chainQ: Float64Array;
  private readonly tolerance: { position: number; orientation: number };

  constructor(robot: RobotDescription, options: ArmModelOptions) {
    this.robot = robot;
    this.jointNames = options.jointNames;
    this.chain = new KinematicChain(robot, options.baseLink, options.tipLink);
    const chainJoints = this.chain.jointNames;
    const missing = chainJoints.filter((name) => !options.jointNames.includes(name));
    const extra = options.jointNames.filter((name) => !chainJoints.includes(name));
    if (missing.length > 0 || extra.length > 0) {
      throw new UrdfError(
        `joint_names [${options.jointNames.join(', ')}] are not the joints between '${options.baseLink}' and '${options.tipLink}' ` +
          `[${chainJoints.join(', ')}]` +
          (extra.length ? `; not in the chain: ${extra.join(', ')}` : '') +
          (missing.length ? `; missing: ${missing.join(', ')}` : ''),
      );
    }
    this.chainIndex = Int32Array.from(options.jointNames, (name) => chainJoints.indexOf(name));
    this.limits = effectiveLimits(options.jointNames, options.limits, (j) => {
      const c = this.chainIndex[j];
      return { lower: this.chain.lower[c], upper: this.chain.upper[c], velocity: this.chain.velocity[c] };
    });
    this.chainQ = new Float64Array(this.chain.dof);

    const inChainOrder = (values: ArrayLike<number>): Float64Array => {
      const out = new Float64Array(this.chain.dof);
      for (let j = 0; j < this.jointNames.length; j++) out[this.chainIndex[j]] = values[j];
      return out;
    };
    const { min, max, margin } = this.limits;
    const lower = inChainOrder(min.map((v) => v + margin));
    const upper = inChainOrder(max.map((v) => v - margin));
    if (options.restPosture.length > 0 && options.restPosture.length !== this.jointNames.length) {
      throw new LimitError(`rest_posture has ${options.restPosture.length} values but joint_names has ${this.jointNames.length}`);
    }
    this.tolerance = { position: options.ikPositionTolerance, orientation: options.ikOrientationTolerance };
    this.ik = new IkSolver(this.chain, {
      lower,
      upper,
      rest: options.restPosture.length > 0 ? inChainOrder(options.restPosture) : undefined,
      // Solve tighter than the acceptance tolerance so that accepted solutions have some slack.
      positionTolerance: options.ikPositionTolerance / 10,
      orientationTolerance: options.ikOrientationTolerance / 10,
      restarts: 0,
    });
  }

  static fromUrdf(xml: string, options: ArmModelOptions): ArmModel {
    return new ArmModel(parseUrdf(xml), options);
  }

  /** Pose of tip_link in base_link for joint positions in jointNames order. */
  forward(q: ArrayLike<number>, out: Transform = identity()): Transform {
    return this.chain.forward(this.toChain(q), out);
  }

  /**
   * Joint positions (jointNames order) that reach `target`, warm-started from `seed`, never a
   * random restart; converged only within the configured IK tolerances.
   */
  solve(target: Transform, seed: ArrayLike<number>): ArmSolution {
    const result = this.ik.solve(target, this.toChain(seed));
    const q = new Float64Array(this.jointNames.length);
    for (let j = 0; j < q.length; j++) q[j] = result.q[this.chainIndex[j]];
    return {
      q,
      converged: result.positionError <= this.tolerance.position && result.orientationError <= this.tolerance.orientation,
      positionError: result.positionError,
      orientationError: result.orientationError,
    };
  }

  private toChain(q: ArrayLike<number>): Float64Array {
    if (q.length !== this.jointNames.length) throw new RangeError(`${q.length} joint values for ${this.jointNames.length} joints`);
    for (let j = 0; j < q.length; j++) this.chainQ[this.chainIndex[j]] = q[j];
    return this.chainQ;
  }
}

/**
 * The tighter of the configured and the URDF limits per joint (without a URDF: the configured
 * ones, which must then be complete). Throws LimitError if some limit has no source.
 */
export function effectiveLimits(
  names: string[],
  config: LimitConfig,
  fromUrdf: ((joint: number) => { lower: number; upper: number; velocity: number }) | null,
): JointLimits {
  for (const [field, values] of [
    ['joint_position_min', config.min],
    ['joint_position_max', config.max],
    ['joint_velocity_max', config.maxVelocity],
  ] as const) {
    if (values.length !== 0 && values.length !== names.length) {
      throw new LimitError(`${field} has ${values.length} values but joint_names has ${names.length}`);
    }
    if (values.length === 0 && !fromUrdf) {
      throw new LimitError(`${field} is empty and there is no URDF to take the limits from`);
    }
  }
  const pick = (values: number[], j: number, urdf: number | undefined, tighter: (a: number, b: number) => number): number =>
    values.length === 0 ? urdf! : urdf === undefined ? values[j] : tighter(values[j], urdf);
  const min: number[] = [];
  const max: number[] = [];
  const maxVelocity: number[] = [];
  names.forEach((name, j) => {
    const urdf = fromUrdf?.(j);
    min.push(pick(config.min, j, urdf?.lower, Math.max));
    max.push(pick(config.max, j, urdf?.upper, Math.min));
    maxVelocity.push(pick(config.maxVelocity, j, urdf?.velocity, Math.min));
    if (!Number.isFinite(maxVelocity[j])) {
      throw new LimitError(`joint ${name}: no velocity limit in the URDF or joint_velocity_max`);
    }
  });
  return checkLimits({ names, min, max, maxVelocity, margin: config.margin });
}
