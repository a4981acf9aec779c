/**
 * Reads MolmoAct's answer text: the depth map, the trace and the action chunk.
 *
 * Like upstream's parser (parse_depth, parse_trace, parse_action in
 * olmo/hf_model/molmoact/modeling_molmoact.py), it goes by structure, not by the sentences
 * around it, whose wording differs between checkpoints: depth tokens between <DEPTH_START> and
 * <DEPTH_END>; a trace as a bracketed list of [x, y] integer pairs; each action as a bracketed
 * list of action strings. Unlike upstream, which turns an unknown string into bin 0 and skips
 * what it cannot read, anything off is refused, quoting the part of the answer at fault.
 */
import { OutputRejected } from './decode.js';
import type { TracePoints } from './types.js';
import type { ActionTokenReader } from './action_tokens.js';

export interface AnswerExpectation {
  /** The depth grid, or null when the model gives none. */
  depth: { rows: number; cols: number; codebook: number } | null;
  /** Most trace points accepted; null when the model gives no trace. */
  tracePoints: number | null;
  /** Values per action and most actions per chunk. */
  actionDim: number;
  maxActions: number;
  /** Whether the depth map and the trace must be there (the steering answer has actions only). */
  requireReasoning: boolean;
}

export interface ParsedAnswer {
  /** Row-major depth tokens; empty when the answer has none and none was required. */
  depthTokens: number[];
  /** The trace, or null when the answer has none and none was required. */
  trace: TracePoints | null;
  /** Bin indices (0..254) per action, [step][dim]. */
  bins: number[][];
}

const DEPTH_BLOCK = /<DEPTH_START>([\s\S]*?)<DEPTH_END>/g;
/** A bracketed list that may hold one level of bracketed lists (upstream's OUTER_BLOCK_RE). */
const OUTER_BLOCK = /\[(?:[^[\]]|\[[^[\]]*\])+\]/g;
/** A bracketed list with no list inside. */
const FLAT_LIST = /\[([^[\]]*)\]/g;
const NUMBER = /^[+-]?(?:\d+(?:\.\d+)?|\.\d+)(?:[eE][+-]?\d+)?$/;

export function parseMolmoActAnswer(text: string, expect: AnswerExpectation, tokens: ActionTokenReader): ParsedAnswer {
  const { depthTokens, rest } = readDepth(text, expect);
  const trace = readTrace(rest, expect);
  const bins = readActions(rest, expect, tokens);
  return { depthTokens, trace, bins };
}

function readDepth(text: string, expect: AnswerExpectation): { depthTokens: number[]; rest: string } {
  const blocks = [...text.matchAll(DEPTH_BLOCK)];
  const rest = text.replace(DEPTH_BLOCK, ' ');
  if (rest.includes('<DEPTH_START>')) throw new OutputRejected(`the depth map is not closed (no <DEPTH_END>): ${excerpt(rest, rest.indexOf('<DEPTH_START>'))}`);
  if (!expect.depth) return { depthTokens: [], rest };
  if (blocks.length === 0) {
    if (expect.requireReasoning) throw new OutputRejected(`the answer has no depth map (<DEPTH_START> ... <DEPTH_END>): ${excerpt(text, 0)}`);
    return { depthTokens: [], rest };
  }
  if (blocks.length > 1) throw new OutputRejected(`the answer has ${blocks.length} depth maps, expected one: ${excerpt(text, blocks[1].index ?? 0)}`);
  const { rows, cols, codebook } = expect.depth;
  const body = blocks[0][1];
  const tokens: number[] = [];
  const leftover = body.replace(/<DEPTH_(\d+)>/g, (token, k: string) => {
    const code = Number(k);
    if (code >= codebook) throw new OutputRejected(`depth token ${token} is outside the codebook of ${codebook}`);
    tokens.push(code);
    return '';
  });
  if (leftover.trim() !== '') throw new OutputRejected(`the depth map holds something other than <DEPTH_k> tokens: ${JSON.stringify(leftover.trim().slice(0, 60))}`);
  if (tokens.length !== rows * cols) throw new OutputRejected(`the depth map has ${tokens.length} tokens, expected ${rows * cols} (${rows}x${cols})`);
  return { depthTokens: tokens, rest };
}

