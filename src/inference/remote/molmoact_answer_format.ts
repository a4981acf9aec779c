/**
 * Writes answers the way MolmoAct's training data does, for the synthetic stand-in server and the
 * tests (no GPU here serves a real checkpoint). What it mirrors upstream (allenai/molmoact):
 * - action strings: preprocess/processors.py ActionProcessor.tokenize_action (clip to [-1, 1],
 *   numpy digitize over linspace(-1, 1, 256), token id vocab_size - d, convert_ids_to_tokens);
 * - chunks: ActionProcessor.chunk_actions ("[[a, b, ...], [...]]", ", " between items);
 * - depth: DepthTokens' "<DEPTH_START><DEPTH_k>...<DEPTH_END>" string;
 * - trace: Python's str() of a list of [x, y] integer pairs;
 * - sentences: the model card's reasoning answer ("The depth map of the first image is ..."),
 *   the single-image one SimplerEnv's parser splits on, the two-arm wording of
 *   olmo/data/custom_lerobot_dataset.py format_action_reasoning, and format_trajectory_conditioned's
 *   steered answer.
 */
import type { TracePoints } from '../../core/model/types.js';
import type { ActionStatistics } from '../../core/model/manifest.js';
import type { ActionTokenReader } from '../../core/model/action_tokens.js';

export type AnswerWording = 'single_image' | 'first_image' | 'two_arm' | 'steered';

export interface SyntheticReasoning {
  depthTokens: number[];
  trace: TracePoints;
  /** Normalised actions in [-1, 1] (the gripper as its raw value), [step][dim]. */
  normalised: number[][];
}

/** numpy.digitize(clip(x, -1, 1), linspace(-1, 1, bins)): how many bin edges are <= x (1..bins). */
export function digitize(x: number, bins = 256): number {
  const clipped = Math.min(1, Math.max(-1, x));
  const step = 2 / (bins - 1);
  let d = Math.floor((clipped + 1) / step) + 1;
  // Guard the float rounding at the edges: edge k is -1 + k * step.
  while (d > 1 && -1 + (d - 1) * step > clipped) d--;
  while (d < bins && -1 + d * step <= clipped) d++;
  return Math.min(bins, Math.max(1, d));
}

/** Robot units -> [-1, 1] where the mask says, as the q01/q99 normalisation of training does. */
export function normaliseAction(action: readonly number[], stats: ActionStatistics): number[] {
  return action.map((a, i) => {
    if (!stats.mask[i]) return a;
    const span = stats.q99[i] - stats.q01[i];
    return span <= 1e-8 ? 0 : Math.min(1, Math.max(-1, (2 * (a - stats.q01[i])) / (span + 1e-8) - 1));
  });
}

/** One action (normalised values) as MolmoAct writes it: a list of action strings. */
export function formatAction(normalised: readonly number[], tokens: ActionTokenReader): string {
  return `[${normalised.map((n) => tokens.tokenForDigit(digitize(n))).join(', ')}]`;
}

/** One action, or a chunk of several as a list of lists. */
export function formatActions(normalised: readonly (readonly number[])[], tokens: ActionTokenReader): string {
  const rows = normalised.map((n) => formatAction(n, tokens));
  return rows.length === 1 ? rows[0] : `[${rows.join(', ')}]`;
}

export function formatDepth(tokens: readonly number[]): string {
  return `<DEPTH_START>${tokens.map((k) => `<DEPTH_${k}>`).join('')}<DEPTH_END>`;
}

export function formatTrace(trace: TracePoints): string {
  return `[${trace.x.map((x, i) => `[${x}, ${trace.y[i]}]`).join(', ')}]`;
}

/** A whole answer in one of upstream's wordings (with the leading space the chat format adds). */
export function formatAnswer(reasoning: SyntheticReasoning, wording: AnswerWording, tokens: ActionTokenReader): string {
  const depth = formatDepth(reasoning.depthTokens);
  const trace = formatTrace(reasoning.trace);
  const action = formatActions(reasoning.normalised, tokens);
  switch (wording) {
    case 'single_image':
      return ` The depth map of the image is ${depth}. The trajectory of the end effector is ${trace}. Based on these information, the action that the robot should take is ${action}.`;
    case 'first_image':
      return (
        ` The depth map of the first image is ${depth}. The trajectory of the end effector in the first image is ${trace}. ` +
        `Based on these information, along with other images from different camera views as additional information, the action that the robot should take is ${action}.`
      );
    case 'two_arm':
      return (
        ` The depth map of the image is ${depth}. The trajectory of the left end effector is ${trace}. ` +
        `The trajectory of the right end effector is ${trace}. Based on this information, the action that the robot should take is ${action}.`
      );
    case 'steered':
      return ` Based on the image and the annotated trajectory of the end effector, the action that the robot should take is ${action}.`;
  }
}
