import { expect } from 'chai';
import { ActionTokenReader, QWEN2_ACTION_TABLE } from '../src/core/model/action_tokens.js';
import { parseMolmoActAnswer, type AnswerExpectation } from '../src/core/model/molmoact_answer.js';
import {
  digitize,
  formatAction,
  formatAnswer,
  formatDepth,
  normaliseAction,
  type AnswerWording,
} from '../src/inference/remote/molmoact_answer_format.js';
import { binCentres, decodeActionBins, OutputRejected } from '../src/core/model/decode.js';
import { type ActionSpec, type ActionStatistics } from '../src/core/model/manifest.js';
import { loadManifest } from '../src/inference/load_manifest.js';
import { seededRandom, uniform } from '../src/core/util/random.js';

const tokens = new ActionTokenReader(QWEN2_ACTION_TABLE);
const DEPTH = Array.from({ length: 100 }, (_, i) => (i * 13) % 128);
const TRACE = { x: [242, 140, 94, 140, 153], y: [115, 77, 58, 44, 26] };
const EXPECT: AnswerExpectation = { depth: { rows: 10, cols: 10, codebook: 128 }, tracePoints: 5, actionDim: 7, maxActions: 8, requireReasoning: true };

/** A synthetic answer (upstream's wording and formats) for normalised actions. */
function synthetic(normalised: number[][], wording: AnswerWording = 'first_image'): string {
  return formatAnswer({ depthTokens: DEPTH, trace: TRACE, normalised }, wording, tokens);
}

function rejection(text: string, expect: AnswerExpectation = EXPECT): OutputRejected {
  try {
    parseMolmoActAnswer(text, expect, tokens);
  } catch (err) {
    expect_(err).to.be.instanceOf(OutputRejected);
    return err as OutputRejected;
  }
  throw new Error(`the answer was accepted: ${text.slice(0, 80)}`);
}
const expect_ = expect;