function readTrace(text: string, expect: AnswerExpectation): TracePoints | null {
  const traces: { points: number[][]; at: number }[] = [];
  for (const block of text.matchAll(OUTER_BLOCK)) {
    const rows = [...block[0].matchAll(FLAT_LIST)].map((m) => splitItems(m[1]));
    // A trace: every row a pair of numbers. (An action chunk is also a list of lists, of strings.)
    if (rows.length > 0 && rows.every((r) => r.length === 2 && r.every((item) => NUMBER.test(item)))) {
      traces.push({ points: rows.map((r) => r.map(Number)), at: block.index ?? 0 });
    }
  }
  if (traces.length === 0) {
    if (expect.tracePoints !== null && expect.requireReasoning) {
      throw new OutputRejected(`the answer has no trace (a list of [x, y] points): ${excerpt(text, 0)}`);
    }
    return null;
  }
  if (expect.tracePoints === null) return null;
  // Answers written for two end effectors repeat the trace; a single arm follows the first.
  const { points, at } = traces[0];
  if (points.length > expect.tracePoints) {
    throw new OutputRejected(`the trace has ${points.length} points, at most ${expect.tracePoints} expected: ${excerpt(text, at)}`);
  }
  points.forEach(([x, y], i) => {
    for (const [axis, value] of [['x', x], ['y', y]] as const) {
      if (!Number.isInteger(value) || value < 0 || value > 255) {
        throw new OutputRejected(`trace point ${i} has ${axis} = ${value}, expected an integer in [0, 255]: ${excerpt(text, at)}`);
      }
    }
  });
  return { x: points.map((p) => p[0]), y: points.map((p) => p[1]) };
}

function readActions(text: string, expect: AnswerExpectation, tokens: ActionTokenReader): number[][] {
  const actions: number[][] = [];
  for (const match of text.matchAll(FLAT_LIST)) {
    const items = splitItems(match[1]);
    // Upstream's test for an action list: not all numbers, and some character beyond ASCII.
    if (items.every((item) => NUMBER.test(item)) || !items.some((item) => /[^\x00-\x7f]/.test(item))) continue;
    const where = excerpt(text, match.index ?? 0);
    if (items.length !== expect.actionDim) {
      throw new OutputRejected(`action ${actions.length} has ${items.length} values, expected ${expect.actionDim}: ${where}`);
    }
    actions.push(
      items.map((item, j) => {
        const id = tokens.idOf(item);
        if (id === undefined) throw new OutputRejected(`action ${actions.length} value ${j} ${JSON.stringify(item)} is not an action string: ${where}`);
        return tokens.binOf(id);
      }),
    );
  }
  if (actions.length === 0) throw new OutputRejected(`the answer has no action (a list of ${expect.actionDim} action strings): ${excerpt(text, 0)}`);
  if (actions.length > expect.maxActions) throw new OutputRejected(`the answer has ${actions.length} actions, at most ${expect.maxActions} expected (action.chunk)`);
  return actions;
}

/** A list's items, split on commas, trimmed of spaces and quotes (as upstream does). */
function splitItems(inner: string): string[] {
  return inner.split(',').map((item) => item.trim().replace(/^["']+|["']+$/g, '').trim());
}

/** Up to 120 characters of the answer from `index`, to quote in an error. */
function excerpt(text: string, index: number): string {
  const part = text.slice(Math.max(0, index), Math.max(0, index) + 120).replace(/\s+/g, ' ');
  return JSON.stringify(index + 120 < text.length ? `${part}…` : part);
}
