/**
 * The tf tree, as far as the node needs it: where a frame is relative to another, from the
 * transforms published on /tf_static (camera mounts, optical frames) and /tf (moving links).
 *
 * rclnodejs has no tf2 buffer, and the node only needs the newest transform of each edge to map an
 * rviz click into the camera frame, so this keeps the latest transform per child frame and walks
 * the tree to the common ancestor. Dynamic edges older than `maxAgeSec` are not used.
 */
import type { TransformStamped } from '../messages/types.js';
import { toSeconds } from '../messages/time.js';
import { compose, identity, invert, setQuaternion, type Transform } from './transform.js';

interface Edge {
  parent: string;
  /** Maps points in the child frame into the parent frame. */
  transform: Transform;
  stampSec: number;
  isStatic: boolean;
}

export class TfLookupError extends Error {
  override name = 'TfLookupError';
}

export class TfTree {
  private readonly edges = new Map<string, Edge>();

  constructor(private readonly maxAgeSec = 10) {}

  /** Adds the transforms of a /tf or /tf_static message; malformed entries are skipped and counted. */
  add(transforms: readonly TransformStamped[], isStatic: boolean): number {
    let skipped = 0;
    for (const t of transforms) {
      const parent = stripSlash(t.header.frame_id);
      const child = stripSlash(t.child_frame_id);
      const { translation: p, rotation: q } = t.transform;
      const values = [p.x, p.y, p.z, q.x, q.y, q.z, q.w];
      if (!parent || !child || parent === child || !values.every(Number.isFinite) || Math.hypot(q.x, q.y, q.z, q.w) < 1e-9) {
        skipped++;
        continue;
      }
      const transform = setQuaternion(identity(), q.x, q.y, q.z, q.w);
      transform[3] = p.x;
      transform[7] = p.y;
      transform[11] = p.z;
      this.edges.set(child, { parent, transform, stampSec: toSeconds(t.header.stamp), isStatic });
    }
    return skipped;
  }

  /**
   * The transform mapping points in `source` into `target`, using edges fresh at `nowSec`.
   * Throws TfLookupError saying which frames are not connected.
   */
  lookup(target: string, source: string, nowSec: number): Transform {
    target = stripSlash(target);
    source = stripSlash(source);
    const up = (frame: string): Map<string, Transform> => {
      // Every ancestor of `frame`, with the transform from `frame` into it.
      const chain = new Map<string, Transform>([[frame, identity()]]);
      let current = frame;
      let accumulated = identity();
      for (let hops = 0; hops <= this.edges.size; hops++) {
        const edge = this.edges.get(current);
        if (!edge) break;
        if (!edge.isStatic && nowSec - edge.stampSec > this.maxAgeSec) {
          throw new TfLookupError(`the transform ${edge.parent} -> ${current} is ${(nowSec - edge.stampSec).toFixed(1)} s old`);
        }
        accumulated = compose(identity(), edge.transform, accumulated);
        current = edge.parent;
        if (chain.has(current)) break; // a loop in published transforms: stop walking
        chain.set(current, accumulated);
      }
      return chain;
    };
    const fromSource = up(source);
    const fromTarget = up(target);
    for (const [ancestor, sourceToAncestor] of fromSource) {
      const targetToAncestor = fromTarget.get(ancestor);
      if (targetToAncestor) return compose(identity(), invert(identity(), targetToAncestor), sourceToAncestor);
    }
    throw new TfLookupError(`no transform between '${source}' and '${target}' (are /tf and /tf_static published?)`);
  }
}

function stripSlash(frame: string): string {
  return frame.startsWith('/') ? frame.slice(1) : frame;
}