describe('reasoning/remote/molmoact_answer (parsing MolmoAct answers, synthetic fixtures)', () => {
  it('digitizes as numpy does over linspace(-1, 1, 256)', () => {
    expect(digitize(-1)).to.equal(1);
    expect(digitize(-5)).to.equal(1);
    expect(digitize(1)).to.equal(256);
    expect(digitize(0)).to.equal(128);
    // Every bin centre lands in its own bin.
    const centres = binCentres(256);
    centres.forEach((c, i) => expect(digitize(c), `centre ${i}`).to.equal(i + 1));
  });

  it('reads every one of the 256 action strings back as its own bin', () => {
    for (let d = 1; d <= 256; d++) {
      const row = Array(7).fill(tokens.tokenForDigit(d));
      const text = ` The action that the robot should take is [${row.join(', ')}].`;
      const parsed = parseMolmoActAnswer(text, { ...EXPECT, depth: null, tracePoints: null }, tokens);
      expect(parsed.bins, `digit ${d}`).to.deep.equal([Array(7).fill(Math.min(d - 1, 254))]);
    }
  });

  it('round-trips random chunks within half a bin, in robot units', async () => {
    const manifest = await loadManifest('models/molmoact-7b-d-libero-spatial');
    const stats = manifest.statistics as ActionStatistics;
    const action: ActionSpec = manifest.action;
    const random = seededRandom(7);
    for (let trial = 0; trial < 200; trial++) {
      const chunk = Array.from({ length: 8 }, () =>
        stats.q01.map((low, j) => (stats.mask[j] ? uniform(random, low, stats.q99[j]) : uniform(random, 0, 1))),
      );
      const normalised = chunk.map((a) => normaliseAction(a, stats));
      const parsed = parseMolmoActAnswer(synthetic(normalised), EXPECT, tokens);
      const decoded = decodeActionBins(parsed.bins, action, stats);
      chunk.forEach((row, s) =>
        row.forEach((value, j) => {
          // A bin spans 2/255 of the normalised range: half of it, in robot units.
          const half = stats.mask[j] ? (stats.q99[j] - stats.q01[j]) / 255 : 1 / 255;
          expect(Math.abs(decoded[s][j] - value), `trial ${trial} step ${s} dim ${j}`).to.be.at.most(half + 1e-9);
        }),
      );
    }
  });

  for (const wording of ['single_image', 'first_image', 'two_arm'] as const) {
    it(`accepts the ${wording} wording with its depth map, trace and an 8x7 chunk`, () => {
      const normalised = Array.from({ length: 8 }, (_, s) => Array.from({ length: 7 }, (_, j) => (s - j) / 10));
      const parsed = parseMolmoActAnswer(synthetic(normalised, wording), EXPECT, tokens);
      expect(parsed.depthTokens).to.deep.equal(DEPTH);
      expect(parsed.trace).to.deep.equal(TRACE);
      expect(parsed.bins).to.have.length(8);
      expect(parsed.bins[3]).to.deep.equal(normalised[3].map((n) => Math.min(254, digitize(n) - 1)));
    });
  }

  it('accepts one action (pretrained checkpoints) and the steered answer, which has actions only', () => {
    const one = parseMolmoActAnswer(synthetic([[0, 0, 0, 0, 0, 0, 1]], 'single_image'), { ...EXPECT, maxActions: 1 }, tokens);
    expect(one.bins).to.deep.equal([[127, 127, 127, 127, 127, 127, 254]]);
    const steered = parseMolmoActAnswer(synthetic([[0, 0, 0, 0, 0, 0, 1]], 'steered'), { ...EXPECT, requireReasoning: false }, tokens);
    expect(steered.trace).to.equal(null);
    expect(steered.depthTokens).to.deep.equal([]);
    expect(steered.bins).to.have.length(1);
  });

  it('accepts quoted action strings and spaces around items, as upstream strips them', () => {
    const row = [0, 0, 0, 0, 0, 0, 1].map((n) => `'${tokens.tokenForDigit(digitize(n))}'`);
    const text = `${formatDepth(DEPTH)} [[1, 2]] [ ${row.join(' ,  ')} ]`;
    expect(parseMolmoActAnswer(text, { ...EXPECT, maxActions: 1 }, tokens).bins).to.deep.equal([[127, 127, 127, 127, 127, 127, 254]]);
  });

  describe('refuses, quoting the part at fault', () => {
    const good = [[0.1, 0.2, 0.3, 0, 0, 0, 1]];
    it('an unknown action string (upstream would read bin 0)', () => {
      const text = synthetic(good).replace(/\[[^\x00-\x7f][^[\]\s,]*,/, '[xyz€,');
      expect(rejection(text).message).to.match(/action 0 value 0 "xyz€" is not an action string/).and.contain('[xyz€,');
    });
    it('an action with a value too few or too many', () => {
      const short = synthetic(good).replace(/\[[^\x00-\x7f][^[\]\s,]*, /, '[');
      expect(rejection(short).message).to.match(/action 0 has 6 values, expected 7/);
      const long = synthetic(good).replace(/\]\.$/, `, ${tokens.tokenForDigit(1)}].`);
      expect(rejection(long).message).to.match(/action 0 has 8 values, expected 7/);
    });
    it('more actions than the chunk holds', () => {
      expect(rejection(synthetic(Array(9).fill(good[0]))).message).to.match(/9 actions, at most 8 expected/);
    });
    it('an answer without actions', () => {
      expect(rejection(`${formatDepth(DEPTH)} The trajectory is [[1, 2], [3, 4]].`).message).to.match(/no action/);
    });
    it('a missing depth map, one too short, a token beyond the codebook, an unclosed one', () => {
      const text = synthetic(good);
      expect(rejection(text.replace(/<DEPTH_START>[\s\S]*<DEPTH_END>/, '')).message).to.match(/no depth map/);
      expect(rejection(text.replace('<DEPTH_0>', '')).message).to.match(/99 tokens, expected 100/);
      expect(rejection(text.replace('<DEPTH_0>', '<DEPTH_128>')).message).to.match(/<DEPTH_128> is outside the codebook of 128/);
      expect(rejection(text.replace('<DEPTH_END>', '')).message).to.match(/not closed/);
      expect(rejection(text.replace('<DEPTH_0>', '<DEPTH_0>tree')).message).to.match(/something other than <DEPTH_k> tokens: "tree"/);
    });
    it('a missing trace, a point outside [0, 255], a fractional point, too many points', () => {
      const text = synthetic(good);
      expect(rejection(text.replace('[[242, 115], [140, 77], [94, 58], [140, 44], [153, 26]]', 'none')).message).to.match(/no trace/);
      expect(rejection(text.replace('[242, 115]', '[256, 115]')).message).to.match(/trace point 0 has x = 256/);
      expect(rejection(text.replace('[242, 115]', '[242.5, 115]')).message).to.match(/x = 242.5, expected an integer/);
      expect(rejection(text.replace('[153, 26]]', '[153, 26], [1, 1]]')).message).to.match(/6 points, at most 5/);
    });
    it('two depth maps', () => {
      expect(rejection(synthetic(good).replace(/^/, formatDepth(DEPTH))).message).to.match(/2 depth maps/);
    });
  });

  it('writes the action of the model card example as bins that decode to it', () => {
    // MolmoAct-7B-D's model card: the gripper value 0.996078431372549 is bin 254, written raw.
    const text = `[${formatAction([0, 0, 0, 0, 0, 0, 1], tokens).slice(1, -1)}]`;
    const parsed = parseMolmoActAnswer(text, { ...EXPECT, depth: null, tracePoints: null, maxActions: 1 }, tokens);
    const stats = { q01: Array(7).fill(-1), q99: Array(7).fill(1), mask: [true, true, true, true, true, true, false] };
    const decoded = decodeActionBins(parsed.bins, { space: 'ee_delta', dim: 7, chunk: 1, bins: 256 }, stats);
    expect(decoded[0][6]).to.be.closeTo(0.996078431372549, 1e-12);
  });
});
